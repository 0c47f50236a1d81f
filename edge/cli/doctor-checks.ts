// The checks of `edgectl doctor`, each with a pass/fail line and a fix. Those that need the
// running agent say so and are skipped when it is down; the rest (config, ffmpeg, cameras,
// model, disk, coordinator) run from this process alone.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EdgeConfig } from '../../common/config/edge-schema.js';
import type { CameraConfig } from '../../common/config/camera-schema.js';
import { errorMessage } from '../../common/errors.js';
import { redactText } from '../../common/redact.js';
import { diskFreeBytes } from '../system-stats.js';
import { readDeviceToken } from '../device-token.js';
import { resolveBrokerHost } from '../sensors/broker-address.js';
import { ModelStore, verify } from '../admin/model-store.js';
import { timeInference } from '../admin/detector-timing.js';
import type { AgentStatus } from '../admin/handlers/status.js';
import { verifyIdentity } from './provision.js';
import { linkTargetOf } from '../uplink/client.js';
import type { AdminClient } from '../admin/client.js';
import { formatBytes } from './output.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  hint?: string;
}

/** Clock offsets beyond these (ms) make event times misleading on the IOC's screens. */
const CLOCK_WARN_MS = 2_000;
const CLOCK_FAIL_MS = 30_000;
const PROBE_TIMEOUT_MS = 15_000;

export interface DoctorContext {
  configFile: string;
  config: EdgeConfig | undefined;
  agent: AdminClient | undefined;
  status: AgentStatus | undefined;
  ffmpegPath: string;
  /** Time a detector in this process when the agent is down (loads the model: seconds). */
  standaloneDetector: boolean;
}

const pass = (name: string, detail: string): CheckResult => ({ name, status: 'pass', detail });
const fail = (name: string, detail: string, hint: string): CheckResult => ({ name, status: 'fail', detail, hint });
const skip = (name: string, detail: string): CheckResult => ({ name, status: 'skip', detail });

/** Runs a program with a deadline; resolves with its exit code and the end of its stderr. */
function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string; error?: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-4000)));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr, error });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export async function checkFfmpeg(ctx: DoctorContext): Promise<CheckResult> {
  const r = await run(ctx.ffmpegPath, ['-hide_banner', '-version'], 10_000);
  if (r.error?.code === 'ENOENT') return fail('ffmpeg', `ffmpeg not found (looked for "${ctx.ffmpegPath}" on PATH)`, 'install it: apt-get install ffmpeg');
  if (r.code !== 0)
    return fail(
      'ffmpeg',
      `ffmpeg does not run: ${lastLine(r.stderr) || r.error?.message || `exit ${r.code}`}`,
      'reinstall it: apt-get install --reinstall ffmpeg',
    );
  return pass('ffmpeg', r.stdout.split('\n')[0]!.replace(/ Copyright.*/, ''));
}

/** Decodes one frame of the stream the agent reads (the sub-stream when there is one). */
export async function checkCamera(ctx: DoctorContext, camera: CameraConfig, ffmpegOk: boolean): Promise<CheckResult> {
  const name = `camera ${camera.id}`;
  if (!ffmpegOk) return skip(name, 'skipped: needs ffmpeg');
  let url = camera.sub_url ?? camera.url;
  const input: string[] = [];
  if (/^rtsps?:/.test(url)) input.push('-rtsp_transport', camera.rtsp_transport, '-timeout', '5000000');
  if (url.startsWith('file:')) url = url.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
  const started = Date.now();
  const r = await run(
    ctx.ffmpegPath,
    ['-hide_banner', '-nostdin', '-loglevel', 'info', ...input, '-i', url, '-frames:v', '1', '-f', 'null', '-'],
    PROBE_TIMEOUT_MS,
  );
  const video = /Stream #\d+:\d+.*?Video: (\w+).*?(\d{2,5}x\d{2,5})/.exec(r.stderr);
  if (r.code === 0 && video) return pass(name, `decodes ${video[1]} ${video[2]} (first frame in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const why = r.code === null ? `no frame within ${PROBE_TIMEOUT_MS / 1000} s` : lastLine(r.stderr) || `ffmpeg exit ${r.code}`;
  return fail(
    name,
    redactText(`cannot decode ${url}: ${why}`),
    `check the camera's power, cable and address; try rtsp_transport: ${camera.rtsp_transport === 'tcp' ? 'udp' : 'tcp'}; the user and password in the URL`,
  );
}

