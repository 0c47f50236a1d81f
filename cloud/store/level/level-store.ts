// Embedded coordinator store on LevelDB (classic-level): one process, one directory, no server.
// Every ingest is one atomic, fsync'd batch, so an ack always follows a durable write.
import { ClassicLevel } from 'classic-level';
import { LANES, type LaneName } from '../../../common/lanes.js';
import { StorageError, errorMessage } from '../../../common/errors.js';
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
import { chooseWindow, rebucket } from '../series.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { matchesQuery } from '../event-filter.js';
import * as K from './keys.js';
import { EMPTY, decodeThumbnail, encodeThumbnail, encodeJson as json, decodeJson as parse, type LevelOp as Op } from './codec.js';
import { KeyedLock, writeBatch } from './level-records.js';
import { definedOnly, mergeEvent } from '../row-merge.js';
import { upgradeLayout } from './upgrade.js';
import { newestFirst } from './index-merge.js';
import { LaneMemories, applyStep, inDropRange, laneMetaOp, nextContiguous, type LaneMemory, type LaneMeta, type LaneStep } from './lane-memory.js';
import { journalRecords, type JournalEntry } from '../contract/journal.js';
import { LevelJournal } from './level-journal.js';

// A 32 MB memtable (LevelDB's default is 4 MB) makes a fifth as many level-0 files under ingest,
// so less compaction competes with the writer for the machine's cores.
const OPTIONS = { keyEncoding: 'utf8', valueEncoding: 'view', writeBufferSize: 32 * 1024 * 1024 } as const;

export class LevelStore implements CoordinatorStore {
  readonly kind = 'level' as const;
  private readonly db: ClassicLevel<string, Uint8Array>;
  private readonly locks = new KeyedLock();
  private readonly dropCache = new Map<string, DropRangeRow[]>();
  private readonly recordJournal: LevelJournal;
  private readonly laneMemories: LaneMemories;
  /** Series windows known to be listed (sw! keys), so each is written once per process. */
  private readonly listedWindows = new Set<string>();

  constructor(dir: string) {
    this.db = new ClassicLevel<string, Uint8Array>(dir, OPTIONS);
    this.recordJournal = new LevelJournal(this.db);
    this.laneMemories = new LaneMemories(this.db);
  }

  /**
   * The database handle, for feature stores (triage, webhooks…) that keep their own key ranges
   * in the same LevelDB: one directory, one atomic writer per key range.
   */
  get database(): ClassicLevel<string, Uint8Array> {
    return this.db;
  }

  /** The journal's writer, for feature stores that journal inside their own atomic batches. */
  get journal(): LevelJournal {
    return this.recordJournal;
  }

  async open(): Promise<void> {
    try {
      await this.db.open();
    } catch (err) {
      throw new StorageError(`cannot open the level store: ${errorMessage(err)}`, err);
    }
    await upgradeLayout(this.db, (ops) => this.write(ops));
    await this.recordJournal.open();
  }

  async close(): Promise<void> {
    await this.locks.idle();
    await this.db.close();
  }

  // ---- record journal (cloud/store/contract/journal.ts) -------------------------------------------

  enableJournal(): void {
    this.recordJournal.enabled = true;
  }

  readJournal(limit: number): Promise<JournalEntry[]> {
    return this.recordJournal.read(limit);
  }

  async removeJournal(ids: readonly string[]): Promise<void> {
    await this.recordJournal.remove(ids);
  }

  // ---- devices -------------------------------------------------------------------------------

  async putDevice(device: DeviceRow): Promise<void> {
    await this.write([{ type: 'put', key: K.device(device.id), value: json(device) }]);
  }

  async getDevice(id: string): Promise<DeviceRow | undefined> {
    return parse<DeviceRow>(await this.db.get(K.device(id)));
  }

  async listDevices(): Promise<DeviceRow[]> {
    const out: DeviceRow[] = [];
    for await (const value of this.db.values(K.DEVICE_RANGE)) out.push(parse<DeviceRow>(value)!);
    return out;
  }

  async updateDeviceStatus(id: string, patch: Partial<DeviceRow>): Promise<void> {
    await this.locked(`device:${id}`, async () => {
      const device = await this.getDevice(id);
      if (!device) return;
      // Status is refreshed on every heartbeat: not worth an fsync each time.
      await this.db.put(K.device(id), json({ ...device, ...definedOnly(patch) }));
    });
  }

