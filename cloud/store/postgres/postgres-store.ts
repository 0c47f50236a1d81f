// Coordinator store on PostgreSQL: several coordinator replicas share one database. An ingest
// is one transaction under a per-device advisory lock, so two replicas ingesting the same device
// serialize, and the ack computed inside it only ever covers committed rows.
import type pg from 'pg';
import type { LaneName } from '../../../common/lanes.js';
import { componentLogger, type Logger } from '../../../common/log.js';
import type { CoordinatorStore, IngestResult } from '../contract/store.js';
import type {
  DeviceRow,
  DropRangeRow,
  EventPage,
  EventQuery,
  EventRow,
  IngestItem,
  LaneState,
  SeriesBucket,
  SeriesKey,
  SeriesPoint,
  SeriesQuery,
  ThumbnailRow,
} from '../contract/types.js';
import { hasSeqRowId, isLegacyCameraId, ownPart } from '../contract/types.js';
import { journalRecords, type JournalData, type JournalEntry } from '../contract/journal.js';
import { PgJournal } from './pg-journal.js';
import { chooseWindow, rebucket } from '../series.js';
import { encodeCursor } from '../cursor.js';
import { asStorageError, createClient, createPool, inTransaction, lockKey, pgInt, pgText, type PgOptions } from './pool.js';
import { FOUNDATION_MIGRATIONS, migrate } from './migrate.js';
import { advanceLanes, readLaneStates, insertDropRanges, type LaneAck } from './lanes.js';
import { eventPageSql, upsertEvents } from './event-sql.js';
import { definedOnly, mergeEvent } from '../row-merge.js';

type Queryable = Pick<pg.PoolClient, 'query'>;

export interface PostgresStoreOptions extends PgOptions {
  /** Extra migration directories (feature tables, versions 100–199). */
  migrationDirs?: string[];
  logger?: Logger;
}

export class PostgresStore implements CoordinatorStore {
  readonly kind = 'postgres' as const;
  private readonly db: pg.Pool;
  private readonly log: Logger;
  /** Advisory-lock class of this schema's device locks (the device is the second key). */
  private readonly deviceLockClass: number;
  /** Advisory-lock class of camera event rows (the event id is the second key). */
  private readonly eventLockClass: number;
  private readonly recordJournal = new PgJournal();
  /** Series windows known to be listed in series_windows (committed), as JSON keys. */
  private readonly listedWindows = new Set<string>();

  constructor(private readonly options: PostgresStoreOptions) {
    this.log = options.logger ?? componentLogger('pg-store');
    this.db = createPool(options, this.log);
    this.deviceLockClass = lockKey(`ioc:device:${options.schema}`);
    this.eventLockClass = lockKey(`ioc:event:${options.schema}`);
  }

  /** The journal's writer, for feature stores that journal inside their own transactions. */
  get journal(): PgJournal {
    return this.recordJournal;
  }

  /** The pool, for feature stores and the bus that keep their own tables in the same schema. */
  get pool(): pg.Pool {
    return this.db;
  }

  get schema(): string {
    return this.options.schema;
  }

  /** A connection of its own (not from the pool), e.g. for LISTEN; the caller ends it. */
  dedicatedClient(): pg.Client {
    return createClient(this.options);
  }

  async open(): Promise<void> {
    await migrate(this.db, { schema: this.options.schema, dirs: [FOUNDATION_MIGRATIONS, ...(this.options.migrationDirs ?? [])], logger: this.log });
  }

  async close(): Promise<void> {
    await this.db.end();
  }

  async listSeries(): Promise<SeriesKey[]> {
    const { rows } = await this.run<{ device_id: string; sensor_id: string; metric: string; window_s: string }>(
      'SELECT device_id, sensor_id, metric, window_s FROM series_windows ORDER BY 1, 2, 3, 4',
    );
    return rows.map((r) => ({ deviceId: r.device_id, sensorId: r.sensor_id, metric: r.metric, windowS: Number(r.window_s) }));
  }

  // ---- record journal (cloud/store/contract/journal.ts) -------------------------------------------

  enableJournal(): void {
    this.recordJournal.enabled = true;
  }

  async readJournal(limit: number): Promise<JournalEntry[]> {
    const { rows } = await this.run<{ id: string; data: JournalData }>('SELECT id::text AS id, data FROM record_journal ORDER BY id LIMIT $1', [limit]);
    return rows;
  }

  async removeJournal(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.run('DELETE FROM record_journal WHERE id = ANY($1::bigint[])', [ids]);
  }

  // ---- devices -------------------------------------------------------------------------------

