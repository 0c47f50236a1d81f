// Key layout of the level store. Numbers are zero-padded so byte order is numeric order.
import type { LaneName } from '../../../common/lanes.js';
import type { EventQuery, EventRow, SeriesKey } from '../contract/types.js';

const seq16 = (n: number) => n.toString(16).padStart(16, '0');
export const ts = (ms: number) => Math.max(0, Math.floor(ms)).toString().padStart(14, '0');

export const device = (id: string) => `dev!${id}`;
export const DEVICE_RANGE = { gte: 'dev!', lt: 'dev"' };

export const seen = (deviceId: string, lane: LaneName, seq: number) => `seen!${deviceId}!${lane}!${seq16(seq)}`;
export const seenEnd = (deviceId: string, lane: LaneName) => `seen!${deviceId}!${lane}"`;
export const seqOf = (key: string) => parseInt(key.slice(key.lastIndexOf('!') + 1), 16);

export const lane = (deviceId: string, laneName: LaneName) => `lane!${deviceId}!${laneName}`;
export const drop = (deviceId: string, laneName: LaneName, first: number, last: number) => `drop!${deviceId}!${laneName}!${seq16(first)}!${seq16(last)}`;
export const dropRange = (deviceId: string) => ({ gte: `drop!${deviceId}!`, lt: `drop!${deviceId}"` });

export const event = (id: string) => `ev!${id}`;
export const thumbnail = (eventId: string) => `th!${eventId}`;
export const THUMBNAIL_RANGE = { gte: 'th!', lt: 'th"' };
/** A camera row's or thumbnail's id from before ids carried the device → its id now. */
export const legacyEvent = (legacyId: string) => `alias!ev!${legacyId}`;
export const legacyThumbnail = (legacyId: string) => `alias!th!${legacyId}`;

/**
 * Rows of this kind are most of what a fleet stores (one per sensor window), so they are listed
 * in three indexes instead of six: all, device+kind and site+kind. A query by device, site or kind
 * alone reads the others merged with the bulk kind's device+kind or site+kind list (indexPlan).
 */
export const BULK_KIND = 'telemetry';

/** Every index an event row is listed in; each ends with !<time>!<id>. */
export function eventIndexKeys(row: EventRow): string[] {
  const suffix = `${ts(row.timeMs)}!${row.id}`;
  const keys = [`ix!all!${suffix}`, `ix!sk!${row.site}!${row.kind}!${suffix}`, `ix!dk!${row.deviceId}!${row.kind}!${suffix}`];
  if (row.kind !== BULK_KIND) keys.push(...narrowIndexKeys(row, suffix));
  if (row.cameraId) keys.push(cameraIndexKey(row.cameraId, suffix));
  return keys;
}

/** The single-field indexes; a bulk-kind row is not in them (and was before layout 4). */
export function narrowIndexKeys(row: EventRow, suffix = `${ts(row.timeMs)}!${row.id}`): string[] {
  return [`ix!site!${row.site}!${suffix}`, `ix!dev!${row.deviceId}!${suffix}`, `ix!kind!${row.kind}!${suffix}`];
}

const cameraIndexKey = (cameraId: string, suffix: string) => `ix!cam!${cameraId}!${suffix}`;
export const cameraIndexKeyOf = (row: EventRow) => (row.cameraId ? cameraIndexKey(row.cameraId, `${ts(row.timeMs)}!${row.id}`) : undefined);
export const EVENT_RANGE = { gte: 'ev!', lt: 'ev"' };
export const BULK_KIND_RANGE = { gte: `ix!kind!${BULK_KIND}!`, lt: `ix!kind!${BULK_KIND}"` };
/** Version of the key layout the store was built with; older stores are brought up on open (upgrade.ts). */
export const INDEX_VERSION_KEY = 'meta!index-version';

/**
 * The index prefixes whose lists, merged newest first, hold every row the query can match (the
 * narrowest there are); the rest is filtered row by row.
 */
export function indexPlan(q: EventQuery): string[] {
  const one = (list?: string[]) => (list && list.length === 1 ? list[0] : undefined);
  const deviceId = one(q.deviceId);
  const kind = one(q.kind);
  const site = one(q.site);
  // A camera's rows are a small share of any device's, site's or kind's.
  if (q.cameraId) return [`ix!cam!${q.cameraId}!`];
  if (deviceId && kind) return [`ix!dk!${deviceId}!${kind}!`];
  if (site && kind) return [`ix!sk!${site}!${kind}!`];
  if (deviceId) return [`ix!dev!${deviceId}!`, `ix!dk!${deviceId}!${BULK_KIND}!`];
  // The bulk kind is most rows: the whole list, filtered, loses little.
  if (kind) return kind === BULK_KIND ? ['ix!all!'] : [`ix!kind!${kind}!`];
  if (site) return [`ix!site!${site}!`, `ix!sk!${site}!${BULK_KIND}!`];
  return ['ix!all!'];
}

export function idOfIndexKey(key: string): string {
  // …!<14-digit time>!<id>; ids never contain "!"
  return key.slice(key.lastIndexOf('!') + 1);
}

const w6 = (s: number) => s.toString().padStart(6, '0');
export const series = (deviceId: string, sensorId: string, metric: string, windowS: number, startMs: number) =>
  `se!${deviceId}!${sensorId}!${metric}!${w6(windowS)}!${ts(startMs)}`;
export const seriesRange = (deviceId: string, sensorId: string, metric: string, windowS: number, fromMs: number, toMs: number) => ({
  gte: `se!${deviceId}!${sensorId}!${metric}!${w6(windowS)}!${ts(fromMs)}`,
  lt: `se!${deviceId}!${sensorId}!${metric}!${w6(windowS)}!${ts(toMs)}`,
});
export const seriesWindow = (deviceId: string, sensorId: string, metric: string, windowS: number) => `sw!${deviceId}!${sensorId}!${metric}!${w6(windowS)}`;
export const seriesWindowRange = (deviceId: string, sensorId: string, metric: string) => ({
  gte: `sw!${deviceId}!${sensorId}!${metric}!`,
  lt: `sw!${deviceId}!${sensorId}!${metric}"`,
});
export const windowOf = (key: string) => parseInt(key.slice(key.lastIndexOf('!') + 1), 10);
export const SERIES_WINDOW_RANGE = { gte: 'sw!', lt: 'sw"' };
/** sw!<device>!<sensor>!<metric>!<window>; ids never contain "!". */
export function seriesKeyOf(key: string): SeriesKey {
  const [, deviceId, sensorId, metric, window] = key.split('!');
  return { deviceId: deviceId!, sensorId: sensorId!, metric: metric!, windowS: parseInt(window!, 10) };
}
