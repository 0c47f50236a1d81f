// Start-up of the outbox after anything, including a power cut mid-write: check LevelDB's logs
// for torn or corrupt tails, open (repairing or, as a last resort, quarantining a damaged
// database), then scan every lane, verify checksums, and turn whatever is missing or corrupt
// into counted drop ranges instead of a crash loop.
import { ClassicLevel } from 'classic-level';
import { rename, rm } from 'node:fs/promises';
import { LANES, type LaneName } from '../../common/lanes.js';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { decodeStoredRecord, peekTimes } from './record-value.js';
import { laneRange, metaKey, seqFromRecordKey, DROP_REPORT_RANGE, DEAD_LETTER_RANGE, CLEAN_SHUTDOWN_KEY } from './keys.js';
import { EdgeTimeIndex } from './edge-time-index.js';
import { inspectWal } from './wal-check.js';
import type { SeqFloor } from './seq-floor.js';
import type { DropReason, DropRangeOut, DropReportOut, RecoveryReport } from './types.js';
import { decodeJson, writeLevelBatch } from '../../common/level-batch.js';

type Db = ClassicLevel<string, Uint8Array>;
const ENC = { keyEncoding: 'utf8', valueEncoding: 'view' } as const;

export interface LaneMeta {
  nextSeq: number;
  ackedSeq: number;
  /** Highest seq ever handed to the uplink: records up to it may be at the coordinator. */
  sentHighSeq: number;
  count: number;
  bytes: number;
  dropped: Record<DropReason, number>;
}

export function emptyLaneMeta(): LaneMeta {
  return { nextSeq: 1, ackedSeq: 0, sentHighSeq: 0, count: 0, bytes: 0, dropped: { budget: 0, ttl: 0, dead_letter: 0, corrupt: 0, lost: 0 } };
}

export interface ScannedLane {
  meta: LaneMeta;
  headSeq: number | undefined;
  edgeTimes: EdgeTimeIndex;
}

export interface ScanResult {
  lanes: Map<LaneName, ScannedLane>;
  dropReports: DropReportOut[];
  /** Records found corrupt or missing; the outbox's drop ledger counts them at open. */
  corruptRanges: DropRangeOut[];
  deadLetters: number;
}

export async function openWithRecovery(dir: string, log: Logger, floor: SeqFloor): Promise<{ db: Db; report: RecoveryReport; scan: ScanResult }> {
  const wal = inspectWal(dir);
  if (wal.tailBytes > 0 || wal.corruptRecords > 0) {
    log.error({ dir, tailBytes: wal.tailBytes, corruptRecords: wal.corruptRecords }, 'outbox log has a torn or corrupt tail; LevelDB will discard it');
  }
  let repaired = false;
  let quarantinedTo: string | undefined;
  for (let attempt = 0; ; attempt++) {
    const db = new ClassicLevel<string, Uint8Array>(dir, { ...ENC, createIfMissing: true });
    try {
      await db.open();
      const { scan, report } = await scanLanes(db, log, floor);
      return { db, scan, report: { ...report, repaired, quarantinedTo, walTailBytes: wal.tailBytes, walCorruptRecords: wal.corruptRecords } };
    } catch (err) {
      await db.close().catch(() => undefined);
      // A full or read-only disk is not damage: repairing or quarantining would destroy good
      // records. The caller waits for the disk and tries again.
      if (isTransientStorageError(err)) throw err;
      if (attempt === 0) {
        log.error({ err: errorMessage(err), dir }, 'outbox database damaged; trying LevelDB repair');
        await ClassicLevel.repair(dir).catch((e: unknown) => log.error({ err: errorMessage(e) }, 'repair failed'));
        repaired = true;
      } else if (attempt === 1) {
        quarantinedTo = `${dir}.corrupt-${Date.now()}`;
        log.fatal({ err: errorMessage(err), quarantinedTo }, 'outbox database unrecoverable; moved aside, starting empty');
        await rename(dir, quarantinedTo).catch(async (e: unknown) => {
          log.fatal({ err: errorMessage(e) }, 'cannot move the damaged outbox aside; deleting it');
          quarantinedTo = undefined;
          await rm(dir, { recursive: true, force: true });
        });
      } else {
        throw err;
      }
    }
  }
}

