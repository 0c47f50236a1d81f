// Memory of one agent process with the model and four busy cameras (the vtest street over RTSP,
// one shared detector, a real outbox): peak RSS and where it goes — main V8 heap, ArrayBuffers
// (frames, crops), the detector worker's isolate and wasm heap, the rest native (allocator
// arenas, code). Each variant runs in its own process so allocator and V8 settings apply from
// the start: node's defaults against the settings of deploy/systemd/ioc-edge.service. Then the
// whole agent (edge/main: broker, sensors, uplink, admin socket, remote commands) on the
// Điện Biên Đông site config with the same four cameras, under the service's settings: its peak
// RSS is the figure a box sees. Run it compiled (node dist/bench/camera-memory.js) for figures
// that match the service; under tsx the loader adds its own thread. Prints one JSON object.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Camera } from '../edge/camera/camera.js';
import { Detector } from '../edge/camera/detector.js';
import { createEdgeMetrics } from '../edge/metrics.js';
import { Outbox } from '../edge/outbox/outbox.js';
import { CameraSchema } from '../common/config/camera-schema.js';
import { projectPath } from '../common/paths.js';
import { freePort } from '../scripts/lib/ports.js';
import { RtspCamera } from '../scripts/lib/rtsp-camera.js';
import YAML from 'yaml';

const CLIP = projectPath('test', 'fixtures', 'vtest-25s.mp4');
const UNIT = projectPath('deploy', 'systemd', 'ioc-edge.service');
const CAMERAS = 4;
const SECONDS = Number(process.env.IOC_BENCH_SECONDS ?? 45);
const ONLY = process.env.IOC_BENCH_ONLY?.split(',');
const DAY = 86_400_000;
const MB = 1024 * 1024;
const RESULT_MARK = 'camera-memory-result ';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10;

interface Variant {
  name: string;
  env: Record<string, string>;
  /** Node and V8 flags before the entry point, as the unit's ExecStart gives them (whole agent only). */
  nodeArgs?: string[];
  /** Measure the whole agent rather than the camera pipeline alone. */
  agent?: boolean;
}

/** `Environment=` lines of the systemd unit, so the bench measures what the service runs with. */
function serviceEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(UNIT, 'utf8').split('\n')) {
    const match = /^Environment=(?:"([^"]*)"|(\S+))/.exec(line.trim());
    const pair = match?.[1] ?? match?.[2];
    if (!pair) continue;
    const eq = pair.indexOf('=');
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/**
 * The node flags in the unit's `ExecStart=` (between the node binary and the entry script): V8
 * flags that NODE_OPTIONS refuses (e.g. --optimize-for-size) can only reach the service there.
 */
function serviceNodeArgs(): string[] {
  const line = readFileSync(UNIT, 'utf8')
    .split('\n')
    .find((l) => l.trim().startsWith('ExecStart='));
  const words = line?.trim().slice('ExecStart='.length).split(/\s+/) ?? [];
  const entry = words.findIndex((w, i) => i > 0 && !w.startsWith('-'));
  return entry > 0 ? words.slice(1, entry) : [];
}

function smapsRollup(): { anonymous: number; fileBacked: number } {
  const text = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { anonymous: kb('Anonymous'), fileBacked: kb('Rss') - kb('Anonymous') };
}

