// Running unattended: a real agent process with a real RTSP camera, a dead camera and a sensor.
// The camera's ffmpeg is killed and the detector worker crashed; both come back, the restarts
// are counted in status and metrics, and the sensor path and the uplink never notice.
import t from 'tap';
import mqtt from 'mqtt';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tempDir } from '../support/tmp.js';
import { startAgent, startCoordinator } from '../support/system.js';
import { freePort } from '../support/ports.js';
import { RtspCamera } from '../support/rtsp-camera.js';
import { edgectl } from '../support/edgectl.js';
import { waitFor } from '../support/wait.js';
import { projectPath } from '../../common/paths.js';
import { AdminClient } from '../../edge/admin/client.js';
import type { AgentStatus } from '../../edge/admin/handlers/status.js';

/** ffmpeg children of a process, with their command lines. */
function ffmpegChildren(parentPid: number): { pid: number; cmdline: string }[] {
  const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(parentPid)], { encoding: 'utf8' }).trim();
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([, comm]) => comm === 'ffmpeg')
    .map(([pid]) => ({ pid: Number(pid), cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ') }));
}

t.test('a killed ffmpeg and a crashed detector come back; sensors and uplink unaffected', async (t) => {
  const dir = tempDir(t);
  const rtsp = await RtspCamera.start({ clip: projectPath('test', 'fixtures', 'vtest-25s.mp4') });
  t.teardown(() => rtsp.close());
  const deadPort = await freePort();
  const coordinator = await startCoordinator(t, { dir, devices: [{ id: 'edge-sup', site: 'muong-nhe' }] });
  const agent = await startAgent(t, {
    dir,
    deviceId: 'edge-sup',
    site: 'muong-nhe',
    grpcAddress: `127.0.0.1:${coordinator.grpcPort}`,
    testHooks: true,
    bodyYaml: `
sensors:
  - id: river-1
    type: water_level
    credentials: { username: river-1, password: river-1-secret }
    metrics: [{ name: level, unit: m, windows_s: [2] }]
cameras:
  - id: cam-street
    url: ${rtsp.url}
    rtsp_transport: udp
  - id: cam-dead
    url: rtsp://127.0.0.1:${deadPort}/nothing-here
    offline_after_s: 3
`,
  });
  const status = async () => (await edgectl(agent.configFile, ['status', '--json'])).json<AgentStatus>();
  const camera = (s: AgentStatus, id: string) => s.cameras.find((c) => c.id === id)!;

  const before = await waitFor(
    'camera online, detector ready, uplink connected',
    async () => {
      const s = await status();
      return camera(s, 'cam-street').online && s.detector?.state === 'ok' && s.uplink.state === 'connected' ? s : undefined;
    },
    { timeoutMs: 40_000 },
  );
  t.equal(camera(before, 'cam-dead').online, false, 'the dead camera is offline…');
  t.equal(before.components.find((c) => c.name === 'broker')!.state, 'ok', '…and the broker is fine');
  const reconnectsBefore = await agent.metric('ioc_edge_uplink_reconnects_total');
  await waitFor('people detected on the street', async () => (await agent.metric('ioc_edge_detections_total', { camera: 'cam-street', label: 'person' })) > 0, {
    timeoutMs: 30_000,
  });
  t.ok((await agent.metric('ioc_edge_detect_seconds_count')) > 0, 'inference times recorded');
  // An event needs a confirmed track (a few detections of the same person): it follows shortly.
  await waitFor('camera events counted', async () => (await agent.metric('ioc_edge_camera_events_total', { camera: 'cam-street' })) > 0, { timeoutMs: 30_000 });
  t.equal(await agent.metric('ioc_edge_camera_online', { camera: 'cam-street' }), 1);
  t.equal(await agent.metric('ioc_edge_camera_online', { camera: 'cam-dead' }), 0);

  // A sensor keeps publishing through all of it.
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${agent.brokerPort}`, { username: 'river-1', password: 'river-1-secret' });
  t.teardown(() => client.endAsync());
  let published = 0;
  const publisher = setInterval(() => {
    published++;
    void client.publishAsync('sensors/river-1/level', String(1 + published / 100), { qos: 1 });
  }, 100);
  t.teardown(() => clearInterval(publisher));

  const streetFfmpeg = ffmpegChildren(agent.proc.pid!).filter((p) => p.cmdline.includes(rtsp.url));
  t.equal(streetFfmpeg.length, 1, 'one ffmpeg reads the street camera');
  process.kill(streetFfmpeg[0]!.pid, 'SIGKILL');
  const admin = await AdminClient.connect(agent.socket);
  await admin.call('test.detector-fault', { mode: 'crash' });
  admin.close();

  await waitFor('camera reconnect counted', async () => (await agent.metric('ioc_edge_camera_reconnects_total', { camera: 'cam-street' })) >= 1);
  await waitFor('detector restart counted', async () => (await agent.metric('ioc_edge_detector_restarts_total')) >= 1, { timeoutMs: 30_000 });
  const framesAfterKill = await agent.metric('ioc_edge_camera_frames_total', { camera: 'cam-street' });
  const after = await waitFor(
    'camera and detector back',
    async () => {
      const s = await status();
      const frames = await agent.metric('ioc_edge_camera_frames_total', { camera: 'cam-street' });
      return camera(s, 'cam-street').online && s.detector?.state === 'ok' && frames > framesAfterKill + 10 ? s : undefined;
    },
    { timeoutMs: 40_000 },
  );
  const fresh = ffmpegChildren(agent.proc.pid!).filter((p) => p.cmdline.includes(rtsp.url));
  t.equal(fresh.length, 1, 'exactly one new ffmpeg for the street camera');
  t.not(fresh[0]!.pid, streetFfmpeg[0]!.pid);
  t.ok(camera(after, 'cam-street').reconnects >= 1, 'status counts the camera reconnect');
  t.ok(after.detector!.restarts >= 1, 'status counts the detector restart');
  t.ok(after.components.find((c) => c.name === 'detector')!.restarts >= 1);

  clearInterval(publisher);
  const sent = published;
  await new Promise((r) => setTimeout(r, 500));
  const delivered = await waitFor(
    `all ${sent} readings aggregated at the coordinator`,
    async () => {
      const events = await coordinator.api.allEvents('device=edge-sup&kind=telemetry');
      const total = events.reduce((n, e) => n + Number(e.payload.count ?? 0), 0);
      return total === sent ? total : undefined;
    },
    { timeoutMs: 30_000 },
  );
  t.equal(delivered, sent, 'no sensor reading lost while the camera side failed');
  const end = await status();
  t.equal(end.uplink.state, 'connected');
  t.equal(end.uplink.connectedSinceMs, before.uplink.connectedSinceMs, 'the uplink session never dropped');
  t.equal(await agent.metric('ioc_edge_uplink_reconnects_total'), reconnectsBefore);
  t.equal(camera(end, 'cam-dead').online, false, 'the bad camera stays offline without harming the rest');
  t.ok(end.sensors[0]!.lastSeenMs > before.nowMs, 'the sensor kept reporting');
});