  async putDevice(device: DeviceRow): Promise<void> {
    await this.run(
      `INSERT INTO devices (id, site, data) VALUES ($1, $2, $3::json)
       ON CONFLICT (id) DO UPDATE SET site = EXCLUDED.site, data = EXCLUDED.data`,
      [pgText(device.id), pgText(device.site), JSON.stringify(device)],
    );
  }

  async getDevice(id: string): Promise<DeviceRow | undefined> {
    const { rows } = await this.run<{ data: DeviceRow }>('SELECT data FROM devices WHERE id = $1', [pgText(id)]);
    return rows[0]?.data;
  }

  async listDevices(): Promise<DeviceRow[]> {
    const { rows } = await this.run<{ data: DeviceRow }>('SELECT data FROM devices ORDER BY id');
    return rows.map((r) => r.data);
  }

  async updateDeviceStatus(id: string, patch: Partial<DeviceRow>): Promise<void> {
    const reported = definedOnly(patch);
    if (Object.keys(reported).length === 0) return;
    // Merged here rather than with jsonb "||": jsonb refuses \u0000, which a device may report.
    await inTransaction(this.db, async (client) => {
      const { rows } = await client.query<{ data: DeviceRow }>('SELECT data FROM devices WHERE id = $1 FOR UPDATE', [pgText(id)]);
      if (!rows[0]) return;
      await client.query('UPDATE devices SET data = $2::json WHERE id = $1', [pgText(id), JSON.stringify({ ...rows[0].data, ...reported })]);
    });
  }

  // ---- ingest --------------------------------------------------------------------------------

  ingest(deviceId: string, items: readonly IngestItem[]): Promise<IngestResult> {
    if (items.length === 0) return Promise.resolve({ acked: [], stored: [] });
    const device = pgText(deviceId);
    const listed: string[] = [];
    return inTransaction(this.db, async (client) => {
      await this.lockDevice(client, device);
      return this.ingestLocked(client, device, items, listed);
    }).then((result) => {
      for (const window of listed) this.listedWindows.add(window);
      return result;
    });
  }

  private async ingestLocked(client: pg.PoolClient, deviceId: string, given: readonly IngestItem[], listed: string[]): Promise<IngestResult> {
    const items = given.map((item) => ownPart(deviceId, item));
    const fresh = await this.claimSeqs(client, deviceId, items);
    const freshByLane = new Map<LaneName, number>(items.map((i) => [i.lane, 0]));
    const stored: IngestItem[] = [];
    for (const item of items) {
      if (!fresh.delete(`${item.lane}:${item.seq}`)) continue; // seen before, or twice in this batch
      freshByLane.set(item.lane, freshByLane.get(item.lane)! + 1);
      stored.push(item);
    }
    const merged = await this.writeEvents(client, stored);
    await this.writeThumbnails(client, stored);
    listed.push(
      ...(await this.writeSeries(
        client,
        stored.flatMap((i) => (i.series ? [i.series] : [])),
      )),
    );
    const acked = await advanceLanes(client, deviceId, freshByLane);
    const result = stored.map((i) => (i.event ? { ...i, event: merged.get(i) ?? i.event } : i));
    if (result.length > 0) await this.recordJournal.insert(client, journalRecords(deviceId, result));
    return { acked, stored: result };
  }

  /** Inserts the (lane, seq) keys; returns the ones that were new. */
  private async claimSeqs(client: pg.PoolClient, deviceId: string, items: readonly IngestItem[]): Promise<Set<string>> {
    const { rows } = await client.query<{ lane: string; seq: number }>({
      name: 'ioc-claim-seqs',
      text: `INSERT INTO lane_records (device_id, lane, seq) SELECT $1, l, s FROM unnest($2::text[], $3::bigint[]) AS x(l, s)
       ON CONFLICT DO NOTHING RETURNING lane, seq`,
      values: [deviceId, items.map((i) => i.lane), items.map((i) => i.seq)],
    });
    return new Set(rows.map((r) => `${r.lane}:${r.seq}`));
  }

