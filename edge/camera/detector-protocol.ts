// Messages between the detector pool (main thread) and its worker threads.

export interface WorkerSetup {
  backend: 'auto' | 'tensorflow' | 'wasm';
  manifestPath: string;
  modelRoot: string;
}

export type FaultMode = 'crash' | 'hang' | 'throw';

export type WorkerRequest =
  | { type: 'detect'; id: number; width: number; height: number; pixels: Uint8Array; minScore: number }
  | { type: 'fault'; mode: FaultMode };

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
  | { type: 'error'; id: number; code: string; message: string };
