// Per-lane bookkeeping in PostgreSQL: the contiguous seq (what the coordinator acknowledges),
// stored counts, drop ranges and drops not covered by received records. Same semantics as the
// embedded store: the contiguous seq moves over stored records and over reported drop ranges.
import type pg from 'pg';
import { LANES, type LaneName } from '../../../common/lanes.js';
import type { DropRangeRow, LaneState } from '../contract/types.js';
import { pgText } from './pool.js';

type Queryable = Pick<pg.PoolClient, 'query'>;

export interface LaneAck {
  lane: LaneName;
  seq: number;
}

/** Records the fresh count of each lane and moves its contiguous seq; call under the device lock. */
export async function advanceLanes(db: Queryable, deviceId: string, freshByLane: ReadonlyMap<LaneName, number>): Promise<LaneAck[]> {
  const lanes = [...freshByLane.keys()];
  if (lanes.length === 0) return [];
  const firstChunks = lanes.map((lane) => Math.max(64, freshByLane.get(lane)! + 1));
  // One round trip for every lane: where it stands, the drop ranges ahead of it and the first
  // stored seqs after it (usually all that the walk needs).
  const { rows } = await db.query<{ lane: LaneName; contiguous_seq: number; seqs: number[] | null; firsts: number[] | null; lasts: number[] | null }>({
    name: 'ioc-lane-positions',
    text: `SELECT l.lane, coalesce(s.contiguous_seq, 0) AS contiguous_seq, r.seqs, d.firsts, d.lasts
       FROM unnest($2::text[], $3::int[]) AS l(lane, chunk)
       LEFT JOIN lane_state s ON s.device_id = $1 AND s.lane = l.lane
       CROSS JOIN LATERAL (SELECT array_agg(seq ORDER BY seq) AS seqs FROM (
         SELECT seq FROM lane_records WHERE device_id = $1 AND lane = l.lane AND seq > coalesce(s.contiguous_seq, 0) ORDER BY seq LIMIT l.chunk) AS x) AS r
       CROSS JOIN LATERAL (SELECT array_agg(first_seq ORDER BY first_seq) AS firsts, array_agg(last_seq ORDER BY first_seq) AS lasts
         FROM drop_ranges WHERE device_id = $1 AND lane = l.lane AND last_seq > coalesce(s.contiguous_seq, 0)) AS d`,
    values: [deviceId, lanes, firstChunks],
  });
  const byLane = new Map(rows.map((r) => [r.lane, r]));
  const out: LaneAck[] = [];
  for (const [i, lane] of lanes.entries()) {
    const r = byLane.get(lane)!;
    const ranges = (r.firsts ?? []).map((first, j) => ({ first_seq: Number(first), last_seq: Number(r.lasts![j]) }));
    const seqs = (r.seqs ?? []).map(Number);
    const seq = await contiguousFrom(db, deviceId, lane, Number(r.contiguous_seq), ranges, seqs, firstChunks[i]!);
    out.push({ lane, seq });
  }
  await db.query({
    name: 'ioc-lane-state-upsert',
    text: `INSERT INTO lane_state (device_id, lane, contiguous_seq, stored_records)
       SELECT $1, l, c, n FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS x(l, c, n)
     ON CONFLICT (device_id, lane) DO UPDATE
       SET contiguous_seq = EXCLUDED.contiguous_seq, stored_records = lane_state.stored_records + EXCLUDED.stored_records`,
    values: [deviceId, out.map((a) => a.lane), out.map((a) => a.seq), out.map((a) => freshByLane.get(a.lane)!)],
  });
  return out;
}

/**
 * Walks from `start` over stored seqs and drop ranges until the first hole. `firstSeqs` are the
 * first stored seqs after `start` (at most `firstChunk` of them); more are read in growing
 * chunks only when the walk runs past them.
 */
