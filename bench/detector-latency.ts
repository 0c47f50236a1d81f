// Detector and motion cost per frame on this box: inference latency on each TensorFlow.js
// backend that loads (tfjs-node, wasm), whole 640×480 vtest frames letterboxed to 512, and
// motion analysis per frame (the stage that runs on every frame and gates the detector).
// Prints one JSON object.
import { spawnSync } from 'node:child_process';
import { Detector } from '../edge/camera/detector.js';
import { detectInRegion } from '../edge/camera/detect-region.js';
import { MotionDetector } from '../edge/camera/motion.js';
import { createEdgeMetrics } from '../edge/metrics.js';
import { projectPath } from '../common/paths.js';

const W = 640,
  H = 480;
const RUNS = 30;

function frames(): Buffer[] {
  const raw = spawnSync(
    'ffmpeg',
    ['-v', 'error', '-i', projectPath('test', 'fixtures', 'vtest-25s.mp4'), '-vf', `fps=5,scale=${W}:${H}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'],
    { maxBuffer: 1 << 30 },
  ).stdout;
  const out: Buffer[] = [];
  for (let i = 0; (i + 1) * W * H * 3 <= raw.length; i++) out.push(raw.subarray(i * W * H * 3, (i + 1) * W * H * 3));
  return out;
}

function summary(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => +s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(2);
  return { runs: s.length, mean_ms: +(s.reduce((a, b) => a + b, 0) / s.length).toFixed(2), p50_ms: at(0.5), p95_ms: at(0.95), max_ms: at(1) };
}

async function backendLatency(backend: 'tensorflow' | 'wasm', clip: Buffer[]) {
  const detector = new Detector({ backend, restartBackoff: { initialMs: 60_000, maxMs: 60_000 } }, { metrics: createEdgeMetrics() });
  try {
    const loadStarted = performance.now();
    await detector.start();
    if (!detector.available) return { backend, loaded: false, reason: detector.health().detail };
    const loadMs = Math.round(performance.now() - loadStarted);
    const ms: number[] = [];
    let persons = 0;
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      const result = await detectInRegion(detector, { rgb: clip[i % clip.length]!, width: W, height: H }, { x: 0, y: 0, w: 1, h: 1 }, 0.4);
      ms.push(performance.now() - started);
      persons += result.detections.filter((d) => d.label === 'person').length;
    }
    return { backend, loaded: true, load_and_warmup_ms: loadMs, ...summary(ms), mean_persons_per_frame: +(persons / RUNS).toFixed(1), target_p50_ms: 250 };
  } finally {
    await detector.stop();
  }
}

async function main(): Promise<void> {
  const clip = frames();
  const results = [];
  for (const backend of ['tensorflow', 'wasm'] as const) results.push(await backendLatency(backend, clip));
  const motion = new MotionDetector({ threshold: 25, min_area: 0.002, height: 120, masks: [] }, W, H);
  const motionMs: number[] = [];
  for (let pass = 0; pass < 3; pass++) {
    for (const rgb of clip) {
      const started = performance.now();
      motion.analyse({ rgb, width: W, height: H });
      motionMs.push(performance.now() - started);
    }
  }
  const wasm = results.find((r) => r.backend === 'wasm' && r.loaded) as { p50_ms?: number } | undefined;
  const motionSummary = summary(motionMs);
  console.log(
    JSON.stringify({
      bench: 'detector-latency',
      frame: `${W}x${H} vtest, whole frame letterboxed to 512x512`,
      backends: results,
      motion_per_frame: { ...motionSummary, analysis: '160x120 gray, running average, dilation, regions' },
      detector_vs_motion: wasm?.p50_ms ? +(wasm.p50_ms / motionSummary.p50_ms).toFixed(0) : null,
    }),
  );
}

await main();