export function checkModel(ctx: DoctorContext): CheckResult {
  if (!ctx.config) return skip('model', 'skipped: needs a valid config');
  if (!ctx.config.cameras.some((c) => c.enabled && c.detect.enabled)) return skip('model', 'skipped: no camera detects objects');
  const location = new ModelStore(ctx.config.data_dir).active();
  try {
    const manifest = verify(location);
    return pass('model', `${location.id}: ${manifest.name}, ${manifest.files.length} files, sha256 ok`);
  } catch (err) {
    return fail('model', `${location.id}: ${errorMessage(err)}`, 'install a good copy: edgectl model install <bundle> (or make models on a build machine)');
  }
}

export async function checkDetector(ctx: DoctorContext): Promise<CheckResult> {
  if (!ctx.config) return skip('detector', 'skipped: needs a valid config');
  if (!ctx.config.cameras.some((c) => c.enabled && c.detect.enabled)) return skip('detector', 'skipped: no camera detects objects');
  const judge = (backend: string, medianMs: number, where: string): CheckResult =>
    medianMs > 1000
      ? {
          name: 'detector',
          status: 'warn',
          detail: `${backend} backend, ${medianMs} ms per inference (${where}) — slow`,
          hint: 'lower cameras[].detect.fps, or install tfjs-node on this box',
        }
      : pass('detector', `${backend} backend, ${medianMs} ms per inference (${where})`);
  if (ctx.agent) {
    try {
      const bench = await ctx.agent.call<{ backend: string; medianMs: number }>('detector.bench', { runs: 3 }, { timeoutMs: 60_000 });
      return judge(bench.backend, bench.medianMs, 'in the agent');
    } catch (err) {
      return fail('detector', `not ready in the agent: ${errorMessage(err)}`, 'edgectl logs --component detector; check the model (above)');
    }
  }
  if (!ctx.standaloneDetector) return skip('detector', 'skipped: agent not running (--standalone-detector times one here)');
  return standaloneBench(ctx.config, judge);
}

async function standaloneBench(config: EdgeConfig, judge: (backend: string, ms: number, where: string) => CheckResult): Promise<CheckResult> {
  const { Detector } = await import('../camera/detector.js');
  const { createEdgeMetrics } = await import('../metrics.js');
  const { pino } = await import('pino');
  const { LOG_REDACTION } = await import('../../common/log.js');
  const model = new ModelStore(config.data_dir).active();
  // Its log goes to stderr, warnings only: stdout carries the doctor's own report (--json).
  const logger = pino({ level: 'warn', base: { component: 'detector' }, ...LOG_REDACTION }, pino.destination(2));
  const detector = new Detector(
    { manifestPath: model.manifestPath, modelRoot: model.modelRoot, restartBackoff: { initialMs: 60_000, maxMs: 60_000 } },
    { metrics: createEdgeMetrics(), logger },
  );
  try {
    await detector.start();
    if (!detector.available)
      return fail('detector', `does not load: ${detector.health().detail}`, 'check the model (above); edgectl logs --component detector');
    const { medianMs } = await timeInference(detector, 3);
    return judge(detector.backend, medianMs, 'standalone');
  } finally {
    await detector.stop();
  }
}

export async function checkDisk(ctx: DoctorContext): Promise<CheckResult> {
  if (!ctx.config) return skip('disk', 'skipped: needs a valid config');
  const c = ctx.config;
  // Before the first start the data directory may not exist yet: measure where it will be made.
  let where = c.data_dir;
  while (!existsSync(where) && dirname(where) !== where) where = dirname(where);
  const free = await diskFreeBytes(where);
  if (free === 0) return fail('disk', `cannot read free space of ${where}`, `check the disk: df -h ${where}`);
  const budget = c.outbox.disk_budget_mb * 1024 * 1024;
  const used = ctx.status?.backlog.bytes ?? 0;
  const logs = c.log.file ? c.log.max_files * c.log.max_file_mb * 1024 * 1024 : 0;
  // The outbox may still grow to its budget; logs to their cap; keep 10 % spare for the OS.
  const needed = Math.max(0, budget - used) + logs;
  const detail = `${formatBytes(free)} free on ${c.data_dir}${where === c.data_dir ? '' : ' (not created yet)'}; outbox may grow by ${formatBytes(Math.max(0, budget - used))}, logs up to ${formatBytes(logs)}`;
  if (free < needed * 1.1) {
    const fits = Math.max(1, Math.floor((free / 1.1 - logs + used) / (1024 * 1024)));
    return fail('disk', detail, `free space, or lower outbox.disk_budget_mb to ${fits} or less`);
  }
  return pass('disk', detail);
}

