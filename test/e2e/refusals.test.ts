// Wrong device tokens and invalid configs are refused with a clear reason; nothing crashes.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/tmp.js';
import { startAgent, startCoordinator, edgeYaml, sumMetric, coordinatorMetrics } from '../support/system.js';
import { runNode } from '../support/process.js';
import { waitFor } from '../support/wait.js';

t.test('a device with a wrong token is refused, counted, and keeps running', async (t) => {
  const dir = tempDir(t);
  const coordinator = await startCoordinator(t, { dir, devices: [{ id: 'edge-ok', site: 'tua-chua' }] });
  // The coordinator knows edge-ok; this agent claims to be edge-ok with another device's token.
  const agent = await startAgent(t, { dir, deviceId: 'edge-ok', site: 'tua-chua', grpcAddress: `127.0.0.1:${coordinator.grpcPort}` });
  const config = agent.configFile;
  writeFileSync(
    config,
    edgeYaml(
      { dir, deviceId: 'edge-ok', site: 'tua-chua', grpcAddress: `127.0.0.1:${coordinator.grpcPort}`, token: 'wrong-token-wrong-token-0000' },
      agent.brokerPort,
    ),
  );
  await agent.restart();
  await waitFor('the refusal counted at the coordinator', async () => {
    const text = await coordinatorMetrics(`http://127.0.0.1:${coordinator.httpPort}`);
    return sumMetric(text, 'ioc_edgelink_auth_failures_total', { reason: 'bad_token' }) >= 1;
  });
  await waitFor('the agent sees it is refused', async () => (await agent.metric('ioc_edge_uplink_reconnects_total', { reason: 'refused' })) >= 1);
  t.ok(agent.proc.running, 'the agent keeps running (and retries rarely)');
  const device = await coordinator.api.get<{ online: boolean }>('/api/v1/devices/edge-ok');
  t.equal(device.online, false, 'a refused device is not online');
});

t.test('an unknown device id is refused', async (t) => {
  const dir = tempDir(t);
  const coordinator = await startCoordinator(t, { dir, devices: [] });
  const agent = await startAgent(t, { dir, deviceId: 'edge-ghost', site: 'tua-chua', grpcAddress: `127.0.0.1:${coordinator.grpcPort}` });
  await waitFor('refusal', async () => (await agent.metric('ioc_edge_uplink_reconnects_total', { reason: 'refused' })) >= 1);
  const text = await coordinatorMetrics(`http://127.0.0.1:${coordinator.httpPort}`);
  t.ok(sumMetric(text, 'ioc_edgelink_auth_failures_total', { reason: 'unknown_device' }) >= 1);
});

t.test('an invalid config exits with status 2 naming the file, the path and the reason', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'broken.yaml');
  writeFileSync(
    file,
    `version: 1
device: { id: edge-x, site: muong-nhe, site_name: MN, location: { lat: 122, lon: 102 } }
coordinator: { address: nowhere, token: short }
sensors:
  - id: rain-1
    type: rain_gauge
    credentials: { username: rain-1, password: rain-1-password }
    metrics: [{ name: rainfall }]
    thresholds: [{ id: heavy, metric: rain, condition: above, value: 50 }]
cameras:
  - id: cam-1
    url: rtsp://10.0.0.1/stream
    zones: [{ id: gate, points: [[0, 0], [1, 1]] }]
`,
  );
  const { code, stderr } = await runNode('edge/main.js', ['--config', file]);
  t.equal(code, 2);
  t.match(stderr, file);
  t.match(stderr, 'device.location.lat:');
  t.match(stderr, 'coordinator.address: expected host:port');
  t.match(stderr, 'coordinator.token: at least 16 characters');
  t.match(stderr, 'sensors[0].thresholds[0].metric: no metric "rain" on this sensor');
  t.match(stderr, 'cameras[0].zones[0].points: needs ≥ 3 points');
  const missing = await runNode('edge/main.js', ['--config', join(dir, 'nope.yaml')]);
  t.equal(missing.code, 2);
  t.match(missing.stderr, 'cannot read: ENOENT');
  const notYaml = join(dir, 'garbage.yaml');
  writeFileSync(notYaml, 'version: 1\n  bad: [indent\n');
  const garbage = await runNode('edge/main.js', ['--config', notYaml]);
  t.equal(garbage.code, 2);
  t.match(garbage.stderr, 'YAML');
});