async function scanLanes(
  db: Db,
  log: Logger,
  floor: SeqFloor,
): Promise<{ scan: ScanResult; report: Omit<RecoveryReport, 'repaired' | 'quarantinedTo' | 'walTailBytes' | 'walCorruptRecords'> }> {
  const uncleanShutdown = (await db.get(CLEAN_SHUTDOWN_KEY)) === undefined;
  const dropReports: DropReportOut[] = [];
  const badReportKeys: string[] = [];
  for await (const [key, value] of db.iterator({ ...DROP_REPORT_RANGE, ...ENC })) {
    const report = parseReport(value);
    if (report) dropReports.push(report);
    else badReportKeys.push(key);
  }
  const deadLettered = new Set<string>();
  for await (const key of db.keys({ ...DEAD_LETTER_RANGE, keyEncoding: 'utf8' })) {
    const [, lane, seqHex] = key.split(':');
    deadLettered.add(`${lane}:${parseInt(seqHex ?? '', 16)}`);
  }
  const reported = new Map<LaneName, { firstSeq: number; lastSeq: number }[]>();
  for (const range of dropReports.flatMap((r) => r.ranges)) reported.set(range.lane, [...(reported.get(range.lane) ?? []), range]);
  const covered = (lane: LaneName, seq: number) =>
    deadLettered.has(`${lane}:${seq}`) || (reported.get(lane) ?? []).some((g) => g.firstSeq <= seq && seq <= g.lastSeq);

  const lanes = new Map<LaneName, ScannedLane>();
  const corruptRanges: DropRangeOut[] = [];
  const deletes: string[] = [...badReportKeys];
  let corruptRecords = 0;
  let missingRecords = 0;
  let scannedRecords = 0;
  for (const lane of LANES) {
    const raw = await db.get(metaKey(lane), ENC);
    const stored = raw ? parseMeta(raw) : undefined;
    const meta = stored ?? emptyLaneMeta();
    if (!stored && floor.floor(lane) > 0) {
      // The database lost this lane's history: everything up to the reserved floor is either at
      // the coordinator or gone. Starting above it keeps new records from passing for duplicates;
      // reconcile reports whatever the coordinator lacks below it as lost. Records still found
      // below the floor are kept (see below) and the unknown rest counted as corrupt.
      meta.ackedSeq = floor.floor(lane);
      meta.nextSeq = floor.floor(lane) + 1;
      log.error({ lane, floor: meta.ackedSeq }, 'outbox lane had no meta; sequence numbers resume above the reserved floor');
    }
    let expected = meta.ackedSeq + 1;
    let headSeq: number | undefined;
    let count = 0;
    let bytes = 0;
    let lastSeq = meta.ackedSeq;
    let first = true;
    const edgeTimes = new EdgeTimeIndex();
    const missing = (from: number, to: number) => {
      for (let s = from; s <= to; s++) {
        if (covered(lane, s)) continue;
        addToRanges(corruptRanges, lane, s);
        missingRecords++;
      }
    };
    for await (const [key, value] of db.iterator({ ...laneRange(lane), ...ENC })) {
      scannedRecords++;
      const seq = seqFromRecordKey(key);
      if (first && !stored) {
        // Meta lost but records remain: trust what is there (the ones before were acknowledged).
        meta.ackedSeq = seq - 1;
        expected = seq;
        lastSeq = seq - 1;
      }
      first = false;
      if (seq <= meta.ackedSeq) {
        deletes.push(key); // acknowledged but not yet deleted when the power went
        continue;
      }
      if (seq > expected) missing(expected, seq - 1);
      expected = seq + 1;
      lastSeq = seq;
      const record = decodeStoredRecord(value);
      if (!record) {
        deletes.push(key);
        corruptRecords++;
        addToRanges(corruptRanges, lane, seq, plausibleTime(peekTimes(value)?.edgeTimeMs));
        continue;
      }
      headSeq ??= seq;
      edgeTimes.add(seq, record.edgeTimeMs);
      count++;
      bytes += key.length + value.length;
    }
    const nextSeq = Math.max(meta.nextSeq, lastSeq + 1, meta.ackedSeq + 1);
    if (nextSeq - 1 >= expected) missing(expected, nextSeq - 1);
    lanes.set(lane, { meta: { ...meta, nextSeq, count, bytes, dropped: { ...meta.dropped } }, headSeq, edgeTimes });
    if (stored && (stored.count !== count || stored.bytes !== bytes)) {
      log.warn({ lane, meta: { count: stored.count, bytes: stored.bytes }, found: { count, bytes } }, 'outbox lane counters corrected by scan');
    }
  }
  await writeLevelBatch(
    db,
    deletes.map((key) => ({ type: 'del' as const, key })),
  );
  const deadLetters = deadLettered.size;
  if (corruptRecords + missingRecords > 0) {
    log.error({ corruptRecords, missingRecords, ranges: corruptRanges.length }, 'outbox scan found damaged records; counted as dropped (corrupt)');
  }
  return {
    scan: { lanes, dropReports, corruptRanges, deadLetters },
    report: { corruptRecords, missingRecords, scannedRecords, uncleanShutdown },
  };
}

