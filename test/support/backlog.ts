// A backlog on a slow link, for tests of draining and shutdown: one sensor with many 1-second
// windows produces more telemetry per second than a few kbit/s can carry.
import mqtt from 'mqtt';

const METRICS = 12;

/** Sensor and uplink YAML for startAgent's bodyYaml: the link capped at `rateKbps`, uncompressed. */
export function backlogYaml(rateKbps: number): string {
  const metrics = Array.from({ length: METRICS }, (_, i) => `{ name: m${i}, windows_s: [1] }`).join(', ');
  return `
sensors:
  - id: probe-1
    type: multi
    credentials: { username: probe-1, password: probe-1-secret }
    metrics: [${metrics}]
uplink: { rate_kbps: ${rateKbps}, compression: none }
`;
}

/** Publishes one reading per metric each second for `seconds`; returns how many readings. */
export async function produceBacklog(brokerPort: number, seconds: number): Promise<number> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, { username: 'probe-1', password: 'probe-1-secret' });
  let readings = 0;
  try {
    for (let round = 0; round < seconds; round++) {
      for (let i = 0; i < METRICS; i++) {
        await client.publishAsync(`sensors/probe-1/m${i}`, String(round + i), { qos: 1 });
        readings++;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await client.endAsync();
  }
  return readings;
}
