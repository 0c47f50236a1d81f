// Config push with real processes: the coordinator refuses an invalid config with its paths; a
// config that only fails on the edge (a variable missing from the box's environment) is
// rejected by the edge with the path while the old config keeps running; a valid one is applied
// in-process and reported; rollback pushes an earlier version again; a device that was offline
// gets its pending version when it connects.
import t from 'tap';
import mqtt from 'mqtt';
import { readFileSync } from 'node:fs';
import { tempDir } from '../support/tmp.js';
import { ADMIN_TOKEN, startAgent, startCoordinator, type Api } from '../support/system.js';
import { waitFor } from '../support/wait.js';

const RIVER = `  - id: river-1
    type: water_level
    credentials: { username: river-1, password: river-1-secret }
    metrics: [{ name: level, unit: m, windows_s: [1] }]
`;
const RAIN = (password: string) => `  - id: rain-1
    type: rain_gauge
    credentials: { username: rain-1, password: "${password}" }
    metrics: [{ name: rainfall, unit: mm, windows_s: [1] }]
`;

interface Version {
  version: number;
  status: string;
  error: string | null;
  revision: string;
  rollbackOf: number | null;
}
interface Overview {
  desiredVersion: number | null;
  runningRevision: string | null;
  runningVersion: number | null;
  versions: Version[];
}

async function canConnect(port: number, username: string, password: string): Promise<boolean> {
  try {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username, password, reconnectPeriod: 0, connectTimeout: 3000 });
    await client.endAsync();
    return true;
  } catch {
    return false;
  }
}

async function telemetryCount(api: Api, sensor: string): Promise<number> {
  return (await api.allEvents(`device=edge-c&kind=telemetry&sensor=${sensor}`)).length;
}

