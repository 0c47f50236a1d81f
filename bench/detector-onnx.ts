// The detector on onnxruntime-node against today's TensorFlow.js wasm backend, same CenterNet
// (converted in memory by bench/support/tfjs-to-onnx.ts), same letterboxed 512×512 inputs:
// every vtest frame at 5 fps, whole 640×480 frames. Each backend runs in its own process so its
// RSS is its own, and the processes take turns on each frame so that both see the same load of
// this shared machine (the speed-up is the median of the per-frame ratios). Under the service's
// memory settings it reports ms per inference (one thread each, as on a 2-core box with one
// detector worker; onnxruntime also without its arena and prepacking, and with two threads),
// process RSS after load and peak, and person recall of onnxruntime against the wasm
// detections (IoU ≥ 0.5, score ≥ 0.4). Prints one JSON object.
//
// onnxruntime-node is not a dependency of this project (it was evaluated, not adopted): point
// ONNXRUNTIME_NODE_DIR at a folder where it is installed, e.g.
//   mkdir /tmp/ort && cd /tmp/ort && npm init -y && ONNXRUNTIME_NODE_INSTALL=skip npm i onnxruntime-node
// (its install script otherwise fetches CUDA libraries from outside the npm registry and fails).
// Without it the onnxruntime rows say why they did not run.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { projectPath } from '../common/paths.js';
import { loadVerifiedModel } from '../edge/camera/model.js';
import { letterbox, letterboxInto } from '../edge/camera/letterbox.js';
import { convertToOnnx, type ConvertedModel } from './support/tfjs-to-onnx.js';

const W = 640,
  H = 480;
const FRAME_BYTES = W * H * 3;
const INPUT = 512;
const PAD_VALUE = 114; // as in edge/camera/detector-worker.ts
const MIN_SCORE = 0.4; // the camera's default person score floor
const PERSON = 0;

interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
}
/** `lean`: onnxruntime without its memory arena and weight prepacking (lower peak RSS). */
type Variant = { backend: 'tfjs-wasm' | 'onnxruntime'; threads: number; lean?: boolean };
/** One inference: the model input in, the [100, 6] detection rows out. */
type Infer = (input: Float32Array) => Promise<Float32Array>;

function rssMb(): number {
  return +(process.memoryUsage().rss / 1048576).toFixed(1);
}

/** Highest RSS of this process so far (the kernel's VmHWM), in MB. */
function peakRssMb(): number {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return +(Number(line?.match(/\d+/)?.[0] ?? 0) / 1024).toFixed(1);
}

async function loadTfjsWasm(): Promise<{ infer: Infer; notes: string }> {
  const tf = await import('@tensorflow/tfjs-core');
  const { loadGraphModel } = await import('@tensorflow/tfjs-converter');
  const { loadBackend } = await import('../edge/camera/tfjs-backend.js');
  await loadBackend('wasm');
  const { graph, weights, manifest } = loadVerifiedModel();
  const model = await loadGraphModel(
    tf.io.fromMemory({
      modelTopology: graph.modelTopology as never,
      weightSpecs: graph.weightsManifest.flatMap((m) => m.weights) as never,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
    }),
  );
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const infer: Infer = async (input) => {
    const rows = tf.tidy(
      () => model.execute(tf.tensor4d(input, [1, INPUT, INPUT, 3], 'float32'), manifest.output.name) as import('@tensorflow/tfjs-core').Tensor,
    );
    const data = (await rows.data()) as Float32Array;
    rows.dispose();
    return data;
  };
  return { infer, notes: `wasm multithread support: ${threads}` };
}

interface OrtModule {
  InferenceSession: { create(model: string | Uint8Array, options: object): Promise<{ run(feeds: object): Promise<Record<string, { data: Float32Array }>> }> };
  Tensor: new (type: string, data: Float32Array, dims: number[]) => object;
  env: { versions: { node: string } };
}

function requireOrt(): OrtModule {
  const from = process.env.ONNXRUNTIME_NODE_DIR ? join(process.env.ONNXRUNTIME_NODE_DIR, 'package.json') : import.meta.url;
  return createRequire(from)('onnxruntime-node') as OrtModule;
}

