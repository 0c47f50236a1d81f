// The part of an event query that is checked row by row, shared by the stores.
import { severityRank } from '../../common/severity.js';
import type { EventQuery, EventRow } from './contract/types.js';

export function matchesQuery(row: EventRow, q: EventQuery): boolean {
  if (q.site && !q.site.includes(row.site)) return false;
  if (q.deviceId && !q.deviceId.includes(row.deviceId)) return false;
  if (q.kind && !q.kind.includes(row.kind)) return false;
  if (q.severity && (!row.severity || !q.severity.includes(row.severity))) return false;
  if (q.minSeverity && (!row.severity || severityRank(row.severity) < severityRank(q.minSeverity))) return false;
  if (q.cameraId && row.cameraId !== q.cameraId) return false;
  if (q.label && row.label !== q.label) return false;
  if (q.rule && row.rule !== q.rule) return false;
  if (q.sensorId && row.sensorId !== q.sensorId) return false;
  if (q.sinceMs !== undefined && row.timeMs < q.sinceMs) return false;
  if (q.untilMs !== undefined && row.timeMs >= q.untilMs) return false;
  return true;
}
