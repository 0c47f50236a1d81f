// Picks the fastest TensorFlow.js backend that loads on this box: the native tfjs-node binding
// when it is installed and loads, else WebAssembly (SIMD). Never the pure-JS cpu backend: it is
// ~30× slower than wasm and would silently starve every camera.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { IocError, errorMessage } from '../../common/errors.js';

export type BackendName = 'tensorflow' | 'wasm';
export type BackendChoice = BackendName | 'auto';

export interface LoadedBackend {
  name: BackendName;
  /** Why the faster choices were not taken, for the log line. */
  notes: string[];
}

const require = createRequire(import.meta.url);

async function tryNative(): Promise<void> {
  // The optional dependency: absent, or present with a binding that does not load on this CPU/libc.
  await import('@tensorflow/tfjs-node' as string);
  if (!(await tf.setBackend('tensorflow'))) throw new IocError('BACKEND_UNAVAILABLE', 'tfjs-node loaded but its backend did not initialize');
}

async function tryWasm(): Promise<void> {
  // Point the loader at the .wasm files on disk; by default it would try to fetch them by URL.
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  setWasmPaths(`${dist}/`);
  if (!(await tf.setBackend('wasm'))) throw new IocError('BACKEND_UNAVAILABLE', 'the wasm backend did not initialize');
}

export async function loadBackend(choice: BackendChoice = 'auto'): Promise<LoadedBackend> {
  const notes: string[] = [];
  const attempts: [BackendName, () => Promise<void>][] = [
    ['tensorflow', tryNative],
    ['wasm', tryWasm],
  ];
  for (const [name, attempt] of attempts) {
    if (choice !== 'auto' && choice !== name) continue;
    try {
      await attempt();
      if (tf.getBackend() !== name) throw new IocError('BACKEND_UNAVAILABLE', `active backend is ${tf.getBackend()}`);
      await tf.ready();
      return { name, notes };
    } catch (err) {
      notes.push(`${name}: ${errorMessage(err).split('\n')[0]}`);
    }
  }
  throw new IocError(
    'BACKEND_UNAVAILABLE',
    `no usable TensorFlow.js backend (${notes.join('; ')}); the cpu backend is refused as too slow, cameras run motion-only`,
  );
}
