// Fault injection for the end-to-end supervisor tests: crashes the detector worker of a running
// agent (its threads end as in a crash), as admin method `test.detector-fault` (test entry
// point only).
import type { AgentView } from '../../../edge/admin/agent-view.js';
import type { AdminHandlers } from '../../../edge/admin/server.js';
import type * as Errors from '../../../common/errors.js';

const MODES = ['crash'] as const;

/**
 * `errors` is the agent's own copy of common/errors (from dist/): the admin socket answers with
 * the code of an IocError only when it is the class it knows.
 */
export function detectorFaultHandlers(agent: Pick<AgentView, 'detector'>, errors: typeof Errors): AdminHandlers {
  return {
    'test.detector-fault': async (params) => {
      const mode = MODES.find((m) => m === params.mode);
      if (!mode) throw new errors.ValidationError(`invalid parameters: mode: one of ${MODES.join(', ')}`);
      const detector = agent.detector();
      if (!detector) throw new errors.IocError('NOT_FOUND', 'no detector');
      await detector.terminateWorkers();
      return { injected: mode };
    },
  };
}
