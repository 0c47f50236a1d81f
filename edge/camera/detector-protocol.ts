// Messages between the detector pool (main thread) and its worker threads.
import type { CropOrigin } from './letterbox.js';

export interface WorkerSetup {
  backend: 'auto' | 'tensorflow' | 'wasm';
  manifestPath: string;
  modelRoot: string;
}

export type WorkerRequest =
  /**
   * `width` × `height` is the crop; with `origin` it is read in place from the larger image
   * `pixels` (a frame in shared memory), else `pixels` holds the packed crop alone.
   */
  { type: 'detect'; id: number; width: number; height: number; pixels: Uint8Array; minScore: number; origin?: CropOrigin } | { type: 'memory'; id: number };

/** One model output row, in model-input pixels, score already above the request's floor. */
export interface RawDetection {
  label: string;
  score: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export type WorkerReply =
  | { type: 'ready'; backend: string; notes: string[]; loadMs: number }
  | { type: 'load-failed'; code: string; message: string }
  | { type: 'result'; id: number; detections: RawDetection[]; inferMs: number }
  | { type: 'error'; id: number; code: string; message: string }
  | ({ type: 'memory'; id: number } & WorkerMemory);

/** Where a worker's memory goes: its own V8 isolate and the model backend's heap. */
export interface WorkerMemory {
  /** V8 heap of the worker's isolate: reserved, and in use by live objects. */
  heapBytes: number;
  heapUsedBytes: number;
  /** ArrayBuffers and other off-heap memory the isolate accounts for. */
  externalBytes: number;
  /** WebAssembly linear memory of the wasm backend (it only grows); 0 on tfjs-node. */
  wasmBytes: number;
  /** Bytes held by live tensors right now. */
  tensorBytes: number;
}
