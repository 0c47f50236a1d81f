// `edgectl link test`: round trip and throughput to the coordinator, measured with link probes
// of growing padding on the live Sync stream, and the uplink.rate_kbps that leaves headroom.
import { z } from 'zod';
import { IocError } from '../../../common/errors.js';
import type { AdminHandlers } from '../server.js';
import type { AgentView } from '../agent-view.js';
import { parseParams } from './params.js';

const LinkParams = z.object({
  /** Largest padding tried. */
  maxBytes: z
    .number()
    .int()
    .min(1024)
    .max(2 * 1024 * 1024)
    .default(1024 * 1024),
  /** Stop growing once one probe takes this long: the estimate is good enough by then. */
  stepLimitS: z.number().min(1).max(120).default(8),
  /** Share of the measured throughput recommended as the cap; the rest is for heartbeats, alarms, other traffic. */
  share: z.number().min(0.1).max(1).default(0.7),
});

const SIZES = [4 * 1024, 16 * 1024, 64 * 1024, 256 * 1024, 1024 * 1024, 2 * 1024 * 1024];

export interface LinkStep {
  bytes: number;
  rttMs: number;
  kbps: number | null;
}

export function linkHandlers(agent: Pick<AgentView, 'uplink' | 'config'>): AdminHandlers {
  return {
    'link.test': async (params, ctx) => {
      const { maxBytes, stepLimitS, share } = parseParams(LinkParams, params);
      const uplink = agent.uplink();
      const up = uplink.status();
      if (up.state !== 'connected') {
        throw new IocError('UNAVAILABLE', `the uplink is ${up.state}${up.lastError ? ` (${up.lastError})` : ''}; nothing to measure`);
      }
      const rtts: number[] = [];
      for (let i = 0; i < 3 && !ctx.signal.aborted; i++) rtts.push((await uplink.probe(0, stepLimitS * 1000)).rttMs);
      const baseRttMs = Math.min(...rtts.filter(Number.isFinite));
      ctx.emit({ bytes: 0, rttMs: baseRttMs, kbps: null } satisfies LinkStep);
      const steps: LinkStep[] = [];
      for (const bytes of SIZES.filter((b) => b <= maxBytes)) {
        if (ctx.signal.aborted) break;
        const { rttMs } = await uplink.probe(bytes, Math.max(30_000, stepLimitS * 4000));
        if (!Number.isFinite(rttMs)) throw new IocError('UNAVAILABLE', 'the uplink dropped during the test');
        // Time spent on the bytes: the round trip beyond the empty probe's.
        const transferMs = Math.max(1, rttMs - baseRttMs);
        const step = { bytes, rttMs, kbps: Math.round((bytes * 8) / transferMs) };
        steps.push(step);
        ctx.emit(step);
        if (rttMs > stepLimitS * 1000) break;
      }
      const best = steps.at(-1);
      const throughputKbps = best?.kbps ?? null;
      return {
        address: up.address,
        rttMs: baseRttMs,
        throughputKbps,
        currentRateKbps: agent.config().uplink.rate_kbps,
        recommendedRateKbps: throughputKbps === null ? null : Math.max(1, Math.floor(throughputKbps * share)),
        share,
        steps,
      };
    },
  };
}
