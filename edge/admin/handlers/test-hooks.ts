// Fault injection for the end-to-end supervisor tests: crashes the detector worker of a
// running agent process. Registered only when IOC_ADMIN_TEST_HOOKS=1; never on a real box.
import { z } from 'zod';
import { IocError } from '../../../common/errors.js';
import type { AdminHandlers } from '../server.js';
import type { AgentView } from '../agent-view.js';
import { parseParams } from './params.js';

const FaultParams = z.object({ mode: z.enum(['crash', 'hang', 'throw']) });

export function testHookHandlers(agent: Pick<AgentView, 'detector'>): AdminHandlers {
  if (process.env.IOC_ADMIN_TEST_HOOKS !== '1') return {};
  return {
    'test.detector-fault': async (params) => {
      const { mode } = parseParams(FaultParams, params);
      const detector = agent.detector();
      if (!detector) throw new IocError('NOT_FOUND', 'no detector');
      detector.injectFaultForTest(mode);
      return { injected: mode };
    },
  };
}
