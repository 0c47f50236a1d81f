// Starts a worker thread on a module, whether the agent runs from the TypeScript sources
// (through tsx, as the tests do) or from the compiled dist/ tree.
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The module `baseName` next to `fromUrl`: its .ts source when running from the sources, else the .js. */
export function siblingModule(fromUrl: string, baseName: string): URL {
  return new URL(`./${baseName}.${fromUrl.endsWith('.ts') ? 'ts' : 'js'}`, fromUrl);
}

/** A .ts module is started through tsx; a .js one as it is. */
export function spawnWorker(target: URL, options: WorkerOptions = {}): Worker {
  if (!target.pathname.endsWith('.ts')) return new Worker(target, options);
  // A worker does not inherit the parent's tsx loader, and Node 20 refuses a .ts entry point
  // before any --import hook runs; so register tsx first, then import the module.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(target.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}
