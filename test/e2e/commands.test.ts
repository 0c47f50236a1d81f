// Commands with real processes: ping and a camera snapshot get their receipts (the snapshot's
// JPEG arrives through the thumbnail lane); a command that expires while the box is offline is
// never sent; one that reaches the box after its expiry (a stalled satellite link) is answered
// `expired` by the edge and not executed.
import t from 'tap';
import sharp from 'sharp';
import { tempDir } from '../support/tmp.js';
import { OPERATOR_TOKEN, startAgent, startCoordinator, type Api } from '../support/system.js';
import { waitFor, delay } from '../support/wait.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { RtspCamera } from '../support/rtsp-camera.js';

interface Command {
  id: string;
  status: string;
  receipt: { status: string; detail: string } | null;
  snapshotUrl: string | null;
}

const issue = async (api: Api, device: string, body: object): Promise<Command> => {
  const res = await api.raw(`/api/v1/devices/${device}/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`command refused: ${res.status} ${await res.text()}`);
  return (await res.json()) as Command;
};
const settled = (api: Api, id: string) =>
  waitFor(
    `command ${id} settled`,
    async () => {
      const c = await api.get<Command>(`/api/v1/commands/${id}`);
      return c.status !== 'queued' && c.status !== 'sent' ? c : undefined;
    },
    { timeoutMs: 30_000 },
  );

t.test('ping and snapshot: receipts, and the snapshot JPEG through the thumbnail lane', async (t) => {
  const dir = tempDir(t);
  const rtsp = await RtspCamera.start({ input: ['-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=5'] });
  t.teardown(() => rtsp.close());
  const c = await startCoordinator(t, { dir, devices: [{ id: 'edge-k', site: 'muong-nhe' }] });
  const agent = await startAgent(t, {
    dir,
    deviceId: 'edge-k',
    site: 'muong-nhe',
    grpcAddress: `127.0.0.1:${c.grpcPort}`,
    bodyYaml: `cameras:\n  - id: gate\n    url: ${rtsp.url}\n    rtsp_transport: udp\n    detect: { enabled: false }\n`,
  });
  const operator = c.api.as(OPERATOR_TOKEN);
  await waitFor('edge online', async () => (await c.api.get<{ online: boolean }>('/api/v1/devices/edge-k')).online);

  const ping = await settled(c.api, (await issue(operator, 'edge-k', { name: 'ping' })).id);
  t.equal(ping.status, 'done');
  const detail = JSON.parse(ping.receipt!.detail) as { edgeTimeMs: number; uptimeS: number };
  t.ok(Math.abs(detail.edgeTimeMs - Date.now()) < 60_000 && detail.uptimeS >= 0, 'the edge answered with its clock and uptime');

  const bad = await operator.raw('/api/v1/devices/edge-k/commands', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'snapshot', args: { cam: 'gate' } }),
  });
  t.equal(bad.status, 400, 'arguments are checked at the API');
  t.match(await bad.json(), { error: { code: 'VALIDATION', message: /args\.camera/ } });

  await waitFor('the camera has frames', async () => (await agent.metric('ioc_edge_camera_frames_total', { camera: 'gate' })) > 0, { timeoutMs: 30_000 });
  const snap = await settled(c.api, (await issue(operator, 'edge-k', { name: 'snapshot', args: { camera: 'gate' } })).id);
  t.equal(snap.status, 'done', snap.receipt?.detail ?? 'the snapshot command is done');
  t.match(snap.snapshotUrl, /^\/api\/v1\/events\/edge-k\.camera\.snapshot-[A-Za-z0-9]+\/thumbnail$/, "the URL names the device's own thumbnail");
  const jpeg = await waitFor('the snapshot through the thumbnail lane', async () => {
    const res = await c.api.raw(snap.snapshotUrl!);
    return res.status === 200 ? Buffer.from(await res.arrayBuffer()) : undefined;
  });
  const meta = await sharp(jpeg).metadata();
  t.equal(meta.format, 'jpeg');
  t.ok(meta.width! >= 320 && Math.abs(meta.width! / meta.height! - 4 / 3) < 0.02, `a JPEG of the 4:3 camera picture (${meta.width}×${meta.height})`);

  const missing = await settled(c.api, (await issue(operator, 'edge-k', { name: 'restart_camera', args: { camera: 'nope' } })).id);
  t.equal(missing.status, 'failed');
  t.match(missing.receipt!.detail, /no camera "nope" on this edge \(gate\)/);
  const restart = await settled(c.api, (await issue(operator, 'edge-k', { name: 'restart_camera', args: { camera: 'gate' } })).id);
  t.equal(restart.status, 'done');
  const resend = await settled(c.api, (await issue(operator, 'edge-k', { name: 'resend_range', args: { lane: 'event', from_seq: 1, to_seq: 100 } })).id);
  t.match(JSON.parse(resend.receipt!.detail), { lane: 'event', resent: 0 }, 'no dead letters to resend');
  t.equal(await agent.metric('ioc_edge_commands_total', { name: 'ping', status: 'done' }), 1, 'ping ran once');
});

t.test('expired commands never run: expired while offline (never sent), and expired on arrival (refused by the edge)', async (t) => {
  const dir = tempDir(t);
  const c = await startCoordinator(t, { dir, devices: [{ id: 'edge-s', site: 'muong-nhe' }] });
  const proxy = await FaultProxy.start({ targetPort: c.grpcPort });
  t.teardown(() => proxy.close());
  const agent = await startAgent(t, { dir, deviceId: 'edge-s', site: 'muong-nhe', grpcAddress: proxy.address });
  const operator = c.api.as(OPERATOR_TOKEN);
  await waitFor('edge online', async () => (await c.api.get<{ online: boolean }>('/api/v1/devices/edge-s')).online);

  // The link stalls: the coordinator still has the stream and sends, the bytes wait in the link.
  proxy.blackhole();
  const stalled = await issue(operator, 'edge-s', { name: 'ping', ttl_s: 2 });
  t.equal(stalled.status, 'sent', 'sent into the stalled link');
  await delay(3500);
  await proxy.restore();
  const late = await settled(c.api, stalled.id);
  t.equal(late.status, 'expired', 'the edge refused it');
  t.equal(late.receipt!.detail, 'expired before it reached the edge; not executed');
  t.equal(await agent.metric('ioc_edge_commands_total', { name: 'ping' }), 0, 'the edge never ran it');

  // The box is off: the command expires in the queue and is never sent.
  await waitFor('edge online again', async () => (await c.api.get<{ online: boolean }>('/api/v1/devices/edge-s')).online, { timeoutMs: 30_000 });
  await agent.proc.kill9();
  await waitFor('edge offline', async () => !(await c.api.get<{ online: boolean }>('/api/v1/devices/edge-s')).online);
  const queued = await issue(operator, 'edge-s', { name: 'ping', ttl_s: 1 });
  t.equal(queued.status, 'queued');
  await delay(1500);
  t.equal((await c.api.get<Command>(`/api/v1/commands/${queued.id}`)).status, 'expired', 'reads as expired once past its expiry');
  await agent.restart();
  await waitFor('edge back', async () => (await c.api.get<{ online: boolean }>('/api/v1/devices/edge-s')).online);
  const never = await settled(c.api, queued.id);
  t.equal(never.receipt!.detail, 'expired before it could be delivered; never sent');
  const fresh = await settled(c.api, (await issue(operator, 'edge-s', { name: 'ping' })).id);
  t.equal(fresh.status, 'done', 'a fresh command still works');
  t.equal(await agent.metric('ioc_edge_commands_total', { name: 'ping' }), 1, 'only the fresh one ran');
});
