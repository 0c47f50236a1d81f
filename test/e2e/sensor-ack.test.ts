// A QoS 1 reading that raises an alarm is acknowledged (PUBACK) only once the alarm is durable
// in the outbox: the agent is SIGKILLed the instant the PUBACK arrives, and after the restart
// every acknowledged alarm still reaches the coordinator.
import t from 'tap';
import { tempDir } from '../support/tmp.js';
import { startAgent, startCoordinator } from '../support/system.js';
import { waitFor } from '../support/wait.js';
import { RawClient, connectPacket, publishPacket } from '../support/mqtt-raw.js';

const ROUNDS = 3;
const secret = (i: number) => `river-${i}-Vt7q-K2pz-9wLx`;
const SENSORS = `
sensors:
${Array.from(
  { length: ROUNDS },
  (_, i) => `  - id: river-${i}
    type: water_level
    credentials: { username: river-${i}, password: ${secret(i)} }
    metrics: [{ name: level, unit: m, valid_range: [0, 30], windows_s: [60] }]
    thresholds:
      - { id: flood, metric: level, condition: above, value: 4.5, clear: 4.0, severity: high, message: river above 4.5 m }
`,
).join('')}
uplink: { heartbeat_s: 1, connect_timeout_s: 3, reconnect_initial_s: 0.2, reconnect_max_s: 1 }
`;

t.test('an acknowledged QoS 1 reading that raised an alarm survives kill -9 right after its PUBACK', async (t) => {
  t.setTimeout(300_000);
  const dir = tempDir(t);
  const coordinator = await startCoordinator(t, { dir, devices: [{ id: 'edge-ack', site: 'muong-nhe' }] });
  const agent = await startAgent(t, { dir, deviceId: 'edge-ack', site: 'muong-nhe', grpcAddress: `127.0.0.1:${coordinator.grpcPort}`, bodyYaml: SENSORS });

  for (let i = 0; i < ROUNDS; i++) {
    const client = await RawClient.open(agent.brokerPort);
    await client.write(connectPacket({ clientId: `river-${i}`, username: `river-${i}`, password: secret(i) }));
    await waitFor('CONNACK', () => client.connack() === 0, { timeoutMs: 5000 });
    const pid = agent.proc.pid!;
    const acked = new Promise<void>((resolve) => {
      client.socket.on('data', () => {
        // PUBACK for message id 7 (it may arrive in pieces): kill the agent at once.
        if (client.received.includes(Buffer.from([0x40, 0x02, 0x00, 0x07]))) {
          process.kill(pid, 'SIGKILL');
          resolve();
        }
      });
    });
    await client.write(publishPacket(`sensors/river-${i}/level`, '5.2', 1, 7));
    await Promise.race([
      acked,
      client.closedPromise.then(() => {
        throw new Error(`connection closed without PUBACK; received ${client.received.toString('hex')}`);
      }),
    ]);
    client.destroy();
    await agent.restart();
  }

  const alarms = await waitFor(
    `${ROUNDS} alarms at the coordinator`,
    async () => {
      const events = await coordinator.api.allEvents('device=edge-ack&kind=alarm');
      return events.length >= ROUNDS ? events : undefined;
    },
    { timeoutMs: 30_000 },
  ).catch(async (err: Error) => {
    const events = await coordinator.api.allEvents('device=edge-ack&kind=alarm');
    t.fail(`${err.message}; alarms that arrived: ${events.map((e) => (e.payload as { sensor_id?: string }).sensor_id).join(', ') || 'none'}`);
    return events;
  });
  const sensors = new Set(alarms.map((e) => (e.payload as { sensor_id?: string }).sensor_id));
  t.equal(sensors.size, ROUNDS, 'every acknowledged alarm arrived');
});