  // ---- ingest --------------------------------------------------------------------------------

  ingest(deviceId: string, items: readonly IngestItem[]): Promise<IngestResult> {
    return this.locked(`ingest:${deviceId}`, () => this.ingestLocked(deviceId, items));
  }

  private async ingestLocked(deviceId: string, given: readonly IngestItem[]): Promise<IngestResult> {
    const items = given.map((item) => ownPart(deviceId, item));
    const drops = await this.drops(deviceId);
    const memories = new Map<LaneName, LaneMemory>();
    for (const item of items) if (!memories.has(item.lane)) memories.set(item.lane, await this.laneMemories.get(deviceId, item.lane));
    // At or below the contiguous seq every seq was stored, except inside a drop range (it may
    // arrive late): only those ask the store.
    const doubtful = new Set(items.filter((i) => i.seq <= memories.get(i.lane)!.contiguousSeq && inDropRange(drops, i.lane, i.seq)));
    const doubtfulSeen = new Set<IngestItem>();
    if (doubtful.size > 0) {
      const list = [...doubtful];
      const seen = await this.db.hasMany(list.map((i) => K.seen(deviceId, i.lane, i.seq)));
      list.forEach((item, i) => {
        if (seen[i]) doubtfulSeen.add(item);
      });
    }
    const freshSeqs = new Map<LaneName, Set<number>>([...memories.keys()].map((lane) => [lane, new Set<number>()]));
    const isNew = (item: IngestItem): boolean => {
      const memory = memories.get(item.lane)!;
      if (freshSeqs.get(item.lane)!.has(item.seq)) return false; // twice in this batch
      if (item.seq > memory.contiguousSeq) return !memory.above.has(item.seq);
      return doubtful.has(item) && !doubtfulSeen.has(item);
    };
    const ops: Op[] = [];
    const events = new Map<string, EventRow>(); // rows changed by this batch
    const thumbs = new Set<string>();
    const earlier = await this.earlierState(deviceId, items);
    const stored: IngestItem[] = [];
    for (const item of items) {
      if (!isNew(item)) continue;
      freshSeqs.get(item.lane)!.add(item.seq);
      stored.push(item);
      ops.push({ type: 'put', key: K.seen(deviceId, item.lane, item.seq), value: EMPTY });
      if (item.thumbnail) {
        ops.push({ type: 'put', key: K.thumbnail(item.thumbnail.eventId), value: encodeThumbnail(item.thumbnail) });
        thumbs.add(item.thumbnail.eventId);
        const row = events.get(item.thumbnail.eventId) ?? earlier.rows.get(item.thumbnail.eventId);
        if (row) events.set(row.id, { ...row, hasThumbnail: true });
      }
      if (item.event) {
        // Rows named by their seq skip the lookups (see earlierState).
        const ownRow = hasSeqRowId(deviceId, item);
        const previous = ownRow ? undefined : (events.get(item.event.id) ?? earlier.rows.get(item.event.id));
        const merged = previous ? mergeEvent(previous, item.event) : item.event;
        if (!previous) {
          merged.hasThumbnail = !ownRow && (thumbs.has(merged.id) || earlier.thumbnails.has(merged.id));
          for (const key of K.eventIndexKeys(merged)) ops.push({ type: 'put', key, value: EMPTY });
        }
        events.set(merged.id, merged);
        if (merged !== item.event) stored[stored.length - 1] = { ...item, event: merged };
      }
      if (item.series) this.pushSeriesOps(ops, item.series);
    }
    for (const row of events.values()) ops.push({ type: 'put', key: K.event(row.id), value: json(row) });
    // The lane counters go in the same atomic write as the records: a crash between two writes
    // would leave records counted as seen but never counted as stored.
    const steps = [...memories].map(([lane, memory]): LaneStep => {
      const fresh = freshSeqs.get(lane)!;
      return { lane, memory, fresh, contiguousSeq: nextContiguous(memory, lane, fresh, drops) };
    });
    for (const step of steps) ops.push(laneMetaOp(deviceId, step));
    if (stored.length > 0) ops.push(...this.recordJournal.ops(journalRecords(deviceId, stored)));
    await this.write(ops);
    for (const step of steps) applyStep(step);
    this.commitSeriesWindows(stored);
    return { acked: steps.map((s) => ({ lane: s.lane, seq: s.contiguousSeq })), stored };
  }

