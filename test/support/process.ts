// Child processes for end-to-end tests: shared with the demo (scripts/lib/node-process.ts).
export { NodeProcess, runNode, type ReadyLine } from '../../scripts/lib/node-process.js';