async function breakdown(detector: Detector) {
  const main = process.memoryUsage();
  const workers = await detector.memory();
  const sum = (pick: (w: (typeof workers)[number]) => number) => workers.reduce((s, w) => s + pick(w), 0);
  const maps = smapsRollup();
  const accounted = main.heapTotal + main.external + sum((w) => w.heapBytes + w.externalBytes);
  return {
    rss_mb: mb(main.rss),
    main_heap_mb: mb(main.heapTotal),
    main_heap_used_mb: mb(main.heapUsed),
    main_array_buffers_mb: mb(main.arrayBuffers),
    main_other_external_mb: mb(main.external - main.arrayBuffers),
    worker_heap_mb: mb(sum((w) => w.heapBytes)),
    worker_heap_used_mb: mb(sum((w) => w.heapUsedBytes)),
    // V8 counts the wasm linear memory as the isolate's external memory: shown apart.
    worker_external_mb: mb(sum((w) => w.externalBytes - w.wasmBytes)),
    wasm_mb: mb(sum((w) => w.wasmBytes)),
    live_tensors_mb: mb(sum((w) => w.tensorBytes)),
    file_backed_mb: mb(maps.fileBacked),
    // Anonymous memory none of the above accounts for: malloc arenas (libvips, ffmpeg pipes,
    // leveldb), V8's own metadata, thread stacks. Heaps are counted as reserved, so it is a floor.
    native_other_mb: mb(Math.max(0, maps.anonymous - accounted)),
  };
}

/** One variant, in this (child) process: four cameras for SECONDS, RSS sampled every 250 ms. */
async function child(url: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ioc-bench-memory-'));
  const outbox = await Outbox.open({
    dir: join(dir, 'outbox'),
    diskBudgetBytes: 512 * MB,
    ttlMs: { alarm: DAY, event: DAY, telemetry: DAY, thumbnail: DAY },
    agentNow: () => performance.now(),
  });
  const metrics = createEdgeMetrics();
  const detector = new Detector({}, { metrics });
  const cameras = Array.from(
    { length: CAMERAS },
    (_, i) => new Camera(CameraSchema.parse({ id: `cam-${i + 1}`, url, rtsp_transport: 'udp' }), { sink: outbox, metrics, detector }),
  );
  try {
    await detector.start();
    const idle = await breakdown(detector);
    await Promise.all(cameras.map((c) => c.start()));
    const t0 = performance.now();
    let peak = 0;
    let atPeak = idle;
    let lastBreakdown = 0;
    while (performance.now() - t0 < SECONDS * 1000) {
      const rss = process.memoryUsage.rss();
      if (rss > peak) peak = rss;
      if (performance.now() - lastBreakdown >= 3_000) {
        lastBreakdown = performance.now();
        const sample = await breakdown(detector);
        if (sample.rss_mb >= atPeak.rss_mb) atPeak = sample;
      }
      await sleep(250);
    }
    const end = await breakdown(detector);
    const stats = cameras.map((c) => c.stats());
    await Promise.all(cameras.map((c) => c.stop()));
    const total = (k: 'frames' | 'detections') => stats.reduce((s, x) => s + x[k], 0);
    process.stdout.write(
      `${RESULT_MARK}${JSON.stringify({
        backend: detector.backend,
        rss_peak_mb: mb(peak),
        rss_end_mb: end.rss_mb,
        at_idle_detector_loaded: idle,
        at_largest_sample: atPeak,
        at_end: end,
        frames: total('frames'),
        detector_runs: total('detections'),
      })}\n`,
    );
  } finally {
    await detector.stop();
    await outbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function runVariant(variant: Variant, url: string): Promise<Record<string, unknown>> {
  const self = fileURLToPath(import.meta.url);
  // V8 flags reach the child through NODE_OPTIONS exactly as the service passes them.
  const child = spawn(process.execPath, [...process.execArgv, self, '--child', url], {
    env: { ...process.env, LOG_LEVEL: 'error', ...variant.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT_MARK));
      if (!line) return reject(new Error(`variant ${variant.name} exited with ${code} and no result`));
      resolve({ variant: variant.name, env: variant.env, ...JSON.parse(line.slice(RESULT_MARK.length)) });
    });
  });
}