t.test('push, edge rejection with the path, apply, rollback, and a pending version delivered on connect', async (t) => {
  const dir = tempDir(t);
  const c = await startCoordinator(t, { dir, devices: [{ id: 'edge-c', site: 'dien-bien-dong' }] });
  const agent = await startAgent(t, {
    dir,
    deviceId: 'edge-c',
    site: 'dien-bien-dong',
    grpcAddress: `127.0.0.1:${c.grpcPort}`,
    bodyYaml: `sensors:\n${RIVER}`,
  });
  const admin = c.api.as(ADMIN_TOKEN);
  const base = readFileSync(agent.configFile, 'utf8');
  const withSensors = (sensors: string) => base.replace(/^sensors:\n[\s\S]*?(?=^\S|$(?![\s\S]))/m, `sensors:\n${sensors}`);
  const submit = (yaml: string, comment?: string) =>
    admin.raw('/api/v1/devices/edge-c/config', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ yaml, comment }) });
  const overview = () => admin.get<Overview>('/api/v1/devices/edge-c/config');
  const statusOf = async (v: number) => (await overview()).versions.find((x) => x.version === v)!;
  await waitFor('edge online', async () => (await admin.get<{ online: boolean }>('/api/v1/devices/edge-c')).online);

  // Refused by the coordinator: nothing stored, nothing pushed.
  const invalid = await submit(withSensors(`${RIVER}    thresholds: [{ id: t1, metric: flow, condition: above, value: 1 }]\n`));
  t.equal(invalid.status, 400);
  t.match(
    await invalid.json(),
    { error: { code: 'VALIDATION', message: 'config for edge-c is invalid: sensors[0].thresholds[0].metric: no metric "flow" on this sensor' } },
    'the path and the reason',
  );
  const moved = await submit(base.replace('id: edge-c', 'id: edge-z'));
  t.match(await moved.json(), { error: { message: /device\.id: must stay "edge-c" \(a config cannot move to another device\)/ } });
  t.same((await overview()).versions, [], 'no version stored for refused configs');

  // v1: the config it runs (reported applied without a restart).
  t.equal((await submit(base, 'baseline')).status, 201);
  await waitFor('v1 applied', async () => (await statusOf(1)).status === 'applied');

  // v2: valid here, but the box has no RAIN_1_PASSWORD in its environment.
  t.equal((await submit(withSensors(RIVER + RAIN('${RAIN_1_PASSWORD}')), 'add the rain gauge')).status, 201);
  const rejected = await waitFor('v2 rejected by the edge', async () => {
    const v = await statusOf(2);
    return v.status === 'rejected' ? v : undefined;
  });
  t.equal(rejected.error, 'sensors[1].credentials.password: environment variable RAIN_1_PASSWORD is not set', 'the edge names the path');
  t.notOk(await canConnect(agent.brokerPort, 'rain-1', 'anything-at-all'), 'the rain gauge is not configured');
  const before = await telemetryCount(c.api, 'river-1');
  const river = await mqtt.connectAsync(`mqtt://127.0.0.1:${agent.brokerPort}`, { username: 'river-1', password: 'river-1-secret' });
  await river.publishAsync('sensors/river-1/level', '2.5', { qos: 1 });
  await river.endAsync();
  await waitFor('the old config still runs: river telemetry arrives', async () => (await telemetryCount(c.api, 'river-1')) > before);

  // v3: the same with the password written out: applied in-process.
  t.equal((await submit(withSensors(RIVER + RAIN('rain-1-secret')), 'add the rain gauge (password inline)')).status, 201);
  await waitFor('v3 applied', async () => (await statusOf(3)).status === 'applied');
  t.ok(await canConnect(agent.brokerPort, 'rain-1', 'rain-1-secret'), 'the new sensor is accepted by the broker');
  const rain = await mqtt.connectAsync(`mqtt://127.0.0.1:${agent.brokerPort}`, { username: 'rain-1', password: 'rain-1-secret' });
  await rain.publishAsync('sensors/rain-1/rainfall', '1.2', { qos: 1 });
  await rain.endAsync();
  await waitFor('rain telemetry arrives', async () => (await telemetryCount(c.api, 'rain-1')) > 0);
  const v3 = await statusOf(3);
  await waitFor('heartbeat shows v3 running', async () => ((await overview()).runningRevision === v3.revision ? true : undefined));
  t.equal((await overview()).runningVersion, 3);
  t.equal(agent.proc.running, true, 'applied without restarting the process');

  // The box goes offline; a rollback to v1 waits and is delivered when it connects.
  await agent.proc.kill9();
  const rollback = await admin.raw('/api/v1/devices/edge-c/config/rollback', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ version: 1 }),
  });
  t.equal(rollback.status, 201);
  t.match(await rollback.json(), { version: 4, rollbackOf: 1, status: 'pending', revision: (await statusOf(1)).revision });
  const restartAt = Date.now();
  await agent.restart();
  t.comment(`agent restarted in ${Date.now() - restartAt} ms`);
  await waitFor('v4 applied after reconnecting', async () => (await statusOf(4)).status === 'applied');
  t.notOk(await canConnect(agent.brokerPort, 'rain-1', 'rain-1-secret'), 'rolled back: the rain gauge is gone again');
  t.ok(await canConnect(agent.brokerPort, 'river-1', 'river-1-secret'), 'the river gauge still works');
  const final = await overview();
  t.same(
    final.versions.map((v) => [v.version, v.status]),
    [
      [4, 'applied'],
      [3, 'applied'],
      [2, 'rejected'],
      [1, 'applied'],
    ],
  );
  t.equal(final.desiredVersion, 4);
  const yaml = await admin.get<{ yaml: string }>('/api/v1/devices/edge-c/config/4');
  t.equal(yaml.yaml, base, 'v4 is v1 again');
  t.equal((await c.api.raw('/api/v1/devices/edge-c/config/4')).status, 403, 'viewers cannot read config YAML (credentials)');

  // v5 changes uplink settings: the uplink restarts in-process and drops the stream that carried
  // the push before the report; the coordinator pushes again on reconnect and the edge reports it.
  const v5At = Date.now();
  t.equal((await submit(`${base.trimEnd()}\nuplink: { heartbeat_s: 7 }\n`, 'slower heartbeats')).status, 201);
  await waitFor('v5 applied after the uplink restart', async () => (await statusOf(5)).status === 'applied', { timeoutMs: 30_000 });
  t.equal(agent.proc.running, true, 'still the same process');
  t.comment(`v5 reported ${Date.now() - v5At} ms after it was submitted`);
});
