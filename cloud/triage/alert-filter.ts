// Whether an alert matches a list query; the level store filters row by row with it.
import { severityRank } from '../../common/severity.js';
import type { Alert, AlertQuery } from './types.js';

export function matchesAlertQuery(a: Alert, q: AlertQuery): boolean {
  if (q.state && !q.state.includes(a.state)) return false;
  if (q.site && (a.site === null || !q.site.includes(a.site))) return false;
  if (q.kind && !q.kind.includes(a.kind)) return false;
  if (q.minSeverity && severityRank(a.severity) < severityRank(q.minSeverity)) return false;
  return true;
}
