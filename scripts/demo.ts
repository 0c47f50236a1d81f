// make demo: the whole system on one machine — the coordinator, one edge agent per district
// (Mường Nhé, Tủa Chùa, Điện Biên Đông) with its own broker and data directory, simulated
// sensors, and a real RTSP camera (rtsp-server-perl fed by ffmpeg with street footage).
// Ctrl-C stops everything cleanly.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import YAML from 'yaml';
import { projectPath } from '../common/paths.js';
import { NodeProcess } from './lib/node-process.js';
import { freePort } from './lib/ports.js';
import { RtspCamera } from './lib/rtsp-camera.js';

const SITES = [
  { file: 'muong-nhe.yaml', id: 'muong-nhe', scenario: 'river-mn-01=flood' },
  { file: 'tua-chua.yaml', id: 'tua-chua', scenario: 'rain-tc-01=storm', camera: true },
  { file: 'dien-bien-dong.yaml', id: 'dien-bien-dong', scenario: '' },
];

const root = projectPath('.demo');
const token = (prefix: string) => `${prefix}_${randomBytes(18).toString('base64url')}`;
const processes: NodeProcess[] = [];
let camera: RtspCamera | undefined;

async function main(): Promise<void> {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'logs'), { recursive: true });
  const ports = { http: await freePort(), grpc: await freePort() };
  const tokens = { admin: token('admin'), operator: token('operator'), viewer: token('viewer') };

  log('starting the RTSP camera (street footage, looped)…');
  camera = await RtspCamera.start({ clip: projectPath('test', 'fixtures', 'vtest-25s.mp4'), path: 'market' });

  const sites = SITES.map((s) => ({
    ...s,
    doc: YAML.parseDocument(readFileSync(projectPath('firmware-config', s.file), 'utf8')),
    deviceToken: token('device'),
  }));
  const coordinatorFile = join(root, 'coordinator.yaml');
  writeFileSync(coordinatorFile, coordinatorYaml(ports, tokens, sites));
  // The V8 setting bin/ioc-coordinator.js runs with.
  const coordinatorEnv = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-semi-space-size=64`.trim() };
  const coordinator = new NodeProcess('coordinator', 'cloud/main.js', ['--config', coordinatorFile], coordinatorEnv, join(root, 'logs', 'coordinator.log'));
  processes.push(coordinator);
  await coordinator.start();
  log(`coordinator up: HTTP ${ports.http}, EdgeLink gRPC ${ports.grpc}`);
  log('NOTE: the demo runs EdgeLink and the HTTP API in PLAINTEXT on 127.0.0.1 only; field configs use TLS (see deploy/coordinator.example.yaml)');

  for (const site of sites) {
    const dataDir = join(root, site.id);
    const brokerPort = await freePort();
    const doc = site.doc;
    doc.setIn(['coordinator'], doc.createNode({ address: `127.0.0.1:${ports.grpc}`, token: site.deviceToken, tls: { enabled: false } }));
    doc.setIn(['data_dir'], dataDir);
    doc.setIn(['broker'], doc.createNode({ host: '127.0.0.1', port: brokerPort }));
    doc.setIn(['admin'], doc.createNode({ socket: join(dataDir, 'edgectl.sock'), metrics_host: '127.0.0.1', metrics_port: 0 }));
    // The shipped configs take sensor secrets from the environment; the demo makes its own.
    for (const item of (doc.getIn(['sensors']) as YAML.YAMLSeq | undefined)?.items ?? []) {
      (item as YAML.YAMLMap).setIn(['credentials', 'password'], randomBytes(18).toString('base64url'));
    }
    const cameras = doc.getIn(['cameras']) as YAML.YAMLSeq | undefined;
    for (const item of cameras?.items ?? []) {
      const cam = item as YAML.YAMLMap;
      if (site.camera) {
        cam.set('url', camera.url);
        cam.delete('sub_url');
        cam.set('rtsp_transport', 'udp');
      } else {
        cam.set('enabled', false); // two cores: one live detector in the demo keeps it responsive
      }
    }
    const file = join(root, `${site.id}.yaml`);
    writeFileSync(file, doc.toString());
    // The memory settings of deploy/systemd/ioc-edge.service, so the demo's agents run as a box does.
    const agentEnv = { MALLOC_ARENA_MAX: '2', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-semi-space-size=2`.trim() };
    const agent = new NodeProcess(`edge ${site.id}`, 'edge/main.js', ['--config', file], agentEnv, join(root, 'logs', `edge-${site.id}.log`));
    processes.push(agent);
    const ready = await agent.start(60_000);
    log(`edge agent ${site.id} up: broker ${brokerPort}, metrics ${(ready.ports as { metrics?: number }).metrics ?? '-'}`);
    const simulator = new NodeProcess(
      `sensors ${site.id}`,
      'edge/sim/sensor-simulator.js',
      ['--config', file, '--broker', `mqtt://127.0.0.1:${brokerPort}`, '--interval-ms', '2000', ...(site.scenario ? ['--scenario', site.scenario] : [])],
      {},
      join(root, 'logs', `sensors-${site.id}.log`),
    );
    processes.push(simulator);
    await simulator.start();
  }

  const base = `http://127.0.0.1:${ports.http}`;
  process.stdout.write(`
ioc-edge demo is running (data and logs in .demo/).

  Operator console   ${base}/
  API (OpenAPI)      ${base}/openapi.json
  Open311 (citizens) ${base}/open311/v2/services.json  ·  ${base}/open311/v2/requests.json
  CAP alerts (Atom)  ${base}/api/open/v1/cap.atom
  Tokens             viewer ${tokens.viewer}
                     operator ${tokens.operator}
                     admin ${tokens.admin}
  Try                curl -s -H 'Authorization: Bearer ${tokens.viewer}' ${base}/api/v1/devices
                     curl -s -H 'Authorization: Bearer ${tokens.viewer}' '${base}/api/v1/events?kind=alarm'
  SensorThings 1.1   ${base}/api/open/sta/v1.1/Things?$expand=Datastreams  (open data, no token)
  On a box           node bin/edgectl.js --socket .demo/tua-chua/edgectl.sock status
  Camera (RTSP)      ${camera.url}  (analysed by the Tủa Chùa agent)

Scenarios: the Nậm Ma river at Mường Nhé floods past alert level 2 within a minute; a cloudburst
hits Tủa Chùa. Press Ctrl-C to stop.

`);
  const timer = setInterval(() => void printStatus(base, tokens.viewer), 15_000);
  timer.unref();
  await printStatus(base, tokens.viewer);
}

