// Start-up of the outbox after anything, including a power cut mid-write: open (repairing or,
// as a last resort, quarantining a damaged database), then scan every lane, verify checksums,
// and turn whatever is missing or corrupt into counted drop ranges instead of a crash loop.
import { ClassicLevel } from 'classic-level';
import { rename } from 'node:fs/promises';
import { LANES, type LaneName } from '../../common/lanes.js';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { decodeStoredRecord, peekTimes } from './record-value.js';
import { laneRange, metaKey, seqFromRecordKey, DROP_REPORT_RANGE, DEAD_LETTER_RANGE, CLEAN_SHUTDOWN_KEY } from './keys.js';
import type { DropReason, DropRangeOut, DropReportOut, RecoveryReport } from './types.js';

type Db = ClassicLevel<string, Uint8Array>;
const ENC = { keyEncoding: 'utf8', valueEncoding: 'view' } as const;
const td = new TextDecoder();

export interface LaneMeta {
  nextSeq: number;
  ackedSeq: number;
  count: number;
  bytes: number;
  dropped: Record<DropReason, number>;
}

export function emptyLaneMeta(): LaneMeta {
  return { nextSeq: 1, ackedSeq: 0, count: 0, bytes: 0, dropped: { budget: 0, ttl: 0, dead_letter: 0, corrupt: 0, lost: 0 } };
}

export interface ScanResult {
  metas: Map<LaneName, LaneMeta>;
  dropReports: DropReportOut[];
  corruptRanges: DropRangeOut[];
  deadLetters: number;
}

export async function openWithRecovery(
  dir: string,
  log: Logger,
): Promise<{ db: Db; report: RecoveryReport; scan: ScanResult }> {
  let repaired = false;
  let quarantinedTo: string | undefined;
  for (let attempt = 0; ; attempt++) {
    const db = new ClassicLevel<string, Uint8Array>(dir, { ...ENC, createIfMissing: true });
    try {
      await db.open();
      const { scan, report } = await scanLanes(db, log);
      return { db, scan, report: { ...report, repaired, quarantinedTo } };
    } catch (err) {
      await db.close().catch(() => undefined);
      if (attempt === 0) {
        log.error({ err: errorMessage(err), dir }, 'outbox database damaged; trying LevelDB repair');
        await ClassicLevel.repair(dir).catch((e: unknown) => log.error({ err: errorMessage(e) }, 'repair failed'));
        repaired = true;
      } else if (attempt === 1) {
        quarantinedTo = `${dir}.corrupt-${Date.now()}`;
        log.fatal({ err: errorMessage(err), quarantinedTo }, 'outbox database unrecoverable; moved aside, starting empty');
        await rename(dir, quarantinedTo);
      } else {
        throw err;
      }
    }
  }
}

async function scanLanes(db: Db, log: Logger): Promise<{ scan: ScanResult; report: Omit<RecoveryReport, 'repaired' | 'quarantinedTo'> }> {
  const uncleanShutdown = (await db.get(CLEAN_SHUTDOWN_KEY)) === undefined;
  const dropReports: DropReportOut[] = [];
  const badReportKeys: string[] = [];
  for await (const [key, value] of db.iterator({ ...DROP_REPORT_RANGE, ...ENC })) {
    try {
      dropReports.push(JSON.parse(td.decode(value)) as DropReportOut);
    } catch {
      badReportKeys.push(key);
    }
  }
  const deadLettered = new Set<string>();
  for await (const key of db.keys({ ...DEAD_LETTER_RANGE, keyEncoding: 'utf8' })) {
    const [, lane, seqHex] = key.split(':');
    deadLettered.add(`${lane}:${parseInt(seqHex ?? '', 16)}`);
  }
  const covered = (lane: LaneName, seq: number) =>
    deadLettered.has(`${lane}:${seq}`) ||
    dropReports.some((r) => r.ranges.some((g) => g.lane === lane && g.firstSeq <= seq && seq <= g.lastSeq));

  const metas = new Map<LaneName, LaneMeta>();
  const corruptRanges: DropRangeOut[] = [];
  const deletes: string[] = [...badReportKeys];
  let corruptRecords = 0;
  let missingRecords = 0;
  let scannedRecords = 0;
  for (const lane of LANES) {
    const raw = await db.get(metaKey(lane), ENC);
    const stored = raw ? parseMeta(raw) : undefined;
    const meta = stored ?? emptyLaneMeta();
    let expected = meta.ackedSeq + 1;
    let firstSeq: number | undefined;
    let count = 0;
    let bytes = 0;
    let lastSeq = meta.ackedSeq;
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
      if (firstSeq === undefined && !stored) expected = seq; // meta lost: trust what is there
      firstSeq ??= seq;
      if (seq <= meta.ackedSeq) {
        deletes.push(key); // acknowledged but not yet deleted when the power went
        continue;
      }
      if (seq > expected) missing(expected, seq - 1);
      expected = seq + 1;
      lastSeq = seq;
      if (!decodeStoredRecord(value)) {
        deletes.push(key);
        corruptRecords++;
        addToRanges(corruptRanges, lane, seq, peekTimes(value)?.edgeTimeMs);
        continue;
      }
      count++;
      bytes += key.length + value.length;
    }
    const nextSeq = Math.max(meta.nextSeq, lastSeq + 1, meta.ackedSeq + 1);
    if (nextSeq - 1 >= expected) missing(expected, nextSeq - 1);
    const ackedSeq = stored || firstSeq === undefined ? meta.ackedSeq : firstSeq - 1;
    metas.set(lane, { ...meta, nextSeq, ackedSeq, count, bytes, dropped: { ...meta.dropped } });
    if (stored && (stored.count !== count || stored.bytes !== bytes)) {
      log.warn({ lane, meta: { count: stored.count, bytes: stored.bytes }, found: { count, bytes } }, 'outbox lane counters corrected by scan');
    }
  }
  for (const range of corruptRanges) metas.get(range.lane)!.dropped.corrupt += range.lastSeq - range.firstSeq + 1;
  if (deletes.length > 0) await db.batch(deletes.map((key) => ({ type: 'del' as const, key })), { sync: true });
  const deadLetters = deadLettered.size;
  if (corruptRecords + missingRecords > 0) {
    log.error({ corruptRecords, missingRecords, ranges: corruptRanges.length }, 'outbox scan found damaged records; counted as dropped (corrupt)');
  }
  return {
    scan: { metas, dropReports, corruptRanges, deadLetters },
    report: { corruptRecords, missingRecords, scannedRecords, uncleanShutdown },
  };
}

function parseMeta(raw: Uint8Array): LaneMeta | undefined {
  try {
    const m = JSON.parse(td.decode(raw)) as Partial<LaneMeta>;
    if (typeof m.nextSeq !== 'number' || typeof m.ackedSeq !== 'number') return undefined;
    return { ...emptyLaneMeta(), ...m, dropped: { ...emptyLaneMeta().dropped, ...m.dropped } } as LaneMeta;
  } catch {
    return undefined;
  }
}

function addToRanges(ranges: DropRangeOut[], lane: LaneName, seq: number, edgeTimeMs = 0): void {
  const last = ranges.at(-1);
  if (last && last.lane === lane && last.lastSeq + 1 === seq) {
    last.lastSeq = seq;
    if (edgeTimeMs) last.lastEdgeTimeMs = edgeTimeMs;
    return;
  }
  ranges.push({ lane, firstSeq: seq, lastSeq: seq, reason: 'corrupt', firstEdgeTimeMs: edgeTimeMs, lastEdgeTimeMs: edgeTimeMs });
}
