// End-to-end tests and the demo run the compiled programs (as a box does). This makes sure dist/
// is current: when any source is newer than the build, it rebuilds once (under a lock, tests run
// in parallel).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../common/paths.js';

let checked = false;

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export function ensureBuilt(): void {
  if (checked) return;
  const root = projectRoot();
  const marker = join(root, 'dist', 'edge', 'main.js');
  const sources = Math.max(
    ...['edge', 'cloud', 'common', 'proto/generated', 'scripts'].map((d) => (existsSync(join(root, d)) ? newestSource(join(root, d)) : 0)),
  );
  if (!existsSync(marker) || statSync(marker).mtimeMs < sources) {
    execFileSync('flock', [join(root, '.build.lock'), 'npx', 'tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  }
  checked = true;
}

export function distEntry(relative: string): string {
  ensureBuilt();
  return join(projectRoot(), 'dist', relative);
}