  /**
   * Camera events are one row per lifecycle: a later phase merges into the row (keeping the
   * first time) and a thumbnail marks it, whether it arrived before or after the event.
   * Returns each stored item's row as written.
   */
  private async writeEvents(client: pg.PoolClient, stored: readonly IngestItem[]): Promise<Map<IngestItem, EventRow>> {
    const byItem = new Map<IngestItem, EventRow>();
    const touchedIds = new Set<string>();
    for (const item of stored) {
      if (item.event && !hasSeqRowId(item.event.deviceId, item)) touchedIds.add(item.event.id);
      if (item.thumbnail) touchedIds.add(item.thumbnail.eventId);
    }
    const rows = new Map<string, EventRow>(); // the rows this batch writes, by id
    const thumbed = new Set<string>();
    if (touchedIds.size > 0) {
      const ids = [...touchedIds].map(pgText);
      // Two devices' batches may name the same event: take its locks in one global order
      // before touching rows, so those transactions queue instead of deadlocking.
      await client.query('SELECT pg_advisory_xact_lock($1, k) FROM (SELECT DISTINCT hashtext(id) AS k FROM unnest($2::text[]) AS id ORDER BY 1) AS keys', [
        this.eventLockClass,
        ids,
      ]);
      const [existing, thumbs] = await Promise.all([
        client.query<{ data: EventRow }>('SELECT data FROM events WHERE id = ANY($1::text[]) FOR UPDATE', [ids]),
        client.query<{ event_id: string }>('SELECT event_id FROM thumbnails WHERE event_id = ANY($1::text[])', [ids]),
      ]);
      for (const r of existing.rows) rows.set(r.data.id, r.data);
      for (const r of thumbs.rows) thumbed.add(r.event_id);
    }
    const changed = new Set<string>();
    for (const item of stored) {
      if (item.thumbnail) {
        thumbed.add(pgText(item.thumbnail.eventId));
        const row = rows.get(item.thumbnail.eventId);
        if (row && row.deviceId === item.thumbnail.deviceId) {
          rows.set(row.id, { ...row, hasThumbnail: true });
          changed.add(row.id);
        }
      }
      if (!item.event) continue;
      const previous = rows.get(item.event.id);
      if (previous && previous.deviceId !== item.event.deviceId) continue; // never another device's row
      const row = previous ? mergeEvent(previous, item.event) : { ...item.event, hasThumbnail: item.event.hasThumbnail || thumbed.has(pgText(item.event.id)) };
      rows.set(row.id, row);
      changed.add(row.id);
      byItem.set(item, row);
    }
    await upsertEvents(
      client,
      [...changed].map((id) => rows.get(id)!),
    );
    return byItem;
  }