  /**
   * The point, and its window's listing once per process: the listing is a put of the same
   * empty key for every point otherwise.
   */
  private pushSeriesOps(ops: Op[], p: SeriesPoint): void {
    ops.push({ type: 'put', key: K.series(p.deviceId, p.sensorId, p.metric, p.windowS, p.startMs), value: json(p) });
    const window = K.seriesWindow(p.deviceId, p.sensorId, p.metric, p.windowS);
    if (!this.listedWindows.has(window)) ops.push({ type: 'put', key: window, value: EMPTY });
  }

  /** Remembers the windows a durable write listed. */
  private commitSeriesWindows(stored: readonly IngestItem[]): void {
    for (const { series: p } of stored) if (p) this.listedWindows.add(K.seriesWindow(p.deviceId, p.sensorId, p.metric, p.windowS));
  }

  recordDrops(deviceId: string, ranges: readonly DropRangeRow[]): Promise<{ lane: LaneName; seq: number }[]> {
    return this.locked(`ingest:${deviceId}`, async () => {
      const known = await this.drops(deviceId);
      const isNew = (r: DropRangeRow) => !known.some((k) => k.lane === r.lane && k.firstSeq === r.firstSeq && k.lastSeq === r.lastSeq);
      const fresh = ranges.filter(isNew);
      const ops: Op[] = fresh.map((r) => ({ type: 'put', key: K.drop(deviceId, r.lane, r.firstSeq, r.lastSeq), value: json(r) }));
      const all = [...known, ...fresh];
      const steps: LaneStep[] = [];
      for (const lane of new Set(ranges.map((r) => r.lane))) {
        const memory = await this.laneMemories.get(deviceId, lane);
        steps.push({ lane, memory, fresh: new Set(), contiguousSeq: nextContiguous(memory, lane, new Set(), all) });
      }
      for (const step of steps) ops.push(laneMetaOp(deviceId, step));
      await this.write(ops);
      for (const step of steps) applyStep(step);
      this.dropCache.delete(deviceId);
      return steps.map((s) => ({ lane: s.lane, seq: s.contiguousSeq }));
    });
  }

  private async laneMeta(deviceId: string, lane: LaneName): Promise<LaneMeta> {
    return parse<LaneMeta>(await this.db.get(K.lane(deviceId, lane))) ?? { contiguousSeq: 0, storedRecords: 0 };
  }

  private async drops(deviceId: string): Promise<DropRangeRow[]> {
    const cached = this.dropCache.get(deviceId);
    if (cached) return cached;
    const ranges: DropRangeRow[] = [];
    for await (const value of this.db.values(K.dropRange(deviceId))) ranges.push(parse<DropRangeRow>(value)!);
    this.dropCache.set(deviceId, ranges);
    return ranges;
  }

  async laneStates(deviceId: string): Promise<LaneState[]> {
    const drops = await this.drops(deviceId);
    const out: LaneState[] = [];
    for (const lane of LANES) {
      const meta = await this.laneMeta(deviceId, lane);
      const dropped: Record<string, number> = {};
      for (const r of drops.filter((d) => d.lane === lane)) {
        let received = 0;
        for await (const _ of this.db.keys({ gte: K.seen(deviceId, lane, r.firstSeq), lte: K.seen(deviceId, lane, r.lastSeq) })) received++;
        dropped[r.reason] = (dropped[r.reason] ?? 0) + (r.lastSeq - r.firstSeq + 1 - received);
      }
      out.push({ lane, contiguousSeq: meta.contiguousSeq, storedRecords: meta.storedRecords, dropped });
    }
    return out;
  }

