// SIGTERM with a backlog, as systemd stops the service: the agent exits cleanly within a bounded
// time, its ffmpeg children gone, and after the restart everything it had produced — readings in
// open windows, camera events it closed on the way out — reaches the coordinator.
import t from 'tap';
import mqtt from 'mqtt';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tempDir } from '../support/tmp.js';
import { startAgent, startCoordinator, type EventItem } from '../support/system.js';
import { freePort } from '../support/ports.js';
import { edgectl } from '../support/edgectl.js';
import { backlogYaml, produceBacklog } from '../support/backlog.js';
import { waitFor } from '../support/wait.js';
import { projectPath } from '../../common/paths.js';
import type { AgentStatus } from '../../edge/admin/handlers/status.js';

function childPids(parentPid: number): number[] {
  const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(parentPid)], { encoding: 'utf8' }).trim();
  return out ? out.split('\n').map((l) => Number(l.trim())) : [];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const readingsAt = async (coordinator: { api: { allEvents(q: string): Promise<EventItem[]> } }, device: string) =>
  (await coordinator.api.allEvents(`device=${device}&kind=telemetry`)).reduce((n, e) => n + Number(e.payload.count ?? 0), 0);

t.test('uplink down: SIGTERM flushes open windows and closes camera events; nothing lost on restart', async (t) => {
  const dir = tempDir(t);
  const grpcPort = await freePort();
  const agent = await startAgent(t, {
    dir,
    deviceId: 'edge-term',
    site: 'muong-nhe',
    grpcAddress: `127.0.0.1:${grpcPort}`,
    bodyYaml: `
sensors:
  - id: river-1
    type: water_level
    credentials: { username: river-1, password: river-1-secret }
    metrics: [{ name: level, unit: m, windows_s: [3600] }]
cameras:
  - id: cam-file
    url: file:${projectPath('test', 'fixtures', 'vtest-25s.mp4')}
    detect: { enabled: false }
`,
  });
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${agent.brokerPort}`, { username: 'river-1', password: 'river-1-secret' });
  const readings = 40;
  for (let i = 0; i < readings; i++) await client.publishAsync('sensors/river-1/level', String(2 + i / 100), { qos: 1 });
  await client.endAsync();
  await waitFor(
    'camera producing motion events',
    async () => {
      const s = (await edgectl(agent.configFile, ['status', '--json'])).json<AgentStatus>();
      return s.cameras[0]?.online && s.cameras[0].lastEvent !== null && s.backlog.records > 0;
    },
    { timeoutMs: 30_000 },
  );
  const children = childPids(agent.proc.pid!);
  t.ok(children.length >= 1, 'ffmpeg is running under the agent');

  const stoppedAtMs = Date.now();
  const stopped = await agent.proc.stop();
  t.equal(stopped.code, 0, 'clean exit status');
  t.ok(stopped.ms < 10_000, `exited in ${stopped.ms} ms (bound: drain 5 s, hard stop 20 s)`);
  t.same(children.filter(alive), [], 'no ffmpeg left behind');

  const coordinator = await startCoordinator(t, { dir, devices: [{ id: 'edge-term', site: 'muong-nhe' }], grpcPort });
  await agent.restart();
  const total = await waitFor(
    `${readings} readings at the coordinator`,
    async () => ((await readingsAt(coordinator, 'edge-term')) === readings ? readings : undefined),
    { timeoutMs: 30_000 },
  );
  t.equal(total, readings, 'the window that was open at SIGTERM was flushed and delivered');
  // The store keeps one row per event with its latest phase: every motion episode of the first
  // run must have reached "end" (closed by the camera as the agent stopped). The restarted agent
  // watches the same clip, so its own, still open, episodes are left out.
  const motion = await waitFor('every motion event ended at the coordinator', async () => {
    const all = (await coordinator.api.allEvents('device=edge-term&kind=camera_event')).filter(
      (e) => e.payload.type === 'motion' && Number(e.payload.started_ms) <= stoppedAtMs,
    );
    return all.length > 0 && all.every((e) => e.phase === 'end') ? all : undefined;
  });
  t.ok(motion.length > 0, `${motion.length} motion events, all ended`);
});

t.test('slow link: SIGTERM drains for a bounded time, exits, and delivers the rest after restart', async (t) => {
  const dir = tempDir(t);
  const coordinator = await startCoordinator(t, { dir, devices: [{ id: 'edge-slow', site: 'muong-nhe' }] });
  const agent = await startAgent(t, {
    dir,
    deviceId: 'edge-slow',
    site: 'muong-nhe',
    grpcAddress: `127.0.0.1:${coordinator.grpcPort}`,
    bodyYaml: backlogYaml(1),
  });
  await waitFor('uplink connected', async () => (await edgectl(agent.configFile, ['status', '--json'])).json<AgentStatus>().uplink.state === 'connected');
  const readings = await produceBacklog(agent.brokerPort, 4);
  const backlog = await waitFor('a backlog the 1 kbit/s link cannot clear in 5 s', async () => {
    const s = (await edgectl(agent.configFile, ['status', '--json'])).json<AgentStatus>();
    return s.backlog.bytes > 2000 ? s.backlog : undefined;
  });
  t.ok(backlog.records > 0);

  const stopped = await agent.proc.stop();
  t.equal(stopped.code, 0);
  t.ok(stopped.ms >= 4_000 && stopped.ms < 12_000, `drained for its 5 s bound, then exited (${stopped.ms} ms)`);
  t.ok((await readingsAt(coordinator, 'edge-slow')) < readings, 'not everything fit through the link before exit');

  // The technician lifts the cap (as `edgectl link test` would advise) and the agent starts again.
  writeFileSync(agent.configFile, readFileSync(agent.configFile, 'utf8').replace('rate_kbps: 1,', 'rate_kbps: 0,'));
  await agent.restart();
  const total = await waitFor(
    `all ${readings} readings delivered`,
    async () => ((await readingsAt(coordinator, 'edge-slow')) === readings ? readings : undefined),
    { timeoutMs: 30_000 },
  );
  t.equal(total, readings, 'the backlog left at SIGTERM was kept and delivered once');
});