async function loadOnnxRuntime({ threads, lean }: Variant, modelFile: string): Promise<{ infer: Infer; notes: string }> {
  const ort = requireOrt();
  const { inputName, outputName, nodes } = JSON.parse(readFileSync(`${modelFile}.json`, 'utf8')) as Omit<ConvertedModel, 'bytes'>;
  const session = await ort.InferenceSession.create(modelFile, {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    ...(lean ? { enableCpuMemArena: false, extra: { session: { disable_prepacking: '1' } } } : {}),
  });
  const infer: Infer = async (input) => {
    const out = await session.run({ [inputName]: new ort.Tensor('float32', input, [1, INPUT, INPUT, 3]) });
    return out[outputName]!.data;
  };
  return { infer, notes: `onnxruntime-node ${ort.env.versions.node}, ${nodes} ONNX nodes from the tfjs graph` };
}

/**
 * Child process: loads one variant, then runs the frame the parent names on each stdin line and
 * answers with one JSON line, so the parent can run the variants turn by turn on the same frame.
 */
async function runChild(variant: Variant, dir: string): Promise<void> {
  const baseline = rssMb();
  const started = performance.now();
  const { infer, notes } = variant.backend === 'tfjs-wasm' ? await loadTfjsWasm() : await loadOnnxRuntime(variant, join(dir, 'centernet.onnx'));
  const input = new Float32Array(INPUT * INPUT * 3);
  const geometry = letterbox(W, H, INPUT);
  // The first runs compile kernels / plan memory: not counted.
  for (let i = 0; i < 2; i++) await infer(input.fill(PAD_VALUE));
  const loadMs = Math.round(performance.now() - started);
  // Loading leaves garbage (graph JSON, weight copies) that a long-running agent collects.
  (globalThis as { gc?: () => void }).gc?.();
  const say = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);
  say({ notes, load_and_warmup_ms: loadMs, baseline_rss_mb: baseline, rss_after_load_mb: rssMb() });
  const frame = Buffer.alloc(FRAME_BYTES);
  const fd = openSync(join(dir, 'frames.rgb'), 'r');
  try {
    for await (const line of createInterface({ input: process.stdin })) {
      if (line === 'end') break;
      readSync(fd, frame, 0, FRAME_BYTES, Number(line) * FRAME_BYTES);
      letterboxInto(frame, W, H, geometry, input, PAD_VALUE);
      const t0 = performance.now();
      const rows = await infer(input);
      const ms = performance.now() - t0;
      const persons: Box[] = [];
      for (let i = 0; i + 5 < rows.length; i += 6) {
        if (rows[i + 4]! >= MIN_SCORE && Math.round(rows[i + 5]!) === PERSON)
          persons.push({ x1: rows[i]!, y1: rows[i + 1]!, x2: rows[i + 2]!, y2: rows[i + 3]!, score: rows[i + 4]! });
      }
      say({ ms, persons });
    }
  } finally {
    closeSync(fd);
  }
  say({ rss_end_mb: rssMb(), peak_rss_mb: peakRssMb() });
  // stdin stays referenced after the loop; the answer is written (pipes are synchronous on Linux).
  process.exit(0);
}

