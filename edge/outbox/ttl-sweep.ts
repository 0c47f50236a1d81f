// Expiry: records older than their lane's TTL on the agent clock are dropped (and reported).
import { LANES, type LaneName } from '../../common/lanes.js';
import { recordKey, laneRange, seqFromRecordKey } from './keys.js';
import { peekTimes } from './record-value.js';
import { plausibleTime } from './recovery.js';
import { toRanges } from './budget.js';
import { ENC, type BatchOp } from './database.js';
import { isInFlight, mayHoldFrom } from './lanes.js';
import type { OutboxContext } from './context.js';

/**
 * Drops records older than their lane's TTL, at most `maxPerLane` looked at per lane. Records in
 * flight are left to their ack (their fate is not ours to count yet). Returns how many were dropped.
 */
export async function sweepExpired(ctx: OutboxContext, maxPerLane: number): Promise<number> {
  const now = ctx.options.agentNow();
  const expired: { lane: LaneName; seq: number; edgeTimeMs: number; size: number }[] = [];
  for (const lane of LANES) {
    const state = ctx.lanes.get(lane);
    const ttl = ctx.options.ttlMs[lane];
    if (!mayHoldFrom(state, state.scanFrom)) continue;
    for await (const [key, value] of ctx.database.db.iterator({ gte: recordKey(lane, state.scanFrom), lt: laneRange(lane).lt, limit: maxPerLane, ...ENC })) {
      const seq = seqFromRecordKey(key);
      const times = peekTimes(value);
      if (!times || isInFlight(state, seq)) continue; // corrupt ones are dropped when read
      if (now - times.agentMs <= ttl) break;
      expired.push({ lane, seq, edgeTimeMs: plausibleTime(times.edgeTimeMs), size: key.length + value.length });
    }
  }
  if (expired.length === 0) return 0;
  const ops: BatchOp[] = [];
  const drop = ctx.ledger.stage('ttl', toRanges(expired), expired, ops);
  await ctx.database.write(ops);
  drop.counted();
  for (const lane of drop.lanes) await ctx.lanes.refreshHead(ctx.database.db, lane);
  ctx.publishGauges();
  ctx.log.warn({ expired: expired.length }, 'records expired before delivery (TTL)');
  return expired.length;
}
