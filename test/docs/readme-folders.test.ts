// The README's folder table names every folder of the project (two levels deep, three under the
// source trees cloud/ and edge/) and no folder that does not exist.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { projectPath, projectRoot } from '../../common/paths.js';

/** Folders holding tracked files: a stray local folder (build output, caches) is not the project's. */
function trackedFolders(): Set<string> {
  const files = execFileSync('git', ['ls-files'], { cwd: projectRoot(), encoding: 'utf8' }).split('\n').filter(Boolean);
  const folders = new Set<string>();
  for (const file of files) {
    const parts = file.split('/').slice(0, -1);
    for (let depth = 1; depth <= parts.length; depth++) folders.add(parts.slice(0, depth).join('/'));
  }
  return folders;
}

/** Every `path` in backticks on the rows of the table under "| folder | what |". */
function tableNames(readme: string): string[] {
  const start = readme.indexOf('| folder | what |');
  const table = readme.slice(start, readme.indexOf('\n\n', start));
  return [...table.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

const mustBeListed = (folder: string) => {
  const depth = folder.split('/').length;
  return depth <= 2 || (depth === 3 && /^(cloud|edge)\//.test(folder));
};

t.test('README folder table matches the folders', async (t) => {
  const folders = trackedFolders();
  const names = tableNames(readFileSync(projectPath('README.md'), 'utf8'));
  t.ok(names.length > 20, 'the table is found');
  const listed = (folder: string) => names.some((n) => n === `${folder}/` || n.startsWith(`${folder}/`));
  t.same(
    [...folders].filter(mustBeListed).filter((f) => !listed(f)),
    [],
    'every folder is listed',
  );
  const named = names.filter((n) => n.endsWith('/')).map((n) => n.slice(0, -1));
  t.same(
    named.filter((n) => !folders.has(n)),
    [],
    'every listed folder exists',
  );
});
