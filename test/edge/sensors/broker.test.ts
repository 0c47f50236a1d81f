import t from 'tap';
import type { TapTest } from '../../support/feature-stores.js';
import mqtt from 'mqtt';
import { SensorBroker } from '../../../edge/sensors/broker.js';
import { createEdgeMetrics } from '../../../edge/metrics.js';
import type { SensorConfig } from '../../../common/config/edge-schema.js';
import type { SensorReading } from '../../../edge/sensors/readings.js';
import { sumMetric } from '../../support/system.js';
import { waitFor } from '../../support/wait.js';

const sensors: SensorConfig[] = ['river-1', 'rain-1'].map((id) => ({
  id,
  type: 'water_level',
  credentials: { username: id, password: `${id}-password` },
  metrics: [{ name: 'level', unit: 'm', windows_s: [60] }],
  thresholds: [],
  stale_after_s: 300,
}));

async function startBroker(t: TapTest) {
  const metrics = createEdgeMetrics();
  const readings: SensorReading[] = [];
  const broker = new SensorBroker({
    host: '127.0.0.1',
    port: 0,
    maxPayloadBytes: 128,
    sensors,
    metrics,
    onReading: (r) => {
      readings.push(r);
    },
  });
  await broker.start();
  t.teardown(() => broker.stop());
  const rejects = async (reason: string) => sumMetric(await metrics.registry.metrics(), 'ioc_edge_mqtt_rejects_total', { reason });
  return { broker, readings, rejects, url: `mqtt://127.0.0.1:${broker.port}` };
}

t.test('a sensor with its credentials publishes under its own topic', async (t) => {
  const { url, readings } = await startBroker(t);
  const client = await mqtt.connectAsync(url, { username: 'river-1', password: 'river-1-password' });
  await client.publishAsync('sensors/river-1/level', '3.25', { qos: 1 });
  await waitFor('reading', () => readings.length === 1);
  t.match(readings[0], { sensorId: 'river-1', metric: 'level', value: 3.25 });
  await client.endAsync();
});

t.test('unknown clients and wrong passwords are refused and counted', async (t) => {
  const { url, rejects } = await startBroker(t);
  const unknown = await mqtt.connectAsync(url, { username: 'intruder', password: 'x', reconnectPeriod: 0 }).then(
    () => 'connected',
    (err: Error) => err.message,
  );
  t.match(unknown, /Not authorized|not authorized/i);
  const wrong = await mqtt.connectAsync(url, { username: 'river-1', password: 'wrong', reconnectPeriod: 0 }).then(
    () => 'connected',
    (err: Error) => err.message,
  );
  t.match(wrong, /Bad username or password/i);
  const anonymous = await mqtt.connectAsync(url, { reconnectPeriod: 0 }).then(
    () => 'connected',
    (err: Error) => err.message,
  );
  t.not(anonymous, 'connected');
  t.equal(await rejects('unknown_client'), 2);
  t.equal(await rejects('bad_credentials'), 1);
});

t.test("publishing under another sensor's topic disconnects and counts an ACL violation", async (t) => {
  const { url, readings, rejects } = await startBroker(t);
  const client = await mqtt.connectAsync(url, { username: 'river-1', password: 'river-1-password', reconnectPeriod: 0 });
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  client.publish('sensors/rain-1/level', '1', { qos: 1 });
  await closed;
  t.equal(await rejects('acl_denied'), 1);
  t.equal(readings.length, 0, 'nothing was ingested for rain-1');
  const sub = await mqtt.connectAsync(url, { username: 'rain-1', password: 'rain-1-password', reconnectPeriod: 0 });
  const granted = await sub.subscribeAsync('sensors/#').catch((err: Error) => err);
  t.ok(granted instanceof Error || (Array.isArray(granted) && granted[0]?.qos === 128), 'subscriptions are refused');
  await sub.endAsync(true);
});

t.test('malformed, non-finite, oversized and off-topic payloads are dropped by reason; the broker keeps serving', async (t) => {
  const { url, readings, rejects } = await startBroker(t);
  const client = await mqtt.connectAsync(url, { username: 'river-1', password: 'river-1-password' });
  const bad: [string, string | Buffer][] = [
    ['sensors/river-1/level', 'not a number'],
    ['sensors/river-1/level', '{"value": null}'],
    ['sensors/river-1/level', 'Infinity'],
    ['sensors/river-1/level', 'x'.repeat(500)],
    ['sensors/river-1/flow', '3'],
    ['sensors/river-1/level/extra', '3'],
    ['sensors/river-1/level', Buffer.from([0, 159, 146, 150])],
  ];
  for (const [topic, payload] of bad) await client.publishAsync(topic, payload, { qos: 1 });
  await client.publishAsync('sensors/river-1/level', '2.5', { qos: 1 });
  await waitFor('the good reading after the bad ones', () => readings.length === 1);
  t.equal(readings[0]!.value, 2.5);
  t.equal(await rejects('malformed'), 3);
  t.equal(await rejects('non_finite'), 1);
  t.equal(await rejects('oversized'), 1);
  t.equal(await rejects('unknown_metric'), 1);
  t.equal(await rejects('off_topic'), 1);
  await client.endAsync();
});