async function contiguousFrom(
  db: Queryable,
  deviceId: string,
  lane: LaneName,
  start: number,
  ranges: readonly { first_seq: number; last_seq: number }[],
  firstSeqs: number[],
  firstChunk: number,
): Promise<number> {
  let c = start;
  let chunk = firstSeqs;
  let index = 0;
  let exhausted = firstSeqs.length < firstChunk;
  let fetchedUpTo = firstSeqs.at(-1) ?? start;
  let chunkSize = Math.min(firstChunk * 4, 100_000);
  const next = async (): Promise<number | undefined> => {
    if (index < chunk.length) return chunk[index++];
    if (exhausted) return undefined;
    const rows = await db.query<{ seq: number }>('SELECT seq FROM lane_records WHERE device_id = $1 AND lane = $2 AND seq > $3 ORDER BY seq LIMIT $4', [
      deviceId,
      lane,
      fetchedUpTo,
      chunkSize,
    ]);
    chunk = rows.rows.map((r) => Number(r.seq));
    index = 0;
    exhausted = chunk.length < chunkSize;
    chunkSize = Math.min(chunkSize * 4, 100_000);
    if (chunk.length === 0) return undefined;
    fetchedUpTo = chunk[chunk.length - 1]!;
    return chunk[index++];
  };
  let seq = await next();
  for (;;) {
    const range = ranges.find((r) => r.first_seq <= c + 1 && r.last_seq > c);
    if (range) {
      c = range.last_seq;
      continue;
    }
    while (seq !== undefined && seq <= c) seq = await next();
    if (seq !== undefined && seq === c + 1) {
      c++;
      seq = await next();
      continue;
    }
    return c;
  }
}

/** Records drop ranges; a range reported again keeps its first report (as the level store does). */
export async function insertDropRanges(db: Queryable, deviceId: string, ranges: readonly DropRangeRow[]): Promise<void> {
  const byKey = new Map<string, DropRangeRow>();
  for (const r of ranges) {
    const key = `${r.lane}:${r.firstSeq}:${r.lastSeq}`;
    if (!byKey.has(key)) byKey.set(key, r);
  }
  const rows = [...byKey.values()];
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO drop_ranges (device_id, lane, first_seq, last_seq, reason, data)
       SELECT $1, l, f, t, r, d::json FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[]) AS x(l, f, t, r, d)
     ON CONFLICT (device_id, lane, first_seq, last_seq) DO NOTHING`,
    [
      deviceId,
      rows.map((r) => r.lane),
      rows.map((r) => r.firstSeq),
      rows.map((r) => r.lastSeq),
      rows.map((r) => pgText(r.reason)),
      rows.map((r) => JSON.stringify(r)),
    ],
  );
}

export async function readLaneStates(db: Queryable, deviceId: string): Promise<LaneState[]> {
  const [meta, drops] = await Promise.all([
    db.query<{ lane: LaneName; contiguous_seq: number; stored_records: number }>(
      'SELECT lane, contiguous_seq, stored_records FROM lane_state WHERE device_id = $1',
      [deviceId],
    ),
    // Per range: its size minus the records of it that arrived after all (late, not lost).
    db.query<{ lane: LaneName; reason: string; dropped: number }>(
      `SELECT d.lane, d.reason,
              sum(d.last_seq - d.first_seq + 1 - (SELECT count(*) FROM lane_records r
                 WHERE r.device_id = d.device_id AND r.lane = d.lane AND r.seq BETWEEN d.first_seq AND d.last_seq))::bigint AS dropped
         FROM drop_ranges d WHERE d.device_id = $1 GROUP BY d.lane, d.reason`,
      [deviceId],
    ),
  ]);
  return LANES.map((lane) => {
    const m = meta.rows.find((r) => r.lane === lane);
    const dropped: Record<string, number> = {};
    for (const d of drops.rows.filter((r) => r.lane === lane)) dropped[d.reason] = d.dropped;
    return { lane, contiguousSeq: m?.contiguous_seq ?? 0, storedRecords: m?.stored_records ?? 0, dropped };
  });
}