/** The real agent on a site config with four cameras on `url`; RSS from /proc every 250 ms. */
async function runAgent(name: string, env: Record<string, string>, nodeArgs: string[], url: string): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'ioc-bench-memory-agent-'));
  const doc = YAML.parse(readFileSync(projectPath('firmware-config', 'dien-bien-dong.yaml'), 'utf8')) as Record<string, unknown>;
  // No coordinator listens here: the uplink keeps retrying, as on a box whose link is down.
  doc.coordinator = { address: `127.0.0.1:${await freePort()}`, token: 'bench-device-token-0123456789', tls: { enabled: false } };
  doc.data_dir = join(dir, 'data');
  for (const sensor of doc.sensors as { credentials: { password: string } }[]) sensor.credentials.password = randomBytes(18).toString('base64url');
  doc.broker = { host: '127.0.0.1', port: await freePort() };
  doc.admin = { socket: join(dir, 'edgectl.sock'), metrics_host: '127.0.0.1', metrics_port: 0 };
  doc.cameras = Array.from({ length: CAMERAS }, (_, i) => ({ id: `cam-${i + 1}`, url, rtsp_transport: 'udp' }));
  const file = join(dir, 'site.yaml');
  writeFileSync(file, YAML.stringify(doc));
  const compiled = !import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(compiled ? '../edge/main.js' : '../edge/main.ts', import.meta.url));
  const child = spawn(process.execPath, [...process.execArgv, ...nodeArgs, entry, '--config', file], {
    env: { ...process.env, LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (err = (err + text).slice(-2000)));
    const deadline = Date.now() + 120_000;
    while (!out.includes('{"ready":true') && child.exitCode === null && Date.now() < deadline) await sleep(200);
    if (!out.includes('{"ready":true')) throw new Error(`the agent did not start (exit ${child.exitCode}): ${out.slice(-500)} ${err.slice(-500)}`);
    const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    const ready = rss();
    let peak = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < SECONDS * 1000) {
      peak = Math.max(peak, rss());
      await sleep(250);
    }
    return { variant: name, env, node_args: nodeArgs, rss_ready_mb: mb(ready), rss_peak_mb: mb(peak), rss_end_mb: mb(rss()) };
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([once(child, 'exit'), sleep(25_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const service = serviceEnvironment();
  const { NODE_ENV: _nodeEnv, ...tuning } = service;
  const serviceArgs = serviceNodeArgs();
  const variants: Variant[] = [
    { name: 'node-defaults', env: {} },
    ...(tuning.MALLOC_ARENA_MAX ? [{ name: 'arena-max-only', env: { MALLOC_ARENA_MAX: tuning.MALLOC_ARENA_MAX } }] : []),
    { name: 'service-unit', env: tuning },
    { name: 'whole-agent-node-defaults', env: {}, agent: true },
    { name: 'whole-agent-service-unit', env: tuning, nodeArgs: serviceArgs, agent: true },
    // More settings to try, as JSON: [{"name":"…","env":{"MALLOC_ARENA_MAX":"1"},"nodeArgs":["--max-lazy"],"agent":true}].
    ...(JSON.parse(process.env.IOC_BENCH_VARIANTS ?? '[]') as Variant[]),
  ];
  const rtsp = await RtspCamera.start({ clip: CLIP });
  const results: Record<string, unknown>[] = [];
  try {
    for (const variant of variants) {
      if (ONLY && !ONLY.includes(variant.name)) continue;
      results.push(variant.agent ? await runAgent(variant.name, variant.env, variant.nodeArgs ?? [], rtsp.url) : await runVariant(variant, rtsp.url));
    }
  } finally {
    await rtsp.close();
  }
  console.log(
    JSON.stringify({
      bench: 'camera-memory',
      runtime: import.meta.url.endsWith('.ts') ? 'tsx (loader thread adds memory)' : 'compiled',
      scene: `${CAMERAS} cameras on the vtest street over RTSP, 640 px at 5 fps, one shared detector, ${SECONDS} s`,
      load_average: (await import('node:os')).loadavg().map((v) => +v.toFixed(1)),
      results,
      target_rss_peak_mb: 200,
    }),
  );
}

const at = process.argv.indexOf('--child');
if (at >= 0) await child(process.argv[at + 1]!);
else await main();
