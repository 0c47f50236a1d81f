// Sensor publish → aggregate → outbox → gRPC → coordinator → API, with real processes.
import t from 'tap';
import mqtt from 'mqtt';
import { tempDir } from '../support/tmp.js';
import { startAgent, startCoordinator, type EventItem } from '../support/system.js';
import { waitFor } from '../support/wait.js';

const SENSORS = `
sensors:
  - id: river-1
    type: water_level
    credentials: { username: river-1, password: river-1-secret }
    metrics: [{ name: level, unit: m, valid_range: [0, 30], windows_s: [2] }]
    thresholds:
      - { id: flood, metric: level, condition: above, value: 4.5, clear: 4.0, severity: high, message: river above 4.5 m }
`;

t.test('readings become window aggregates with the right min/max/mean at the coordinator', async (t) => {
  const dir = tempDir(t);
  const coordinator = await startCoordinator(t, { dir, devices: [{ id: 'edge-a', site: 'muong-nhe' }] });
  const agent = await startAgent(t, { dir, deviceId: 'edge-a', site: 'muong-nhe', grpcAddress: `127.0.0.1:${coordinator.grpcPort}`, bodyYaml: SENSORS });
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${agent.brokerPort}`, { username: 'river-1', password: 'river-1-secret' });
  t.teardown(() => client.endAsync());

  // Publish inside one 2-second window: wait for a window boundary first.
  await new Promise((r) => setTimeout(r, 2000 - (Date.now() % 2000) + 50));
  const values = [1.5, 2.5, 3.0, 2.0];
  for (const v of values) await client.publishAsync('sensors/river-1/level', JSON.stringify({ value: v }), { qos: 1 });

  const telemetry = await waitFor('telemetry window at the coordinator', async () => {
    const events = await coordinator.api.allEvents('device=edge-a&kind=telemetry');
    return events.find((e) => e.payload.count === values.length);
  });
  t.equal(telemetry.payload.min, 1.5);
  t.equal(telemetry.payload.max, 3.0);
  t.equal(telemetry.payload.mean, 2.25);
  t.equal(telemetry.payload.unit, 'm');

  const series = await coordinator.api.get<{ points: { count: number; min: number; max: number; mean: number }[] }>(
    `/api/v1/sensors/edge-a/river-1/level/series?from=${Date.now() - 60_000}&to=${Date.now() + 60_000}&step=60`,
  );
  const total = series.points.reduce((n, p) => n + p.count, 0);
  t.equal(total, values.length, 'the series holds every reading once');
  t.equal(Math.min(...series.points.map((p) => p.min)), 1.5);
  t.equal(Math.max(...series.points.map((p) => p.max)), 3.0);
});

t.test('a noisy signal around the threshold raises one alarm and clears it once (hysteresis)', async (t) => {
  const dir = tempDir(t);
  const coordinator = await startCoordinator(t, { dir, devices: [{ id: 'edge-b', site: 'muong-nhe' }] });
  const agent = await startAgent(t, { dir, deviceId: 'edge-b', site: 'muong-nhe', grpcAddress: `127.0.0.1:${coordinator.grpcPort}`, bodyYaml: SENSORS });
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${agent.brokerPort}`, { username: 'river-1', password: 'river-1-secret' });
  t.teardown(() => client.endAsync());

  // Rise through 4.5 with ±0.2 m chatter, hover, then fall through 4.0 with chatter. The chatter
  // (0.4 m peak to peak) crosses each threshold many times but stays inside the 0.5 m band.
  const signal: number[] = [];
  for (let i = 0; i < 40; i++) signal.push(3.8 + i * 0.03 + (i % 2 === 0 ? 0.2 : -0.2));
  for (let i = 0; i < 20; i++) signal.push(4.7 + (i % 2 === 0 ? 0.2 : -0.2));
  for (let i = 0; i < 40; i++) signal.push(4.9 - i * 0.04 + (i % 2 === 0 ? 0.2 : -0.2));
  const crossings = signal.slice(1).filter((v, i) => v > 4.5 !== signal[i]! > 4.5).length;
  t.ok(crossings > 10, `the signal crosses 4.5 m ${crossings} times`);
  for (const v of signal) await client.publishAsync('sensors/river-1/level', v.toFixed(3), { qos: 1 });

  const alarms = await waitFor('raise and clear at the coordinator', async () => {
    const events = await coordinator.api.allEvents('device=edge-b&kind=alarm');
    return events.some((e) => e.phase === 'cleared') ? events : undefined;
  });
  await new Promise((r) => setTimeout(r, 1000));
  const final: EventItem[] = await coordinator.api.allEvents('device=edge-b&kind=alarm');
  t.same(
    final.map((e) => e.phase),
    ['raised', 'cleared'],
    'exactly one raise and one clear',
  );
  t.equal(final[0]!.payload.alarm_id, final[1]!.payload.alarm_id, 'clear carries the alarm id of the raise');
  t.equal(final[0]!.severity, 'high');
  t.ok(alarms.length >= 2);
});

t.test('the heartbeat sent as the stream opens already reports the uplink as connected', async (t) => {
  const dir = tempDir(t);
  const coordinator = await startCoordinator(t, { dir, devices: [{ id: 'edge-c', site: 'muong-nhe' }] });
  // The next heartbeat is a minute away: what the device shows is the one sent on connect.
  await startAgent(t, {
    dir,
    deviceId: 'edge-c',
    site: 'muong-nhe',
    grpcAddress: `127.0.0.1:${coordinator.grpcPort}`,
    bodyYaml: `${SENSORS}uplink: { heartbeat_s: 60 }\n`,
  });
  interface Device {
    health: { components: { name: string; state: string; detail: string }[] } | null;
  }
  const uplink = await waitFor('first heartbeat at the coordinator', async () =>
    (await coordinator.api.get<Device>('/api/v1/devices/edge-c')).health?.components.find((c) => c.name === 'uplink'),
  );
  t.equal(uplink.state, 'ok', uplink.detail);
  t.match(uplink.detail, /^connected to /);
});
