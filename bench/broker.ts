// Sensor ingest throughput: the agent's embedded broker (aedes + credentials, ACL and payload
// validation) vs the machine's Mosquitto (127.0.0.1:1883, a plain subscriber), with the same
// MQTT.js publisher in a separate process, QoS 0 and QoS 1. Prints one JSON object.
//   node --import tsx bench/broker.ts [--messages 50000]
import { fork } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { SensorBroker } from '../edge/sensors/broker.js';
import { createEdgeMetrics } from '../edge/metrics.js';
import type { SensorConfig } from '../common/config/edge-schema.js';

const SENSOR: SensorConfig = {
  id: 'bench-1',
  type: 'water_level',
  credentials: { username: 'bench-1', password: 'bench-1-password' },
  metrics: [{ name: 'level', unit: 'm', windows_s: [60] }],
  thresholds: [],
  stale_after_s: 300,
};
const TOPIC = 'sensors/bench-1/level';
const MOSQUITTO = 'mqtt://127.0.0.1:1883';
const INFLIGHT = 200; // QoS 1 messages awaiting PUBACK at once, as a busy gateway would

interface Run {
  broker: 'aedes' | 'mosquitto';
  qos: 0 | 1;
  messages: number;
  seconds: number;
  messagesPerSecond: number;
}

/** Child process: connect, publish `count` readings, exit. */
async function publisher(url: string, qos: 0 | 1, count: number, auth: boolean): Promise<void> {
  const client = await mqtt.connectAsync(url, auth ? { username: SENSOR.credentials.username, password: SENSOR.credentials.password } : {});
  process.send!({ connected: true });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  let sent = 0;
  let acked = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (sent < count && (qos === 0 || sent - acked < INFLIGHT)) {
        const payload = `{"value":${(sent % 1000) / 100}}`;
        sent++;
        if (qos === 1) {
          client.publish(TOPIC, payload, { qos: 1 }, () => {
            acked++;
            if (acked === count) resolve();
            else pump();
          });
        } else {
          client.publish(TOPIC, payload, { qos: 0 });
        }
      }
      if (qos === 0) {
        if (sent < count) setImmediate(pump);
        else resolve();
      }
    };
    pump();
  });
  await client.endAsync();
  process.exit(0);
}

async function measure(broker: 'aedes' | 'mosquitto', qos: 0 | 1, messages: number): Promise<Run> {
  let received = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const onMessage = () => {
    if (++received === messages) done();
  };
  let url = MOSQUITTO;
  let close: () => Promise<void>;
  if (broker === 'aedes') {
    const sensorBroker = new SensorBroker({
      host: '127.0.0.1',
      port: 0,
      maxPayloadBytes: 4096,
      sensors: [SENSOR],
      metrics: createEdgeMetrics(),
      onReading: onMessage,
    });
    await sensorBroker.start();
    url = `mqtt://127.0.0.1:${sensorBroker.port}`;
    close = () => sensorBroker.stop();
  } else {
    const subscriber = await mqtt.connectAsync(MOSQUITTO, { clean: true });
    // QoS 0 to the subscriber: Mosquitto queues at most 1000 QoS 1 messages per subscriber and
    // drops the rest; the figure of interest is how fast the broker accepts the publisher's load.
    await subscriber.subscribeAsync(TOPIC, { qos: 0 });
    subscriber.on('message', onMessage);
    close = () => subscriber.endAsync();
  }
  const child = fork(
    fileURLToPath(import.meta.url),
    ['--publisher', url, '--qos', String(qos), '--messages', String(messages), ...(broker === 'aedes' ? ['--auth'] : [])],
    {
      execArgv: ['--import', 'tsx'],
    },
  );
  await new Promise<void>((r) => child.once('message', () => r()));
  const started = performance.now();
  child.send('go');
  const timeout = setTimeout(done, 60_000);
  await all;
  clearTimeout(timeout);
  const seconds = (performance.now() - started) / 1000;
  await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  await close();
  return { broker, qos, messages: received, seconds: round(seconds), messagesPerSecond: Math.round(received / seconds) };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

async function main(): Promise<void> {
  process.env.LOG_LEVEL ??= 'warn';
  const { values } = parseArgs({
    options: {
      publisher: { type: 'string' },
      qos: { type: 'string', default: '1' },
      messages: { type: 'string', default: '50000' },
      auth: { type: 'boolean', default: false },
    },
  });
  const messages = Number(values.messages);
  if (values.publisher) return publisher(values.publisher, Number(values.qos) as 0 | 1, messages, values.auth ?? false);
  const runs: Run[] = [];
  for (const qos of [0, 1] as const) {
    for (const broker of ['aedes', 'mosquitto'] as const) {
      await measure(broker, qos, Math.min(messages, 5000)); // warm-up
      runs.push(await measure(broker, qos, messages));
    }
  }
  const rate = (b: string, q: number) => runs.find((r) => r.broker === b && r.qos === q)!.messagesPerSecond;
  process.stdout.write(
    `${JSON.stringify({
      bench: 'broker',
      publisher: 'MQTT.js in a separate process',
      runs,
      ratio: { qos0: round(rate('aedes', 0) / rate('mosquitto', 0)), qos1: round(rate('aedes', 1) / rate('mosquitto', 1)) },
      target: 'aedes ≥ 0.5× Mosquitto at QoS 1',
    })}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/broker: ${(err as Error).message}\n`);
  process.exit(1);
});
