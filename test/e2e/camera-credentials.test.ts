// A camera's password never leaves the config file: not in the agent's log (working and failing
// cameras, ffmpeg's own errors), not in status, doctor, config diff, logs or live-preview output.
// And a live preview's ffmpeg does not outlive the agent.
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/tmp.js';
import { startAgent } from '../support/system.js';
import { freePort } from '../support/ports.js';
import { edgectl } from '../support/edgectl.js';
import { distEntry } from '../support/build.js';
import { RtspCamera } from '../support/rtsp-camera.js';
import { waitFor } from '../support/wait.js';
import { projectPath } from '../../common/paths.js';
import type { AgentStatus } from '../../edge/admin/handlers/status.js';

const PASSWORD = 'Secr3tPa55';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The agent's preview transcoders: its children running MPEG-1 (the grabbers decode to raw RGB). */
function previewChildren(agentPid: number): number[] {
  const pids = readdirSync(`/proc/${agentPid}/task`).flatMap((task) =>
    readFileSync(`/proc/${agentPid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
  );
  return pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('mpeg1video');
    } catch {
      return false;
    }
  });
}

t.test('camera passwords stay out of logs and every edgectl answer', { timeout: 480_000 }, async (t) => {
  const dir = tempDir(t);
  const rtsp = await RtspCamera.start({ clip: projectPath('test', 'fixtures', 'vtest-25s.mp4') });
  t.teardown(() => rtsp.close());
  const working = rtsp.url.replace('rtsp://', `rtsp://tech:${PASSWORD}@`);
  const failing = `rtsp://tech:${PASSWORD}@127.0.0.1:${await freePort()}/gone`;
  const cameras = (badUrl: string) => `
cameras:
  - id: cam-gate
    url: ${working}
    rtsp_transport: udp
    detect: { enabled: false }
  - id: cam-dead
    url: ${badUrl}
    detect: { enabled: false }
`;
  const agent = await startAgent(t, {
    dir,
    deviceId: 'edge-creds',
    site: 'tua-chua',
    grpcAddress: `127.0.0.1:${await freePort()}`,
    logYaml: 'log: { file: true, level: debug }',
    bodyYaml: cameras(failing),
  });
  const ctl = (args: string[]) => edgectl(agent.configFile, args);
  const seen: string[] = [];
  const run = async (args: string[]) => {
    const r = await ctl(args);
    seen.push(`$ edgectl ${args.join(' ')}\n${r.stdout}${r.stderr}`);
    return r;
  };

  await waitFor(
    'the working camera online, the failing one reported',
    async () => {
      const s = (await ctl(['status', '--json'])).json<AgentStatus>();
      const log = readFileSync(join(agent.dataDir, 'logs', 'agent.log'), 'utf8');
      return s.cameras.find((c) => c.id === 'cam-gate')?.online && /cam-dead.*camera stream ended/.test(log);
    },
    { timeoutMs: 30_000 },
  );

  await run(['status']);
  await run(['status', '--json']);
  await run(['cameras', 'list']);
  await run(['cameras', 'list', '--json']);
  const doctor = await run(['doctor', '--json']);
  t.match(doctor.stdout, 'tech:***@127.0.0.1', 'doctor names the failing camera, password masked');
  const candidate = join(dir, 'candidate.yaml');
  writeFileSync(candidate, readFileSync(agent.configFile, 'utf8').replace(failing, failing.replace('/gone', '/other')));
  const diff = await run(['config', 'diff', candidate, '--json']);
  t.match(diff.stdout, 'cameras[cam-dead].url', 'the diff shows the URL changed');
  const deadLive = await run(['cameras', 'live', 'cam-dead', '--json']);
  t.equal(deadLive.code, 1, 'a preview of a camera that fails is a failure');
  t.match(deadLive.stdout, /"stopped":"camera failed"/);
  await run(['logs', '--lines', '400']);

  // A preview running when the agent stops: its ffmpeg goes with the agent.
  const live = spawn(process.execPath, [distEntry('edge/cli/main.js'), '--config', agent.configFile, 'cameras', 'live', 'cam-gate', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => live.kill('SIGKILL'));
  let output = '';
  live.stdout.on('data', (d: Buffer) => (output += d.toString()));
  live.stderr.on('data', (d: Buffer) => (output += d.toString()));
  await waitFor('preview link printed', () => output.includes('"token"'), { timeoutMs: 60_000 }).catch((err: Error) => {
    throw new Error(`${err.message}; edgectl printed: ${output}`);
  });
  const [pid] = await waitFor('preview ffmpeg running', () => {
    const pids = previewChildren(agent.proc.pid!);
    return pids.length > 0 ? pids : undefined;
  });
  t.ok(alive(pid!), `the preview's ffmpeg runs (pid ${pid})`);
  const stopped = await agent.proc.stop();
  t.equal(stopped.code, 0, 'the agent stops cleanly');
  await waitFor('preview ffmpeg gone', () => !alive(pid!), { timeoutMs: 5_000 });
  t.pass('the preview ffmpeg is gone once the agent stopped');
  seen.push(output);

  const log = readdirSync(join(agent.dataDir, 'logs'))
    .map((f) => readFileSync(join(agent.dataDir, 'logs', f), 'utf8'))
    .join('');
  t.match(log, /cam-dead/, 'the failing camera was logged');
  t.match(log, 'tech:***@127.0.0.1', 'with its URL, password masked');
  t.notMatch(log, PASSWORD, 'no password in the agent log');
  t.notMatch(agent.proc.logs(), PASSWORD, 'nor on its stdout');
  for (const text of seen) t.notMatch(text, PASSWORD, `no password in: ${text.split('\n')[0]}`);
});
