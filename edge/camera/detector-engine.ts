// The model side of a detector worker thread: loads the verified model on the chosen backend
// and answers the pool's requests one inference at a time (detector-worker.ts is the thread's
// entry). One engine per thread: the model and its input tensor are this module's state.
import { getHeapStatistics } from 'node:v8';
import type { MessagePort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { loadBackend, type BackendChoice } from './tfjs-backend.js';
import { loadVerifiedModel, readManifest } from './model.js';
import { letterbox, letterboxInto } from './letterbox.js';
import { IocError, errorMessage } from '../../common/errors.js';
import type { WorkerRequest, WorkerReply, RawDetection, WorkerSetup, WorkerMemory } from './detector-protocol.js';

let model: GraphModel;
let inputSize = 512;
let outputName = 'tower_0/detections';
let labels: string[] = [];
// Letterbox fill: mid-grey, so the padding is not read as a dark object.
const PAD_VALUE = 114;
/** The model input tensor, filled in place for every inference (3 MB at 512 px, allocated once). */
let input: tf.Tensor4D;
/**
 * On wasm the letterbox is written straight into the input tensor's bytes in the wasm heap (no
 * 3 MB copy in this isolate, no upload per inference); other backends get a buffer uploaded
 * as a new tensor before each run.
 */
let staging: Float32Array | undefined;
let wasmInput: (() => Float32Array) | undefined;

async function load(setup: WorkerSetup): Promise<Extract<WorkerReply, { type: 'ready' }>> {
  const started = performance.now();
  const backend = await loadBackend(setup.backend as BackendChoice);
  const verified = loadVerifiedModel(readManifest(setup.manifestPath), setup.modelRoot);
  const { graph, weights, manifest } = verified;
  inputSize = manifest.input.shape[1];
  outputName = manifest.output.name;
  labels = manifest.labels;
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: graph.modelTopology as tf.io.ModelJSON['modelTopology'],
    weightSpecs: graph.weightsManifest.flatMap((m) => m.weights) as tf.io.WeightsManifestEntry[],
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
  };
  model = await loadGraphModel(tf.io.fromMemory(artifacts));
  // The graph model keeps its artifacts for save(), which the detector never calls; the weights
  // now live in backend tensors, so the 4 MB copy in this isolate can go.
  delete artifacts.weightData;
  prepareInput();
  // The first run compiles kernels and is several times slower: do it before saying ready.
  const warm = tf.tidy(() => model.execute(input, outputName) as tf.Tensor);
  await warm.data();
  tf.dispose(warm);
  return { type: 'ready', backend: backend.name, notes: backend.notes, loadMs: Math.round(performance.now() - started) };
}

interface WasmBackendInternals {
  wasm?: { HEAPU8?: Uint8Array };
  dataIdMap?: { get(dataId: object): { memoryOffset?: number | null } | undefined };
}

function prepareInput(): void {
  const shape: [number, number, number, number] = [1, inputSize, inputSize, 3];
  const length = inputSize * inputSize * 3;
  input = tf.zeros(shape);
  if (tf.getBackend() === 'wasm') {
    const backend = tf.backend() as unknown as WasmBackendInternals;
    const offset = backend.dataIdMap?.get(input.dataId)?.memoryOffset;
    const heap = backend.wasm;
    // A new view every time: growing the wasm heap replaces its ArrayBuffer.
    if (typeof offset === 'number' && heap?.HEAPU8) wasmInput = () => new Float32Array(heap.HEAPU8!.buffer, offset, length);
  }
  if (!wasmInput) staging = new Float32Array(length);
}

/** Where the next input's pixels go. */
function inputPixels(): Float32Array {
  return wasmInput ? wasmInput() : staging!;
}

/** Makes the written pixels the model's input (an upload, except on wasm where they are in place). */
function commitInput(): void {
  if (!staging) return;
  input.dispose();
  input = tf.tensor4d(staging, [1, inputSize, inputSize, 3], 'float32');
}

export type DetectRequest = Extract<WorkerRequest, { type: 'detect' }>;

/** One inference on the loaded model. */
export async function detect(request: DetectRequest): Promise<RawDetection[]> {
  const geometry = letterbox(request.width, request.height, inputSize);
  letterboxInto(request.pixels, request.width, request.height, geometry, inputPixels(), PAD_VALUE, request.origin);
  commitInput();
  // execute() frees each activation once it is consumed; the input tensor stays for the next run.
  const rows = tf.tidy(() => model.execute(input, outputName) as tf.Tensor);
  const data = (await rows.data()) as Float32Array;
  rows.dispose();
  const out: RawDetection[] = [];
  for (let i = 0; i + 5 < data.length; i += 6) {
    const score = data[i + 4]!;
    if (!(score >= request.minScore)) continue;
    const classIndex = Math.round(data[i + 5]!);
    const label = labels[classIndex];
    if (!label) continue;
    out.push({ label, score, x1: data[i]!, y1: data[i + 1]!, x2: data[i + 2]!, y2: data[i + 3]! });
  }
  return out;
}

function memory(): WorkerMemory {
  const heap = getHeapStatistics();
  // The wasm backend keeps its module on the backend object; its linear memory never shrinks.
  const backend = tf.getBackend() === 'wasm' ? (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }) : undefined;
  return {
    heapBytes: heap.total_heap_size,
    heapUsedBytes: heap.used_heap_size,
    externalBytes: heap.external_memory,
    wasmBytes: backend?.wasm?.HEAPU8?.buffer.byteLength ?? 0,
    tensorBytes: tf.memory().numBytes,
  };
}

/**
 * Loads the model, says so on `port`, then answers every request that arrives on it. `runDetect`
 * is the inference: `detect`, or a test worker's wrapper of it.
 */
export function serveDetector(port: MessagePort, setup: WorkerSetup, runDetect: (request: DetectRequest) => Promise<RawDetection[]> = detect): void {
  const reply = (message: WorkerReply) => port.postMessage(message);
  port.on('message', (request: WorkerRequest) => {
    if (request.type === 'memory') {
      reply({ type: 'memory', id: request.id, ...memory() });
      return;
    }
    const started = performance.now();
    void (async () => {
      try {
        const detections = await runDetect(request);
        reply({ type: 'result', id: request.id, detections, inferMs: performance.now() - started });
      } catch (err) {
        reply({ type: 'error', id: request.id, code: err instanceof IocError ? err.code : 'INTERNAL', message: errorMessage(err) });
      }
    })();
  });
  load(setup).then(reply, (err: unknown) => {
    reply({ type: 'load-failed', code: err instanceof IocError ? err.code : 'INTERNAL', message: errorMessage(err) });
  });
}
