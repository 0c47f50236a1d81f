// The edge agent with test hooks, for end-to-end tests (startAgent with `testHooks: true`): the
// record injector on the loopback metrics port and a detector fault on the admin socket. The
// agent is the compiled one from dist/, as on a box; only the hooks come from test/ (via tsx).
import { pathToFileURL } from 'node:url';
import { projectPath } from '../../../common/paths.js';
import type * as AgentProcess from '../../../edge/agent-process.js';
import type * as Errors from '../../../common/errors.js';
import { recordInjectorRoutes } from './record-injector.js';
import { detectorFaultHandlers } from './detector-fault.js';

async function fromDist<M>(relative: string): Promise<M> {
  return (await import(pathToFileURL(projectPath('dist', relative)).href)) as M;
}

const { runAgentProcess } = await fromDist<typeof AgentProcess>('edge/agent-process.js');
const errors = await fromDist<typeof Errors>('common/errors.js');

runAgentProcess({
  localRoutes: recordInjectorRoutes,
  extraAdminHandlers: (agent) => detectorFaultHandlers(agent, errors),
});
