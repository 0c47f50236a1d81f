// Sensor simulator: publishes realistic readings for a site's sensors to its edge broker over
// MQTT (MQTT.js), one client per sensor with that sensor's own credentials.
//   node dist/edge/sim/sensor-simulator.js --config site.yaml --broker mqtt://127.0.0.1:1883 \
//        [--interval-ms 2000] [--scenario river-mn-01=flood,rain-tc-01=storm] [--seed 1] [--duration-s 0]
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { loadEdgeConfig } from '../../common/config/edge-config.js';
import type { SensorConfig } from '../../common/config/edge-schema.js';
import { IocError, errorMessage } from '../../common/errors.js';
import { seededRandom } from '../../common/seeded-random.js';
import { modelFor, type Scenario, type SignalModel } from './signals.js';

export interface SimulatorOptions {
  sensors: readonly SensorConfig[];
  brokerUrl: string;
  intervalMs: number;
  scenarios: Record<string, Scenario>;
  seed: number;
  onPublish?: (sensorId: string, metric: string, value: number) => void;
}

interface SimulatedSensor {
  sensor: SensorConfig;
  client: MqttClient;
  models: { metric: string; model: SignalModel }[];
  scenario: Scenario;
  startedMs: number;
}

const hourInVietnam = (ms: number) => (((ms / 3_600_000 + 7) % 24) + 24) % 24;

export class SensorSimulator {
  private readonly running: SimulatedSensor[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly random: () => number;
  published = 0;

  constructor(private readonly options: SimulatorOptions) {
    this.random = seededRandom(options.seed);
  }

  async start(): Promise<void> {
    for (const sensor of this.options.sensors) {
      const models = sensor.metrics.flatMap((m) => {
        const model = modelFor(sensor.type, m.name);
        return model ? [{ metric: m.name, model }] : [];
      });
      if (models.length === 0) continue;
      const client = await mqtt.connectAsync(this.options.brokerUrl, {
        clientId: `sim-${sensor.id}`,
        username: sensor.credentials.username,
        password: sensor.credentials.password,
        reconnectPeriod: 2000,
        connectTimeout: 10_000,
      });
      this.running.push({ sensor, client, models, scenario: this.options.scenarios[sensor.id] ?? 'normal', startedMs: Date.now() });
    }
    this.tick();
    this.timer = setInterval(() => this.tick(), this.options.intervalMs);
  }

  private tick(): void {
    const now = Date.now();
    for (const s of this.running) {
      if (!s.client.connected) continue; // a box reboot: the real sensors would also miss readings
      for (const { metric, model } of s.models) {
        const value = model({
          hour: hourInVietnam(now),
          elapsedS: (now - s.startedMs) / 1000,
          intervalS: this.options.intervalMs / 1000,
          random: this.random,
          scenario: s.scenario,
        });
        const payload = JSON.stringify({ value: Math.round(value * 100) / 100, ts: now });
        s.client.publish(`sensors/${s.sensor.id}/${metric}`, payload, { qos: 1 });
        this.published++;
        this.options.onPublish?.(s.sensor.id, metric, value);
      }
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all(this.running.map((s) => s.client.endAsync()));
    this.running.length = 0;
  }
}

export function parseScenarios(text: string | undefined): Record<string, Scenario> {
  const out: Record<string, Scenario> = {};
  for (const part of (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [sensorId, scenario] = part.split('=');
    if (!sensorId || (scenario !== 'flood' && scenario !== 'storm' && scenario !== 'normal')) {
      throw new IocError('BAD_REQUEST', `--scenario: "${part}" is not <sensor>=flood|storm|normal`);
    }
    out[sensorId] = scenario;
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      broker: { type: 'string' },
      'interval-ms': { type: 'string', default: '2000' },
      scenario: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'duration-s': { type: 'string', default: '0' },
    },
  });
  if (!values.config || !values.broker) {
    process.stderr.write(
      'usage: sensor-simulator --config site.yaml --broker mqtt://host:port [--interval-ms N] [--scenario id=flood,id=storm] [--seed N] [--duration-s N]\n',
    );
    process.exit(2);
  }
  const { config } = loadEdgeConfig(values.config);
  const simulator = new SensorSimulator({
    sensors: config.sensors,
    brokerUrl: values.broker,
    intervalMs: Number(values['interval-ms']),
    scenarios: parseScenarios(values.scenario),
    seed: Number(values.seed),
  });
  await simulator.start();
  process.stdout.write(`${JSON.stringify({ ready: true, sensors: config.sensors.length })}\n`);
  const stop = () => void simulator.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const duration = Number(values['duration-s']);
  if (duration > 0) setTimeout(stop, duration * 1000);
}

if (process.argv[1] && /sensor-simulator\.(js|ts)$/.test(process.argv[1])) {
  main().catch((err: unknown) => {
    process.stderr.write(`sensor-simulator: ${errorMessage(err)}\n`);
    process.exit(1);
  });
}