  private async writeThumbnails(client: pg.PoolClient, stored: readonly IngestItem[]): Promise<void> {
    const latest = new Map<string, ThumbnailRow>();
    for (const item of stored) if (item.thumbnail) latest.set(item.thumbnail.eventId, item.thumbnail);
    if (latest.size === 0) return;
    const thumbs = [...latest.values()];
    await client.query(
      `INSERT INTO thumbnails (event_id, device_id, meta, data)
         SELECT e, d, m::json, b FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[]) AS x(e, d, m, b)
       ON CONFLICT (event_id) DO UPDATE SET meta = EXCLUDED.meta, data = EXCLUDED.data
         WHERE thumbnails.device_id = EXCLUDED.device_id`,
      [
        thumbs.map((t) => pgText(t.eventId)),
        thumbs.map((t) => pgText(t.deviceId)),
        thumbs.map((t) => JSON.stringify({ ...t, data: undefined })),
        thumbs.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)),
      ],
    );
  }

  /** Returns the windows it listed, to remember once the transaction commits. */
  private async writeSeries(client: pg.PoolClient, points: readonly SeriesPoint[]): Promise<string[]> {
    if (points.length === 0) return [];
    // A window reported twice keeps the later report, as one key holds one point.
    const latest = new Map<string, SeriesPoint>();
    for (const p of points) latest.set(JSON.stringify([p.deviceId, p.sensorId, p.metric, p.windowS, pgInt(p.startMs)]), p);
    const rows = [...latest.values()];
    const key = (p: SeriesPoint) => [pgText(p.deviceId), pgText(p.sensorId), pgText(p.metric), pgInt(p.windowS)] as const;
    await client.query({
      name: 'ioc-series-points',
      text: `INSERT INTO series_points (device_id, sensor_id, metric, window_s, start_ms, data)
         SELECT d, s, m, w, t, j.e FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[]) WITH ORDINALITY AS x(d, s, m, w, t, n)
           JOIN json_array_elements($6::json) WITH ORDINALITY AS j(e, n) USING (n)
       ON CONFLICT (device_id, sensor_id, metric, window_s, start_ms) DO UPDATE SET data = EXCLUDED.data`,
      values: [
        rows.map((p) => key(p)[0]),
        rows.map((p) => key(p)[1]),
        rows.map((p) => key(p)[2]),
        rows.map((p) => key(p)[3]),
        rows.map((p) => pgInt(p.startMs)),
        JSON.stringify(rows),
      ],
    });
    // Windows are listed once and never unlisted: one this process saw committed is skipped.
    const windows = new Map(rows.map((p) => [JSON.stringify(key(p)), key(p)]));
    for (const known of windows.keys()) if (this.listedWindows.has(known)) windows.delete(known);
    if (windows.size === 0) return [];
    const w = [...windows.values()];
    await client.query({
      name: 'ioc-series-windows',
      text: `INSERT INTO series_windows (device_id, sensor_id, metric, window_s)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) ON CONFLICT DO NOTHING`,
      values: [w.map((k) => k[0]), w.map((k) => k[1]), w.map((k) => k[2]), w.map((k) => k[3])],
    });
    return [...windows.keys()];
  }

  recordDrops(deviceId: string, ranges: readonly DropRangeRow[]): Promise<LaneAck[]> {
    // Seqs beyond 2^53 cannot be exact numbers (nor bigint beyond 2^63): such a range is garbage.
    const valid = ranges.filter((r) => Number.isSafeInteger(r.firstSeq) && Number.isSafeInteger(r.lastSeq) && r.firstSeq >= 1 && r.lastSeq >= r.firstSeq);
    if (valid.length < ranges.length) this.log.warn({ deviceId, ignored: ranges.length - valid.length }, 'drop ranges outside 1..2^53 ignored');
    if (valid.length === 0) return Promise.resolve([]);
    const device = pgText(deviceId);
    return inTransaction(this.db, async (client) => {
      await this.lockDevice(client, device);
      await insertDropRanges(client, device, valid);
      return advanceLanes(client, device, new Map(valid.map((r) => [r.lane, 0])));
    });
  }

  async laneStates(deviceId: string): Promise<LaneState[]> {
    try {
      return await readLaneStates(this.db, pgText(deviceId));
    } catch (err) {
      throw asStorageError(err);
    }
  }

  /** Serializes writers of one device across replicas until the transaction ends (id already pgText). */
  private async lockDevice(client: Queryable, deviceId: string): Promise<void> {
    await client.query({ name: 'ioc-lock-device', text: 'SELECT pg_advisory_xact_lock($1, hashtext($2))', values: [this.deviceLockClass, deviceId] });
  }

  // ---- events --------------------------------------------------------------------------------

  // An id from before camera ids carried the device (see migration 005) resolves to the row it named.
  async getEvent(id: string): Promise<EventRow | undefined> {
    const { rows } = await this.run<{ data: EventRow }>(
      isLegacyCameraId(id)
        ? "SELECT data FROM events WHERE id = (SELECT id FROM legacy_event_ids WHERE kind = 'event' AND legacy_id = $1)"
        : 'SELECT data FROM events WHERE id = $1',
      [pgText(id)],
    );
    return rows[0]?.data;
  }

  async getThumbnail(eventId: string): Promise<ThumbnailRow | undefined> {
    const { rows } = await this.run<{ event_id: string; meta: Omit<ThumbnailRow, 'data'>; data: Buffer }>(
      isLegacyCameraId(eventId)
        ? "SELECT event_id, meta, data FROM thumbnails WHERE event_id = (SELECT id FROM legacy_event_ids WHERE kind = 'thumbnail' AND legacy_id = $1)"
        : 'SELECT event_id, meta, data FROM thumbnails WHERE event_id = $1',
      [pgText(eventId)],
    );
    const r = rows[0];
    return r ? { ...r.meta, eventId: r.event_id, data: r.data } : undefined;
  }

  async queryEvents(q: EventQuery): Promise<EventPage> {
    const sql = eventPageSql(q);
    const { rows } = await this.run<{ data: EventRow }>(sql.text, sql.values);
    const items = rows.slice(0, q.limit).map((r) => r.data);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > q.limit && last ? encodeCursor({ timeMs: last.timeMs, id: last.id }) : null };
  }

  async querySeries(q: SeriesQuery): Promise<SeriesBucket[]> {
    const key = [pgText(q.deviceId), pgText(q.sensorId), pgText(q.metric)];
    const windows = await this.run<{ window_s: number }>('SELECT window_s FROM series_windows WHERE device_id = $1 AND sensor_id = $2 AND metric = $3', key);
    const windowS = chooseWindow(
      windows.rows.map((r) => r.window_s),
      q.stepS,
    );
    if (windowS === undefined) return [];
    const { rows } = await this.run<{ data: SeriesPoint }>(
      `SELECT data FROM series_points WHERE device_id = $1 AND sensor_id = $2 AND metric = $3 AND window_s = $4
         AND start_ms >= $5 AND start_ms < $6 ORDER BY start_ms`,
      [...key, windowS, pgInt(q.fromMs), pgInt(q.toMs)],
    );
    return rebucket(
      rows.map((r) => r.data),
      q.stepS,
    );
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private async run<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.db.query<R>(text, values);
    } catch (err) {
      throw asStorageError(err);
    }
  }
}
