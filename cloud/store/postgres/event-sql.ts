// Event rows in PostgreSQL: the columns that filter and sort an event, bulk upsert, and the
// WHERE clause of an event query (same filters, order and cursor as the embedded store).
import type pg from 'pg';
import { severityRank } from '../../../common/severity.js';
import { ValidationError } from '../../../common/errors.js';
import { decodeCursor } from '../cursor.js';
import type { EventQuery, EventRow } from '../contract/types.js';
import { pgInt, pgText } from './pool.js';

type Queryable = Pick<pg.PoolClient, 'query'>;

const optional = (v: string | undefined) => (v === undefined ? null : pgText(v));

/**
 * Inserts or replaces whole rows (merged camera events come here already merged); a row of
 * another device is never replaced (its device_id is never reassigned). The rows'
 * JSON travels as one json array and is split by json_array_elements, which keeps each element
 * verbatim: cheaper than an array of strings (escaped one by one), and \u0000 survives.
 */
export async function upsertEvents(db: Queryable, rows: readonly EventRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query({
    name: 'ioc-upsert-events',
    text: `INSERT INTO events (id, device_id, site, kind, severity, severity_rank, time_ms, camera_id, label, rule, sensor_id, data)
       SELECT id, dev, site, kind, sev, rank, t, cam, label, rule, sensor, d.e
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::smallint[], $7::bigint[],
                     $8::text[], $9::text[], $10::text[], $11::text[]) WITH ORDINALITY
           AS x(id, dev, site, kind, sev, rank, t, cam, label, rule, sensor, n)
         JOIN json_array_elements($12::json) WITH ORDINALITY AS d(e, n) USING (n)
     ON CONFLICT (id) DO UPDATE SET
       site = EXCLUDED.site, kind = EXCLUDED.kind, severity = EXCLUDED.severity,
       severity_rank = EXCLUDED.severity_rank, time_ms = EXCLUDED.time_ms, camera_id = EXCLUDED.camera_id,
       label = EXCLUDED.label, rule = EXCLUDED.rule, sensor_id = EXCLUDED.sensor_id, data = EXCLUDED.data
       WHERE events.device_id = EXCLUDED.device_id`,
    values: [
      rows.map((r) => pgText(r.id)),
      rows.map((r) => pgText(r.deviceId)),
      rows.map((r) => pgText(r.site)),
      rows.map((r) => pgText(r.kind)),
      rows.map((r) => (r.severity ? pgText(r.severity) : null)),
      rows.map((r) => (r.severity ? severityRank(r.severity) : null)),
      rows.map((r) => pgInt(r.timeMs)),
      rows.map((r) => optional(r.cameraId)),
      rows.map((r) => optional(r.label)),
      rows.map((r) => optional(r.rule)),
      rows.map((r) => optional(r.sensorId)),
      JSON.stringify(rows),
    ],
  });
}

export interface EventSql {
  text: string;
  values: unknown[];
}

/** SELECT of one page (limit + 1 rows, to know whether there is a next page). */
export function eventPageSql(q: EventQuery): EventSql {
  const values: unknown[] = [];
  const param = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  const where: string[] = [];
  // One value → "=", which lets the planner walk the matching index in time order.
  const list = (column: string, items: string[] | undefined) => {
    if (!items) return;
    if (items.length === 1) where.push(`${column} = ${param(pgText(items[0]!))}`);
    else where.push(`${column} = ANY(${param(items.map(pgText))}::text[])`);
  };
  list('site', q.site);
  list('device_id', q.deviceId);
  list('kind', q.kind);
  list('severity', q.severity);
  if (q.minSeverity) where.push(`severity_rank >= ${param(severityRank(q.minSeverity))}`);
  if (q.cameraId) where.push(`camera_id = ${param(pgText(q.cameraId))}`);
  if (q.label) where.push(`label = ${param(pgText(q.label))}`);
  if (q.rule) where.push(`rule = ${param(pgText(q.rule))}`);
  if (q.sensorId) where.push(`sensor_id = ${param(pgText(q.sensorId))}`);
  if (q.sinceMs !== undefined) where.push(`time_ms >= ${param(pgInt(Math.ceil(q.sinceMs)))}`);
  if (q.untilMs !== undefined) where.push(`time_ms < ${param(pgInt(Math.ceil(q.untilMs)))}`);
  if (q.cursor) {
    const cursor = decodeCursor(q.cursor);
    if (!Number.isFinite(cursor.timeMs)) throw new ValidationError('cursor: not a cursor returned by this API');
    where.push(`(time_ms, id) < (${param(pgInt(cursor.timeMs))}, ${param(pgText(cursor.id))})`);
  }
  const limit = param(Math.max(1, Math.floor(q.limit)) + 1);
  const order = `ORDER BY time_ms DESC, id DESC LIMIT ${limit}`;
  if (!splitsByKind(q)) return { text: `SELECT data FROM events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ${order}`, values };
  // Telemetry rows are not in the site and device indexes (migration 007): each part walks its
  // own index newest first, and the two disjoint pages merge into one.
  const bulk = param(BULK_KIND);
  const part = (kindTest: string) => `(SELECT data, time_ms, id FROM events WHERE ${[...where, kindTest].join(' AND ')} ${order})`;
  return { text: `SELECT data FROM (${part(`kind <> ${bulk}`)} UNION ALL ${part(`kind = ${bulk}`)}) AS page ${order}`, values };
}

/** The kind whose rows only the time, site+kind and device+kind indexes list. */
export const BULK_KIND = 'telemetry';

/** A query by one site or one device and no single kind (or camera) would read a narrow index. */
function splitsByKind(q: EventQuery): boolean {
  if (q.cameraId || q.kind?.length === 1) return false;
  return q.site?.length === 1 || q.deviceId?.length === 1;
}