function iou(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
  const h = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
  const inter = w * h;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

/** Share of the reference boxes that the candidate finds (greedy one-to-one, IoU ≥ 0.5). */
function recall(reference: Box[][], candidate: Box[][]): { reference_persons: number; matched: number; recall: number } {
  let total = 0,
    matched = 0;
  reference.forEach((ref, f) => {
    const free = [...(candidate[f] ?? [])];
    for (const box of ref) {
      total++;
      let best = -1,
        bestIou = 0.5;
      free.forEach((c, k) => {
        const v = iou(box, c);
        if (v >= bestIou) [best, bestIou] = [k, v];
      });
      if (best >= 0) {
        matched++;
        free.splice(best, 1);
      }
    }
  });
  return { reference_persons: total, matched, recall: total ? +(matched / total).toFixed(4) : 0 };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : 0;
}

function summary(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => +s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(1);
  return { runs: s.length, mean_ms: +(s.reduce((a, b) => a + b, 0) / s.length).toFixed(1), p50_ms: at(0.5), p95_ms: at(0.95) };
}

function decodeFrames(file: string): number {
  const raw = spawnSync(
    'ffmpeg',
    ['-v', 'error', '-i', projectPath('test', 'fixtures', 'vtest-25s.mp4'), '-vf', `fps=5,scale=${W}:${H}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'],
    { maxBuffer: 1 << 30 },
  ).stdout;
  writeFileSync(file, raw);
  return Math.floor(raw.length / FRAME_BYTES);
}

/** One variant's child process, asked one line at a time. */
class VariantProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;
  private stderr = '';

  constructor(
    readonly variant: Variant,
    dir: string,
  ) {
    // The service's memory settings (deploy/systemd/ioc-edge.service) for both backends.
    const args = [...process.execArgv, '--expose-gc', '--max-semi-space-size=2', fileURLToPath(import.meta.url), '--child', JSON.stringify(variant), dir];
    this.child = spawn(process.execPath, args, { env: { ...process.env, LOG_LEVEL: 'warn', MALLOC_ARENA_MAX: '2' } });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  /** The next JSON line; throws with the child's error when it ended instead. */
  async next<T>(): Promise<T> {
    const { value, done } = await this.lines.next();
    if (done || !value?.startsWith('{'))
      throw new Error((this.stderr.match(/Error[^\n]*/)?.[0] ?? this.stderr.trim().split('\n').at(-1) ?? 'child ended').slice(0, 300));
    return JSON.parse(value) as T;
  }

  ask<T>(line: string): Promise<T> {
    this.child.stdin.write(`${line}\n`);
    return this.next<T>();
  }

  kill(): void {
    this.child.kill();
  }
}

interface Loaded {
  process: VariantProcess;
  info: Record<string, unknown>;
  ms: number[];
  persons: Box[][];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'detector-onnx-'));
  const results: (Loaded | (Variant & { loaded: false; reason: string }))[] = [];
  try {
    const count = decodeFrames(join(dir, 'frames.rgb'));
    // Converted once here, so the runtime's process holds the model as a box would: from a file.
    const { bytes, ...converted } = convertToOnnx(loadVerifiedModel());
    writeFileSync(join(dir, 'centernet.onnx'), bytes);
    writeFileSync(join(dir, 'centernet.onnx.json'), JSON.stringify(converted));
    const variants: Variant[] = [
      { backend: 'tfjs-wasm', threads: 1 },
      { backend: 'onnxruntime', threads: 1 },
      { backend: 'onnxruntime', threads: 1, lean: true },
      { backend: 'onnxruntime', threads: 2 },
    ];
    const load = [loadavg()[0]!.toFixed(2)];
    // Loaded one after another, then run turn by turn on each frame: the load of this shared
    // machine changes by the minute, and a paired ratio per frame sees the same load on both.
    for (const variant of variants) {
      const process = new VariantProcess(variant, dir);
      try {
        results.push({ process, info: await process.next(), ms: [], persons: [] });
      } catch (err) {
        process.kill();
        results.push({ ...variant, loaded: false, reason: (err as Error).message });
      }
    }
    const running = results.filter((r): r is Loaded => 'process' in r);
    for (let f = 0; f < count; f++) {
      for (const r of running) {
        const { ms, persons } = await r.process.ask<{ ms: number; persons: Box[] }>(String(f));
        r.ms.push(ms);
        r.persons.push(persons);
      }
    }
    for (const r of running) {
      Object.assign(r.info, await r.process.ask('end'));
      r.process.kill();
    }
    load.push(loadavg()[0]!.toFixed(2));
    const reference = running.find((r) => r.process.variant.backend === 'tfjs-wasm');
    console.log(
      JSON.stringify({
        bench: 'detector-onnx',
        frames: `${count} vtest frames (5 fps, 640x480), whole frame letterboxed to ${INPUT}x${INPUT}, every variant on each frame in turn`,
        recall_rule: `persons (score >= ${MIN_SCORE}) of the tfjs-wasm run found by the other at IoU >= 0.5`,
        load_average_1m: load.join(' → '),
        variants: results.map((r) => {
          if (!('process' in r)) return r;
          const paired = reference && r !== reference ? r.ms.map((ms, f) => reference.ms[f]! / ms) : [];
          return {
            ...r.process.variant,
            ...r.info,
            ...summary(r.ms),
            persons_found: r.persons.reduce((n, p) => n + p.length, 0),
            ...(reference && r !== reference
              ? {
                  speedup_vs_tfjs_wasm_median: +median(paired).toFixed(2),
                  recall_vs_tfjs_wasm: recall(reference.persons, r.persons),
                  precision_vs_tfjs_wasm: recall(r.persons, reference.persons).recall,
                }
              : {}),
          };
        }),
      }),
    );
  } finally {
    for (const r of results) if ('process' in r) r.process.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  const [, , , variant, dir] = process.argv;
  await runChild(JSON.parse(variant!) as Variant, dir!);
} else {
  await main();
}