function parseMeta(raw: Uint8Array): LaneMeta | undefined {
  try {
    const m = decodeJson<Partial<LaneMeta>>(raw);
    if (typeof m.nextSeq !== 'number' || typeof m.ackedSeq !== 'number') return undefined;
    const empty = emptyLaneMeta();
    return { ...empty, ...m, sentHighSeq: m.sentHighSeq ?? m.ackedSeq, dropped: { ...empty.dropped, ...m.dropped } } as LaneMeta;
  } catch {
    return undefined;
  }
}

function parseReport(raw: Uint8Array): DropReportOut | undefined {
  try {
    const r = decodeJson<DropReportOut>(raw);
    return typeof r.id === 'number' && Array.isArray(r.ranges) ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Disk full, read-only, locked by another process: conditions that pass, not damage. */
export function isTransientStorageError(err: unknown): boolean {
  for (let e = err as { code?: string; message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === 'LEVEL_LOCKED' || e.code === 'ENOSPC' || e.code === 'EROFS' || e.code === 'EMFILE') return true;
    if (/No space left on device|Read-only file system|Too many open files|lock .*(held|unavailable)/i.test(e.message ?? '')) return true;
  }
  return false;
}

/** A corrupt header can hold any double: keep only a believable wall time, else 0 (unknown). */
export function plausibleTime(ms: number | undefined): number {
  return ms !== undefined && Number.isFinite(ms) && ms > 0 && ms < 8.64e15 ? Math.round(ms) : 0;
}

function addToRanges(ranges: DropRangeOut[], lane: LaneName, seq: number, edgeTimeMs = 0): void {
  const last = ranges.at(-1);
  if (last && last.lane === lane && last.lastSeq + 1 === seq) {
    last.lastSeq = seq;
    last.lastEdgeTimeMs = edgeTimeMs;
    // Unknown times make the range's time unknown: "complete before" must not skip over it.
    last.minEdgeTimeMs = edgeTimeMs ? Math.min(last.minEdgeTimeMs ?? edgeTimeMs, edgeTimeMs) : 0;
    return;
  }
  ranges.push({ lane, firstSeq: seq, lastSeq: seq, reason: 'corrupt', firstEdgeTimeMs: edgeTimeMs, lastEdgeTimeMs: edgeTimeMs, minEdgeTimeMs: edgeTimeMs });
}
