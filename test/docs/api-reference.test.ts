// docs/api.md and docs/openapi.json are generated from the coordinator; this fails when stale.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fetchOpenApi, renderApiReference } from '../../scripts/api-reference.js';
import { projectPath } from '../../common/paths.js';

t.test('docs/api.md and docs/openapi.json match the running coordinator (run make api-reference)', async (t) => {
  const doc = await fetchOpenApi();
  t.equal(readFileSync(projectPath('docs', 'api.md'), 'utf8'), renderApiReference(doc));
  t.same(JSON.parse(readFileSync(projectPath('docs', 'openapi.json'), 'utf8')), doc);
});
