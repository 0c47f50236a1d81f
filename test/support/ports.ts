// Free ephemeral ports: shared with the demo (scripts/lib/ports.ts).
export { freePort } from '../../scripts/lib/ports.js';
