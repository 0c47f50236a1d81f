// `edgectl model install | show` and the detector timing used by `edgectl doctor`: a new model
// is verified file by file, swapped into the running detector (cameras keep running) and only
// then made the active one; a model that fails to load leaves the previous one in service.
import { z } from 'zod';
import { IocError, errorMessage } from '../../../common/errors.js';
import type { ModelManifest } from '../../camera/model.js';
import type { AdminHandlers } from '../server.js';
import type { AgentView } from '../agent-view.js';
import { parseParams } from './params.js';
import { timeInference } from '../detector-timing.js';

const InstallParams = z.object({
  manifest: z.record(z.string(), z.unknown()),
  /** File path (as in the manifest) → base64 content. */
  files: z.record(z.string(), z.string()),
});

const BenchParams = z.object({ runs: z.number().int().min(1).max(20).default(3) });

export function modelHandlers(agent: Pick<AgentView, 'models' | 'detector' | 'swapModel'>): AdminHandlers {
  return {
    'model.show': async () => ({
      active: agent.models.active(),
      previous: agent.models.previous() ?? null,
      detector: agent.detector()?.health() ?? null,
    }),

    'model.install': async (params) => {
      const { manifest, files } = parseParams(InstallParams, params);
      const bytes = Object.fromEntries(Object.entries(files).map(([path, b64]) => [path, Buffer.from(b64, 'base64')]));
      const staged = agent.models.stage({ manifest: manifest as unknown as ModelManifest, files: bytes });
      const previous = agent.models.active();
      let swap: { loaded: boolean; backend?: string };
      try {
        swap = await agent.swapModel(staged);
      } catch (err) {
        agent.models.discard(staged);
        throw err instanceof IocError ? err : new IocError('MODEL_INVALID', errorMessage(err));
      }
      agent.models.activate(staged);
      return { installed: staged.id, previous: previous.id, ...swap };
    },

    'detector.bench': async (params) => {
      const { runs } = parseParams(BenchParams, params);
      const detector = agent.detector();
      if (!detector) throw new IocError('NOT_FOUND', 'no detector runs on this box (no camera with detection enabled)');
      if (!detector.available) throw new IocError('UNAVAILABLE', `detector not ready: ${detector.health().detail}`);
      return { backend: detector.backend, ...(await timeInference(detector, runs)) };
    },
  };
}
