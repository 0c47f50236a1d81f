// docs/edgectl.md is generated from edgectl's command tree; this fails when it is stale.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { renderCliReference } from '../../scripts/cli-reference.js';
import { projectPath } from '../../common/paths.js';

t.test('docs/edgectl.md matches edgectl --help (run make docs)', async (t) => {
  t.equal(readFileSync(projectPath('docs', 'edgectl.md'), 'utf8'), renderCliReference());
});
