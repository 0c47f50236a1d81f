// The broker's packet guard against a real listening broker: oversize before and after
// authentication, too many unauthenticated connections, a CONNECT sent byte by byte.
import t from 'tap';
import type { TapTest } from '../../support/feature-stores.js';
import WebSocket from 'ws';
import { SensorBroker, type SensorBrokerOptions } from '../../../edge/sensors/broker.js';
import { createEdgeMetrics } from '../../../edge/metrics.js';
import type { SensorConfig } from '../../../common/config/edge-schema.js';
import type { SensorReading } from '../../../edge/sensors/readings.js';
import { sumMetric } from '../../support/system.js';
import { delay, waitFor } from '../../support/wait.js';
import { RawClient, connectPacket, publishPacket, packet, remainingLength } from '../../support/mqtt-raw.js';

const SECRET = 'Zq4v-9xTt-LmP2-wr8K';
const sensors: SensorConfig[] = [
  {
    id: 'river-1',
    type: 'water_level',
    credentials: { username: 'river-1', password: SECRET },
    metrics: [{ name: 'level', unit: 'm', windows_s: [60] }],
    thresholds: [],
    stale_after_s: 300,
  },
];

async function startBroker(t: TapTest, extra: Partial<SensorBrokerOptions> = {}) {
  const metrics = createEdgeMetrics();
  const readings: SensorReading[] = [];
  const broker = new SensorBroker({ host: '127.0.0.1', port: 0, maxPayloadBytes: 128, sensors, metrics, onReading: (r) => void readings.push(r), ...extra });
  await broker.start();
  t.teardown(() => broker.stop());
  const rejects = async (reason: string) => sumMetric(await metrics.registry.metrics(), 'ioc_edge_mqtt_rejects_total', { reason });
  return { broker, readings, rejects };
}

const rssMb = () => process.memoryUsage().rss / 1024 / 1024;

t.test('50 MB sent before CONNECT is refused at the header: the socket closes and memory stays flat', async (t) => {
  const { broker, rejects } = await startBroker(t);
  const garbage = Buffer.alloc(64 * 1024, 0xab);
  global.gc?.();
  const before = rssMb();
  // A CONNECT that announces ~50 MB, then the bytes.
  const big = await RawClient.open(broker.port);
  await big.write(Buffer.concat([Buffer.from([0x10]), remainingLength(50 * 1024 * 1024)]));
  const sent = await big.stream(garbage, 50 * 1024 * 1024);
  await waitFor('the oversized CONNECT connection to close', () => big.closed, { timeoutMs: 5000 });
  // Garbage that is not MQTT at all.
  const noise = await RawClient.open(broker.port);
  await noise.stream(garbage, 50 * 1024 * 1024);
  await waitFor('the garbage connection to close', () => noise.closed, { timeoutMs: 5000 });
  const grown = rssMb() - before;
  t.ok(sent < 50 * 1024 * 1024, `the broker closed before taking 50 MB (client wrote ${sent} bytes)`);
  t.ok(grown < 16, `RSS grew by ${grown.toFixed(1)} MB (limit 16)`);
  t.equal(await rejects('oversized_packet'), 1);
  t.equal(await rejects('not_connect_first'), 1);
});

t.test('after authentication a packet larger than max_payload_bytes plus headers closes the connection', async (t) => {
  const { broker, readings, rejects } = await startBroker(t);
  const client = await RawClient.open(broker.port);
  await client.write(connectPacket({ clientId: 'river-1', username: 'river-1', password: SECRET }));
  await waitFor('CONNACK', () => client.connack() === 0);
  await client.write(publishPacket('sensors/river-1/level', '1.5', 1, 1));
  await waitFor('the small reading', () => readings.length === 1);
  await client.write(publishPacket('sensors/river-1/level', Buffer.alloc(64 * 1024, 0x31), 1, 2));
  await waitFor('the oversized publish to close the connection', () => client.closed, { timeoutMs: 5000 });
  t.equal(await rejects('oversized_packet'), 1);
  t.equal(readings.length, 1);
});

t.test('connections waiting to authenticate are bounded; slow CONNECTs are closed', async (t) => {
  const { broker, rejects } = await startBroker(t, { maxUnauthenticated: 3, connectTimeoutMs: 800 });
  const idle = await Promise.all([0, 1, 2].map(() => RawClient.open(broker.port)));
  const fourth = await RawClient.open(broker.port);
  await waitFor('the fourth unauthenticated connection to be refused', () => fourth.closed, { timeoutMs: 2000 });
  t.equal(await rejects('too_many_unauthenticated'), 1);
  t.notOk(
    idle.some((c) => c.closed),
    'the first three are still open',
  );

  // Slowloris: CONNECT one byte every 100 ms never completes within the connect timeout.
  const bytes = connectPacket({ clientId: 'river-1', username: 'river-1', password: SECRET });
  const started = Date.now();
  for (let i = 0; i < bytes.length && !idle[0]!.closed; i++) {
    await idle[0]!.write(bytes.subarray(i, i + 1));
    await delay(100);
  }
  t.ok(idle[0]!.closed, 'the slow CONNECT was closed');
  t.ok(Date.now() - started < 3000, `closed after ${Date.now() - started} ms`);
  await waitFor('the idle connections to time out', () => idle.every((c) => c.closed), { timeoutMs: 3000 });

  // The slots are free again: a sensor gets in.
  const sensor = await RawClient.open(broker.port);
  await sensor.write(connectPacket({ clientId: 'river-1', username: 'river-1', password: SECRET }));
  await waitFor('CONNACK after the slots freed', () => sensor.connack() === 0);
  sensor.destroy();
});

t.test('the websocket listener has the same limits', async (t) => {
  const { broker, rejects } = await startBroker(t, { websocketPort: 0 });
  const ws = new WebSocket(`ws://127.0.0.1:${broker.websocketPort}`, 'mqtt');
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  const closed = new Promise((resolve) => ws.once('close', resolve));
  ws.on('error', () => undefined);
  ws.send(packet(1, 0, Buffer.alloc(1024 * 1024, 0x41)));
  await closed;
  t.pass('a 1 MB frame before CONNECT closed the websocket');

  const ws2 = new WebSocket(`ws://127.0.0.1:${broker.websocketPort}`, 'mqtt');
  await new Promise((resolve, reject) => (ws2.once('open', resolve), ws2.once('error', reject)));
  const closed2 = new Promise((resolve) => ws2.once('close', resolve));
  ws2.send(Buffer.concat([Buffer.from([0x10]), remainingLength(10 * 1024 * 1024), Buffer.alloc(100)]));
  await closed2;
  t.equal(await rejects('oversized_packet'), 1, 'a CONNECT announcing 10 MB over the websocket is refused by the guard');
});
