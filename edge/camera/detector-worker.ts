// Detector worker thread: loads the verified model on the chosen backend and answers one
// inference at a time, so the agent's event loop (broker, uplink) never waits on the model.
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { loadBackend, type BackendChoice } from './tfjs-backend.js';
import { loadVerifiedModel, readManifest } from './model.js';
import { letterbox } from './letterbox.js';
import { IocError, errorMessage } from '../../common/errors.js';
import type { WorkerRequest, WorkerReply, RawDetection, WorkerSetup } from './detector-protocol.js';

const setup = workerData as WorkerSetup;
const port = parentPort!;
/** Fault injection for tests: what to do on the next inference. */
let fault: 'crash' | 'hang' | 'throw' | undefined;
let model: GraphModel;
let inputSize = 512;
let outputName = 'tower_0/detections';
let labels: string[] = [];
// Letterbox fill: mid-grey, so the padding is not read as a dark object.
const PAD_VALUE = 114;

function reply(message: WorkerReply): void {
  port.postMessage(message);
}

async function load(): Promise<void> {
  const started = performance.now();
  const backend = await loadBackend(setup.backend as BackendChoice);
  const verified = loadVerifiedModel(readManifest(setup.manifestPath), setup.modelRoot);
  const { graph, weights, manifest } = verified;
  inputSize = manifest.input.shape[1];
  outputName = manifest.output.name;
  labels = manifest.labels;
  model = await loadGraphModel(
    tf.io.fromMemory({
      modelTopology: graph.modelTopology as tf.io.ModelJSON['modelTopology'],
      weightSpecs: graph.weightsManifest.flatMap((m) => m.weights) as tf.io.WeightsManifestEntry[],
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
    }),
  );
  // The first run compiles kernels and is several times slower: do it before saying ready.
  const warm = model.execute(tf.zeros([1, inputSize, inputSize, 3]), outputName) as tf.Tensor;
  await warm.data();
  tf.dispose(warm);
  reply({ type: 'ready', backend: backend.name, notes: backend.notes, loadMs: Math.round(performance.now() - started) });
}

async function detect(request: Extract<WorkerRequest, { type: 'detect' }>): Promise<RawDetection[]> {
  const geometry = letterbox(request.width, request.height, inputSize);
  const rows = tf.tidy(() => {
    const pixels = tf.cast(tf.tensor3d(request.pixels, [request.height, request.width, 3], 'int32'), 'float32');
    const resized = tf.image.resizeBilinear(pixels, [geometry.resizedH, geometry.resizedW]);
    const padded = tf.pad(
      resized,
      [
        [geometry.padY, inputSize - geometry.resizedH - geometry.padY],
        [geometry.padX, inputSize - geometry.resizedW - geometry.padX],
        [0, 0],
      ],
      PAD_VALUE,
    );
    return model.execute(tf.expandDims(padded, 0), outputName) as tf.Tensor;
  });
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

function applyFault(): void {
  const mode = fault;
  fault = undefined;
  if (mode === 'crash') process.exit(70);
  if (mode === 'hang') for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
  if (mode === 'throw') throw new IocError('INTERNAL', 'injected detector fault');
}

port.on('message', (request: WorkerRequest) => {
  if (request.type === 'fault') {
    fault = request.mode;
    return;
  }
  const started = performance.now();
  void (async () => {
    try {
      applyFault();
      const detections = await detect(request);
      reply({ type: 'result', id: request.id, detections, inferMs: performance.now() - started });
    } catch (err) {
      reply({ type: 'error', id: request.id, code: err instanceof IocError ? err.code : 'INTERNAL', message: errorMessage(err) });
    }
  })();
});

load().catch((err: unknown) => {
  reply({ type: 'load-failed', code: err instanceof IocError ? err.code : 'INTERNAL', message: errorMessage(err) });
});
