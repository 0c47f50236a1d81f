// Starts a worker thread from a sibling module whether the agent runs from the TypeScript
// sources (through tsx, as the tests do) or from the compiled dist/ tree.
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function spawnSiblingWorker(fromUrl: string, baseName: string, options: WorkerOptions = {}): Worker {
  const fromSource = fromUrl.endsWith('.ts');
  const target = new URL(`./${baseName}.${fromSource ? 'ts' : 'js'}`, fromUrl);
  if (!fromSource) return new Worker(target, options);
  // A worker does not inherit the parent's tsx loader, and Node 20 refuses a .ts entry point
  // before any --import hook runs; so register tsx first, then import the module.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(target.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}
