// `edgectl sensors list | tail`: the configured sensors with their last values, and live
// readings (names and units attached) streamed from the sensor pipeline's reading hook.
import { z } from 'zod';
import { NotFoundError } from '../../../common/errors.js';
import type { AdminHandlers } from '../server.js';
import type { AgentView } from '../agent-view.js';
import { agentStatus, type StatusView } from './status.js';
import { parseParams, untilAborted } from './params.js';

export interface TailedReading {
  sensorId: string;
  name: string;
  metric: string;
  unit: string;
  value: number;
  wallMs: number;
}

const TailParams = z.object({
  sensor: z.string().optional(),
  /** Stop after this many readings (scripts); default: until the client hangs up. */
  count: z.number().int().min(1).optional(),
});

export function sensorHandlers(agent: StatusView & Pick<AgentView, 'readingFeed'>): AdminHandlers {
  return {
    'sensors.list': async () => (await agentStatus(agent)).sensors,

    'sensors.tail': async (params, ctx) => {
      const { sensor, count } = parseParams(TailParams, params);
      const sensors = new Map(agent.config().sensors.map((s) => [s.id, s]));
      if (sensor !== undefined && !sensors.has(sensor)) throw new NotFoundError(`sensor "${sensor}"`);
      let seen = 0;
      const stop = new AbortController();
      const unsubscribe = agent.readingFeed.subscribe((r) => {
        if (sensor !== undefined && r.sensorId !== sensor) return;
        const config = sensors.get(r.sensorId);
        const unit = config?.metrics.find((m) => m.name === r.metric)?.unit ?? '';
        ctx.emit({ sensorId: r.sensorId, name: config?.name ?? r.sensorId, metric: r.metric, unit, value: r.value, wallMs: r.wallMs } satisfies TailedReading);
        if (count !== undefined && ++seen >= count) stop.abort();
      });
      try {
        await untilAborted(AbortSignal.any([ctx.signal, stop.signal]));
      } finally {
        unsubscribe();
      }
      return { readings: seen };
    },
  };
}