export async function checkCoordinator(ctx: DoctorContext): Promise<{ result: CheckResult; offsetMs?: number }> {
  if (ctx.status) {
    const u = ctx.status.uplink;
    if (u.state === 'connected') return { result: pass('coordinator', `connected to ${u.address}, token accepted; RTT ${u.rttMs} ms`) };
    if (u.state === 'refused')
      return { result: fail('coordinator', `${u.address} refuses this device: ${u.lastError}`, 'get the right token from the IOC and run edgectl provision') };
    return {
      result: fail(
        'coordinator',
        `${u.state} (${u.address}): ${u.lastError || 'not connected yet'}`,
        'check the network link (modem, satellite terminal) and the address; edgectl link test once it is up',
      ),
    };
  }
  if (!ctx.config) return { result: skip('coordinator', 'skipped: needs a valid config') };
  let token: string;
  try {
    token = readDeviceToken(ctx.config);
  } catch (err) {
    return { result: fail('coordinator', errorMessage(err), 'edgectl provision --coordinator HOST:PORT --token T') };
  }
  const c = ctx.config;
  const outcome = await verifyIdentity(linkTargetOf(c.coordinator), { deviceId: c.device.id, siteId: c.device.site, token });
  if (outcome.ok)
    return { result: pass('coordinator', `${c.coordinator.address} accepts the token (Register, RTT ${outcome.rttMs} ms)`), offsetMs: outcome.offsetMs };
  if (outcome.refused)
    return {
      result: fail('coordinator', `${c.coordinator.address} refuses the token: ${outcome.error}`, 'get the right token from the IOC and run edgectl provision'),
    };
  return { result: fail('coordinator', `${c.coordinator.address} not reachable: ${outcome.error}`, 'check the network link and coordinator.address') };
}

export function checkClock(ctx: DoctorContext, registerOffsetMs: number | undefined): CheckResult {
  const measured = ctx.status ? (ctx.status.clock.synced ? ctx.status.clock.offsetMs : undefined) : registerOffsetMs;
  if (measured === undefined)
    return skip('clock', ctx.status ? 'skipped: offset not measured yet (uplink never connected)' : 'skipped: coordinator not reachable');
  const abs = Math.abs(measured);
  const detail = `offset ${measured >= 0 ? '+' : ''}${measured} ms from the coordinator`;
  const hint = 'check time sync: timedatectl status; systemctl restart systemd-timesyncd (or chrony)';
  if (abs > CLOCK_FAIL_MS) return fail('clock', detail, hint);
  if (abs > CLOCK_WARN_MS) return { name: 'clock', status: 'warn', detail, hint };
  return pass('clock', detail);
}

export async function checkBroker(ctx: DoctorContext): Promise<CheckResult> {
  if (!ctx.status) return skip('broker', 'skipped: agent not running');
  if (!ctx.config) return skip('broker', 'skipped: the config did not load (see the config check)');
  const port = ctx.status.ports.broker;
  let bound: string;
  try {
    bound = resolveBrokerHost(ctx.config.broker);
  } catch (err) {
    return fail('broker', errorMessage(err), 'ip -br addr; set broker.interface to the sensor network interface (or broker.host)');
  }
  const host = bound === '0.0.0.0' || bound === '::' ? '127.0.0.1' : bound;
  const ok = await new Promise<boolean>((resolve) => {
    const socket = connect(port, host);
    socket.setTimeout(3000, () => (socket.destroy(), resolve(false)));
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
  return ok
    ? pass('broker', `MQTT listening on ${host}:${port}; ${ctx.status.sensors.filter((s) => !s.stale).length}/${ctx.status.sensors.length} sensors reporting`)
    : fail('broker', `nothing answers on ${host}:${port}`, 'edgectl logs --component broker; is another program using the port? ss -ltnp');
}

/** Redacted before it is cut: a cut through a URL would leave part of its password unmasked. */
function lastLine(text: string): string {
  return (
    redactText(text)
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1)
      ?.slice(0, 200) ?? ''
  );
}
