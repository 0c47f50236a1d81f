// The config reference in docs/ is generated from the schemas; this fails when it is stale.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { renderConfigReference } from '../../scripts/config-reference.js';
import { projectPath } from '../../common/paths.js';

t.test('docs/config-reference.md matches the schemas (run make config-reference)', async (t) => {
  t.equal(readFileSync(projectPath('docs', 'config-reference.md'), 'utf8'), renderConfigReference());
});
