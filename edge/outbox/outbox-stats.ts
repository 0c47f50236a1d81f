// What the outbox says about itself: stats for edgectl and the heartbeat, its health, and the
// lane gauges.
import { LANES, type LaneName } from '../../common/lanes.js';
import type { LaneState } from './lanes.js';
import type { OutboxContext } from './context.js';
import type { LaneStatsOut, OutboxStats } from './types.js';

/** Edge times of appends of a lane not yet durable. */
export type UnwrittenEdgeTimes = (lane: LaneName, now: number) => number[];

export function outboxStats(ctx: OutboxContext, deadLetters: number, unwritten: UnwrittenEdgeTimes): OutboxStats {
  const agentNow = ctx.options.agentNow();
  const lanes: LaneStatsOut[] = LANES.map((lane) => {
    const s = ctx.lanes.get(lane);
    return {
      lane,
      records: s.count,
      bytes: s.bytes,
      nextSeq: s.nextSeq,
      ackedSeq: s.ackedSeq,
      oldestAgeMs: s.head ? Math.max(0, agentNow - s.head.agentMs) : 0,
      dropped: { ...s.dropped },
      inFlight: Math.max(0, Math.min(s.sentHighSeq, s.nextSeq - 1) - s.ackedSeq),
      completeBeforeMs: completeBefore(ctx, s, unwritten),
    };
  });
  return {
    lanes,
    records: lanes.reduce((n, l) => n + l.records, 0),
    bytes: lanes.reduce((n, l) => n + l.bytes, 0),
    oldestAgeMs: Math.max(0, ...lanes.map((l) => l.oldestAgeMs)),
    budgetBytes: ctx.options.diskBudgetBytes,
    effectiveBudgetBytes: ctx.budgetBytes(),
    deadLetters,
    pendingDropReports: ctx.ledger.reports.size,
    stalled: ctx.database.stalled !== undefined,
    writeErrors: ctx.database.writeErrors,
  };
}

/**
 * The earliest edge time still unsettled in the lane: records in the outbox, appends not yet
 * durable, and drop ranges the coordinator has not acknowledged (unknown time: 0).
 */
function completeBefore(ctx: OutboxContext, s: LaneState, unwritten: UnwrittenEdgeTimes): number {
  const now = ctx.wallNow();
  let t = now - (ctx.options.productionLagMs ?? 5_000);
  const stored = s.edgeTimes.min();
  if (stored !== undefined) t = Math.min(t, stored);
  for (const edgeTimeMs of unwritten(s.lane, now)) t = Math.min(t, edgeTimeMs);
  const dropped = ctx.ledger.reports.earliestEdgeTime(s.lane);
  if (dropped !== undefined) t = Math.min(t, dropped);
  return Math.max(0, t);
}

/** Down while writes are refused, degraded while the disk sets the budget. */
export function outboxHealth(ctx: OutboxContext): { name: string; state: 'ok' | 'degraded' | 'down'; detail: string; restarts: number; lastSeenMs: number } {
  const budget = ctx.budgetBytes();
  const configured = ctx.options.diskBudgetBytes;
  const { stalled, writeErrors } = ctx.database;
  if (stalled) return { name: 'outbox', state: 'down', detail: `cannot write: ${stalled}`, restarts: writeErrors, lastSeenMs: 0 };
  if (budget < configured)
    return {
      name: 'outbox',
      state: 'degraded',
      detail: `disk short of space: budget ${budget} of ${configured} bytes`,
      restarts: writeErrors,
      lastSeenMs: ctx.wallNow(),
    };
  return { name: 'outbox', state: 'ok', detail: `${ctx.lanes.totalBytes()} of ${budget} bytes`, restarts: writeErrors, lastSeenMs: ctx.wallNow() };
}

export function publishLaneGauges(ctx: OutboxContext): void {
  const m = ctx.options.metrics;
  if (!m) return;
  const agentNow = ctx.options.agentNow();
  for (const s of ctx.lanes.all()) {
    m.outboxRecords.set({ lane: s.lane }, s.count);
    m.outboxBytes.set({ lane: s.lane }, s.bytes);
    m.outboxOldestAge.set({ lane: s.lane }, s.head ? (agentNow - s.head.agentMs) / 1000 : 0);
  }
}