async function printStatus(base: string, viewer: string): Promise<void> {
  try {
    const headers = { authorization: `Bearer ${viewer}` };
    const devices = (await (await fetch(`${base}/api/v1/devices`, { headers })).json()) as {
      items: { id: string; online: boolean; backlog: { records: number } }[];
    };
    const alarms = (await (await fetch(`${base}/api/v1/events?kind=alarm&limit=1000`, { headers })).json()) as { items: unknown[] };
    const cams = (await (await fetch(`${base}/api/v1/events?kind=camera_event&limit=1000`, { headers })).json()) as { items: unknown[] };
    const online = devices.items.filter((d) => d.online).length;
    log(
      `${online}/${devices.items.length} devices online · ${alarms.items.length} alarm records · ${cams.items.length} camera events · backlog ${devices.items.map((d) => `${d.id}:${d.backlog.records}`).join(' ')}`,
    );
  } catch (err) {
    log(`status unavailable: ${(err as Error).message}`);
  }
}

function coordinatorYaml(
  ports: { http: number; grpc: number },
  tokens: Record<string, string>,
  sites: { id: string; doc: YAML.Document; deviceToken: string }[],
): string {
  return YAML.stringify({
    version: 1,
    http: { host: '127.0.0.1', port: ports.http },
    grpc: { host: '127.0.0.1', port: ports.grpc },
    store: { kind: 'level', dir: join(root, 'coordinator-store') },
    sites: sites.map((s) => ({
      id: s.id,
      name: String(s.doc.getIn(['device', 'site_name'])),
      district: String(s.doc.getIn(['device', 'district']) ?? ''),
      location: (s.doc.getIn(['device', 'location']) as YAML.YAMLMap).toJSON(),
    })),
    devices: sites.map((s) => ({ id: String(s.doc.getIn(['device', 'id'])), site: s.id, token: s.deviceToken })),
    api_tokens: Object.entries(tokens).map(([role, t]) => ({ name: `demo-${role}`, role, token: t })),
  });
}

function log(message: string): void {
  process.stdout.write(`[demo ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('stopping…');
  for (const p of [...processes].reverse()) await p.stop(15_000).catch(() => undefined);
  await camera?.close();
  log('stopped.');
  process.exit(code);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${(err as Error).message}\n`);
  for (const p of processes) if (!p.running) process.stderr.write(`--- ${p.label} ---\n${p.logs()}\n`);
  void stop(1);
});
