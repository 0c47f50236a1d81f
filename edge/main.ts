// edge-agent: the headless agent of one edge box.
//   edge-agent --config firmware-config/<site>.yaml
// Exit status: 0 clean stop, 1 runtime failure, 2 invalid config (edge/agent-process.ts).
import { runAgentProcess } from './agent-process.js';

runAgentProcess();
