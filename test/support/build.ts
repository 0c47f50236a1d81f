// dist/ kept current for end-to-end tests: shared with the demo (scripts/lib/dist-build.ts).
export { distEntry, ensureBuilt } from '../../scripts/lib/dist-build.js';
