// MQTT fuzzer for the sensor broker: malformed and truncated packets, oversize headers, a slow
// CONNECT, bursts of connections, random bytes and valid-then-garbage sessions, against a real
// listening broker. Prints one JSON object: inputs, crashes, peak RSS. A crash is an exception
// that escapes (uncaught or unhandled) or a broker that stops accepting a valid sensor.
//   node --import tsx bench/mqtt-fuzz.ts [--inputs 10000] [--seed 1]
import { parseArgs } from 'node:util';
import { SensorBroker } from '../edge/sensors/broker.js';
import { createEdgeMetrics } from '../edge/metrics.js';
import type { SensorConfig } from '../common/config/edge-schema.js';
import { RawClient, connectPacket, publishPacket, packet, remainingLength, PINGREQ, DISCONNECT } from '../test/support/mqtt-raw.js';
import { seededRandom } from '../common/seeded-random.js';

const SECRET = 'fz-Qm7v-X2pL-r9wT';
const SENSOR: SensorConfig = {
  id: 'fuzz-1',
  type: 'water_level',
  credentials: { username: 'fuzz-1', password: SECRET },
  metrics: [{ name: 'level', unit: 'm', windows_s: [60] }],
  thresholds: [],
  stale_after_s: 300,
};

export interface FuzzResult {
  bench: 'mqtt-fuzz';
  inputs: number;
  crashes: number;
  peakRssMb: number;
  startRssMb: number;
  endRssMb: number;
  refusedByReason: Record<string, number>;
  seconds: number;
}

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function fuzzBroker(options: { inputs: number; seed?: number; concurrency?: number }): Promise<FuzzResult> {
  const rand = seededRandom(options.seed ?? 1);
  const int = (n: number) => Math.floor(rand() * n);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const good = () => connectPacket({ clientId: `fuzz-${int(1e6)}`, username: 'fuzz-1', password: SECRET });
  const metrics = createEdgeMetrics();
  let crashes = 0;
  const onCrash = () => void crashes++;
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const broker = new SensorBroker({
    host: '127.0.0.1',
    port: 0,
    maxPayloadBytes: 256,
    sensors: [SENSOR],
    metrics,
    maxUnauthenticated: 32,
    connectTimeoutMs: 500,
    onReading: () => undefined,
  });
  await broker.start();
  const started = Date.now();
  const startRss = process.memoryUsage().rss;
  let peakRss = startRss;
  const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 25);

  // Each generator is one kind of bad (or mixed) input; the byte streams go to one connection.
  const generators: (() => Buffer[])[] = [
    () => [bytes(1 + int(2048))], // random bytes
    () => [Buffer.concat([Buffer.from([0x10]), remainingLength(1 + int(200 * 1024 * 1024)), bytes(int(4096))])], // oversize CONNECT
    () => [Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f])], // 5-byte remaining length
    () => {
      const p = good();
      return [p.subarray(0, int(p.length))];
    }, // truncated CONNECT
    () => {
      const p = good();
      const b = Buffer.from(p);
      for (let i = 0; i < 1 + int(4); i++) b[int(b.length)] = int(256);
      return [b];
    }, // bit-flipped CONNECT
    () => [good(), publishPacket('sensors/fuzz-1/level', String(rand() * 10), 1, 1 + int(65_000)), bytes(1 + int(512))], // valid then garbage
    () => [good(), publishPacket('sensors/fuzz-1/level', bytes(int(64 * 1024)), 1, 7)], // oversize after auth
    () => [good(), publishPacket(`sensors/${bytes(8).toString('hex')}/#`, '1', 1, 3)], // ACL / wildcard
    () => [good(), packet(int(16), int(16), bytes(int(64)))], // any packet type and flags
    () => [packet(3, 2, bytes(int(128)))], // PUBLISH before CONNECT
    () => [good(), PINGREQ, publishPacket('sensors/fuzz-1/level', '{"value":', 0), DISCONNECT],
    () => [connectPacket({ clientId: 'x', username: 'fuzz-1', password: 'wrong-password' }), bytes(int(64))],
  ];

  let done = 0;
  const one = async (): Promise<void> => {
    const kind = int(generators.length + 2);
    const client = await RawClient.open(broker.port).catch(() => undefined);
    if (!client) return;
    if (kind === generators.length) {
      // Slowloris: a CONNECT a byte at a time, slower than the connect timeout allows.
      const p = good();
      for (let i = 0; i < p.length && !client.closed && i < 8; i++) {
        await client.write(p.subarray(i, i + 1));
        await wait(100);
      }
    } else if (kind === generators.length + 1) {
      // Silent connection: holds a slot until the connect timeout closes it.
      await wait(int(50));
    } else {
      for (const chunk of generators[kind]!()) await client.write(chunk);
      await wait(int(10));
    }
    client.destroy();
  };

  const concurrency = options.concurrency ?? 16;
  const workers = Array.from({ length: concurrency }, async () => {
    while (done < options.inputs) {
      done++;
      await one();
    }
  });
  await Promise.all(workers);

  // After all of it a real sensor still gets in and is heard (the broker did not wedge).
  await wait(700);
  const sensor = await RawClient.open(broker.port);
  await sensor.write(connectPacket({ clientId: 'fuzz-final', username: 'fuzz-1', password: SECRET }));
  for (let i = 0; i < 50 && sensor.connack() === undefined; i++) await wait(100);
  if (sensor.connack() !== 0) crashes++;
  sensor.destroy();

  clearInterval(sample);
  const endRss = process.memoryUsage().rss;
  await broker.stop();
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
  return {
    bench: 'mqtt-fuzz',
    inputs: done,
    crashes,
    peakRssMb: mb(peakRss),
    startRssMb: mb(startRss),
    endRssMb: mb(endRss),
    refusedByReason: broker.rejectCounts(),
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
}

if (process.argv[1] && /mqtt-fuzz\.(ts|js)$/.test(process.argv[1])) {
  const { values } = parseArgs({ options: { inputs: { type: 'string', default: '10000' }, seed: { type: 'string', default: '1' } } });
  const result = await fuzzBroker({ inputs: Number(values.inputs), seed: Number(values.seed) });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(result.crashes === 0 ? 0 : 1);
}
