// `edgectl outbox stats | dead-letter list/resend | drain --wait`: the backlog by lane, the
// records the coordinator refused, and a streamed view of the backlog draining.
import { z } from 'zod';
import { NotFoundError } from '../../../common/errors.js';
import { LANES, type LaneName } from '../../../common/lanes.js';
import { sleep } from '../../../common/backoff.js';
import { monoNowMs } from '../../../common/time.js';
import type { AdminHandlers } from '../server.js';
import type { AgentView } from '../agent-view.js';
import { parseParams } from './params.js';

const ResendParams = z.union([
  z.object({ lane: z.enum(LANES as unknown as [LaneName, ...LaneName[]]), seq: z.number().int().min(1) }),
  z.object({ all: z.literal(true) }),
]);

const DrainParams = z.object({
  timeoutS: z
    .number()
    .min(1)
    .max(7 * 86_400)
    .default(3600),
  intervalMs: z.number().int().min(100).max(10_000).default(500),
});

export interface DrainProgress {
  records: number;
  bytes: number;
  oldestAgeMs: number;
  /** Net rate the backlog shrinks at over the last ~10 s (new records count against it). */
  drainBytesPerSecond: number;
  etaS: number | null;
  uplinkState: string;
  startBytes: number;
}

/** Net shrink rate over a sliding window of samples. */
class DrainRate {
  private readonly samples: { atMs: number; bytes: number }[] = [];
  constructor(private readonly windowMs = 10_000) {}
  add(atMs: number, bytes: number): number {
    this.samples.push({ atMs, bytes });
    while (this.samples.length > 2 && atMs - this.samples[0]!.atMs > this.windowMs) this.samples.shift();
    const first = this.samples[0]!;
    const seconds = (atMs - first.atMs) / 1000;
    return seconds > 0 ? (first.bytes - bytes) / seconds : 0;
  }
}

export function outboxHandlers(agent: Pick<AgentView, 'outbox' | 'uplink'>): AdminHandlers {
  return {
    'outbox.stats': async () => ({ ...agent.outbox.stats(), uplink: agent.uplink().status() }),

    'outbox.dead-letters': async () => agent.outbox.listDeadLetters(),

    'outbox.resend': async (params) => {
      const p = parseParams(ResendParams, params);
      const letters = await agent.outbox.listDeadLetters();
      const chosen = 'all' in p ? letters : letters.filter((l) => l.lane === p.lane && l.seq === p.seq);
      if (!('all' in p) && chosen.length === 0) throw new NotFoundError(`dead letter ${p.lane}/${p.seq}`);
      const resent = [];
      for (const letter of chosen)
        resent.push({ from: { lane: letter.lane, seq: letter.seq }, to: await agent.outbox.resendDeadLetter(letter.lane, letter.seq) });
      return { resent };
    },

    'outbox.drain': async (params, ctx) => {
      const { timeoutS, intervalMs } = parseParams(DrainParams, params);
      const deadline = monoNowMs() + timeoutS * 1000;
      const rate = new DrainRate();
      const startBytes = agent.outbox.stats().bytes;
      for (;;) {
        const stats = agent.outbox.stats();
        const bytesPerSecond = rate.add(monoNowMs(), stats.bytes);
        const progress: DrainProgress = {
          records: stats.records,
          bytes: stats.bytes,
          oldestAgeMs: stats.oldestAgeMs,
          drainBytesPerSecond: Math.round(bytesPerSecond),
          etaS: bytesPerSecond > 0 ? Math.ceil(stats.bytes / bytesPerSecond) : null,
          uplinkState: agent.uplink().status().state,
          startBytes,
        };
        ctx.emit(progress);
        if (stats.records === 0 && stats.pendingDropReports === 0) return { drained: true, ...progress };
        if (ctx.signal.aborted) return { drained: false, cancelled: true, ...progress };
        if (monoNowMs() >= deadline) return { drained: false, timedOut: true, ...progress };
        await sleep(intervalMs, ctx.signal);
      }
    },
  };
}