  /**
   * What is already stored for the rows a batch may change (camera events by their edge event
   * id, thumbnails' events) and which of them have a thumbnail: two reads for the whole batch
   * instead of up to two per record. Rows named by their seq are new with it and need neither
   * (skipping them roughly triples backlog ingest).
   */
  private async earlierState(deviceId: string, items: readonly IngestItem[]): Promise<{ rows: Map<string, EventRow>; thumbnails: Set<string> }> {
    const ids = new Set<string>();
    const cameraIds = new Set<string>();
    for (const item of items) {
      if (item.thumbnail) ids.add(item.thumbnail.eventId);
      if (item.event && !hasSeqRowId(deviceId, item)) {
        ids.add(item.event.id);
        cameraIds.add(item.event.id);
      }
    }
    const rows = new Map<string, EventRow>();
    const thumbnails = new Set<string>();
    if (ids.size === 0) return { rows, thumbnails };
    const idList = [...ids];
    const cameraList = [...cameraIds];
    const [rowValues, thumbValues] = await Promise.all([this.db.getMany(idList.map(K.event)), this.db.hasMany(cameraList.map(K.thumbnail))]);
    idList.forEach((id, i) => {
      const row = parse<EventRow>(rowValues[i]);
      if (row) rows.set(id, row);
    });
    cameraList.forEach((id, i) => {
      if (thumbValues[i]) thumbnails.add(id);
    });
    return { rows, thumbnails };
  }

  // ---- events --------------------------------------------------------------------------------

  async getEvent(id: string): Promise<EventRow | undefined> {
    const row = parse<EventRow>(await this.db.get(K.event(id)));
    if (row || !isLegacyCameraId(id)) return row;
    const current = parse<string>(await this.db.get(K.legacyEvent(id)));
    return current === undefined ? undefined : parse<EventRow>(await this.db.get(K.event(current)));
  }

  async getThumbnail(eventId: string): Promise<ThumbnailRow | undefined> {
    let raw = await this.db.get(K.thumbnail(eventId));
    if (!raw && isLegacyCameraId(eventId)) {
      const current = parse<string>(await this.db.get(K.legacyThumbnail(eventId)));
      if (current !== undefined) raw = await this.db.get(K.thumbnail(current));
    }
    return raw ? decodeThumbnail(raw) : undefined;
  }

  async queryEvents(q: EventQuery): Promise<EventPage> {
    const cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
    const upperSuffix = cursor ? `${K.ts(cursor.timeMs)}!${cursor.id}` : q.untilMs !== undefined ? K.ts(q.untilMs) : '~';
    const lowerSuffix = q.sinceMs !== undefined ? K.ts(q.sinceMs) : '';
    const items: EventRow[] = [];
    let chunk: string[] = [];
    // Read just a page's worth first; grow only when filters reject rows.
    let chunkSize = Math.min(256, q.limit + 1);
    const flush = async (): Promise<boolean> => {
      const rows = await this.db.getMany(chunk.map((suffix) => K.event(K.idOfIndexKey(suffix))));
      chunk = [];
      for (const raw of rows) {
        const row = parse<EventRow>(raw);
        if (row && matchesQuery(row, q)) items.push(row);
        if (items.length >= q.limit + 1) return true;
      }
      return false;
    };
    for await (const suffix of newestFirst(this.db, K.indexPlan(q), { upperSuffix, lowerSuffix })) {
      chunk.push(suffix);
      if (chunk.length >= chunkSize) {
        if (await flush()) break;
        chunkSize = Math.min(256, chunkSize * 2);
      }
    }
    if (chunk.length > 0 && items.length < q.limit + 1) await flush();
    const page = items.slice(0, q.limit);
    const last = page.at(-1);
    return { items: page, nextCursor: items.length > q.limit && last ? encodeCursor({ timeMs: last.timeMs, id: last.id }) : null };
  }

  async querySeries(q: SeriesQuery): Promise<SeriesBucket[]> {
    // all() reads in native batches (nextv); a for-await step per window cost a promise each,
    // the largest share of a SensorThings Observations request (bench/sensorthings-load.ts).
    const windows = (await this.db.keys(K.seriesWindowRange(q.deviceId, q.sensorId, q.metric)).all()).map(K.windowOf);
    const windowS = chooseWindow(windows, q.stepS);
    if (windowS === undefined) return [];
    const range = K.seriesRange(q.deviceId, q.sensorId, q.metric, windowS, q.fromMs, q.toMs);
    const points = (await this.db.values(range).all()).map((value) => parse<SeriesPoint>(value)!);
    return rebucket(points, q.stepS);
  }

  async listSeries(): Promise<SeriesKey[]> {
    return (await this.db.keys(K.SERIES_WINDOW_RANGE).all()).map(K.seriesKeyOf);
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private write(ops: Op[]): Promise<void> {
    return writeBatch(this.db, ops);
  }

  private locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(key, fn);
  }
}
