// Making room under the disk budget for a group being written: which stored or incoming records
// go (the order is budget.ts's), read oldest first from the lanes on disk.
import type { LaneName } from '../../common/lanes.js';
import { recordKey, laneRange, seqFromRecordKey } from './keys.js';
import { peekTimes } from './record-value.js';
import { plausibleTime } from './recovery.js';
import { planEviction, type EvictionCandidate } from './budget.js';
import { ENC } from './database.js';
import { isInFlight, mayHoldFrom } from './lanes.js';
import type { OutboxContext } from './context.js';

/** Victims freeing what `incoming` needs beyond `budgetBytes`; none when it fits. */
export async function chooseVictims(ctx: OutboxContext, incoming: readonly EvictionCandidate[], budgetBytes: number): Promise<EvictionCandidate[]> {
  const excess = ctx.lanes.totalBytes() + incoming.reduce((n, c) => n + c.size, 0) - budgetBytes;
  return excess > 0 ? planEviction(excess, (lane) => storedOldestFirst(ctx, lane), incoming) : [];
}

async function* storedOldestFirst(ctx: OutboxContext, lane: LaneName): AsyncIterable<EvictionCandidate> {
  const state = ctx.lanes.get(lane);
  if (!mayHoldFrom(state, state.scanFrom)) return;
  for await (const [key, value] of ctx.database.db.iterator({ gte: recordKey(lane, state.scanFrom), lt: laneRange(lane).lt, ...ENC })) {
    const seq = seqFromRecordKey(key);
    yield {
      lane,
      seq,
      size: key.length + value.length,
      edgeTimeMs: plausibleTime(peekTimes(value)?.edgeTimeMs),
      incoming: false,
      inFlight: isInFlight(state, seq),
    };
  }
}
