// Whole-system fixtures: a coordinator process and edge agent processes on ephemeral ports,
// with their configs written to a temporary directory, and a small API client.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeProcess } from './process.js';
import { freePort } from './ports.js';

/** The agent with test hooks: a test entry point run through tsx that loads the agent from dist/. */
const AGENT_WITH_TEST_HOOKS = 'test/support/agent-hooks/edge-agent.ts';

export const VIEWER_TOKEN = 'test-viewer-token-0123456789';
export const OPERATOR_TOKEN = 'test-operator-token-0123456789';
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export const deviceToken = (id: string) => `test-device-token-${id}-0123456789`;

type Teardown = { teardown(fn: () => unknown): void };

export interface DeviceSpec {
  id: string;
  site: string;
  /** `config`: the config's token is authoritative at every start (default: it only seeds). */
  tokenSource?: 'seed' | 'config';
}

export interface CoordinatorSpec {
  dir: string;
  devices: DeviceSpec[];
  grpcPort?: number;
  httpPort?: number;
  /** Extra YAML appended to the config (store, presence...). */
  extraYaml?: string;
  storeYaml?: string;
  /** EdgeLink TLS as a YAML flow map (`{ cert_file: …, key_file: … }`); unset: plaintext. */
  grpcTlsYaml?: string;
}

export class Api {
  constructor(
    readonly baseUrl: string,
    private readonly token = VIEWER_TOKEN,
  ) {}

  async get<T = unknown>(path: string): Promise<T> {
    const res = await fetch(this.baseUrl + path, { headers: { authorization: `Bearer ${this.token}` } });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  raw(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (!headers.has('authorization')) headers.set('authorization', `Bearer ${this.token}`);
    return fetch(this.baseUrl + path, { ...init, headers });
  }

  as(token: string): Api {
    return new Api(this.baseUrl, token);
  }

  /** Every event of a device (all pages), oldest first. */
  async allEvents(query: string): Promise<EventItem[]> {
    const out: EventItem[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: EventItem[]; nextCursor: string | null } = await this.get(`/api/v1/events?limit=1000&${query}${cursor ? `&cursor=${cursor}` : ''}`);
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return out.reverse();
  }
}

export interface EventItem {
  id: string;
  deviceId: string;
  kind: string;
  lane: string;
  seq: number;
  phase?: string;
  severity: string | null;
  timeMs: number;
  payload: Record<string, unknown>;
  hasThumbnail: boolean;
  [key: string]: unknown;
}

export function coordinatorYaml(spec: CoordinatorSpec, ports: { http: number; grpc: number }): string {
  const devices = spec.devices
    .map((d) => `  - { id: ${d.id}, site: ${d.site}, token: ${deviceToken(d.id)}${d.tokenSource ? `, token_source: ${d.tokenSource}` : ''} }`)
    .join('\n');
  return `version: 1
http: { host: 127.0.0.1, port: ${ports.http} }
grpc: { host: 127.0.0.1, port: ${ports.grpc}${spec.grpcTlsYaml ? `, tls: ${spec.grpcTlsYaml}` : ''} }
${spec.storeYaml ?? `store: { kind: level, dir: ${join(spec.dir, 'coordinator-store')} }`}
presence: { offline_after_s: 30 }
sites:
  - { id: muong-nhe, name: Mường Nhé, location: { lat: 22.1833, lon: 102.4667 } }
  - { id: tua-chua, name: Tủa Chùa, location: { lat: 21.86, lon: 103.346 } }
  - { id: dien-bien-dong, name: Điện Biên Đông, location: { lat: 21.253, lon: 103.24 } }
devices:
${devices || '  []'}
api_tokens:
  - { name: viewer, role: viewer, token: ${VIEWER_TOKEN} }
  - { name: operator, role: operator, token: ${OPERATOR_TOKEN} }
  - { name: admin, role: admin, token: ${ADMIN_TOKEN} }
${spec.extraYaml ?? ''}
`;
}

export interface RunningCoordinator {
  proc: NodeProcess;
  httpPort: number;
  grpcPort: number;
  api: Api;
  configFile: string;
  restart(): Promise<void>;
}

/** Starts a coordinator process; fixed ports survive restarts so edges reconnect to the same address. */
export async function startCoordinator(t: Teardown, spec: CoordinatorSpec, name = 'coordinator'): Promise<RunningCoordinator> {
  const ports = { http: spec.httpPort ?? (await freePort()), grpc: spec.grpcPort ?? (await freePort()) };
  const configFile = join(spec.dir, `${name}.yaml`);
  writeFileSync(configFile, coordinatorYaml(spec, ports));
  const running: RunningCoordinator = {
    proc: new NodeProcess(name, 'cloud/main.js', ['--config', configFile]),
    httpPort: ports.http,
    grpcPort: ports.grpc,
    api: new Api(`http://127.0.0.1:${ports.http}`),
    configFile,
    async restart() {
      await running.proc.kill9();
      running.proc = new NodeProcess(name, 'cloud/main.js', ['--config', configFile]);
      await running.proc.start();
    },
  };
  await running.proc.start();
  t.teardown(() => running.proc.kill9());
  return running;
}

export interface EdgeSpec {
  dir: string;
  deviceId: string;
  site: string;
  grpcAddress: string;
  /** YAML for sensors:, cameras:, outbox:, uplink: … (indented at top level). */
  bodyYaml?: string;
  brokerPort?: number;
  /** Replaces the default `log: { file: false }` line (e.g. to test file logging). */
  logYaml?: string;
  /** Extra environment for the agent process. */
  env?: NodeJS.ProcessEnv;
  /** Run the agent with its test hooks (record injector, detector fault): test/support/agent-hooks/. */
  testHooks?: boolean;
  /** Device token (default: deviceToken(deviceId), as the coordinator's config lists it). */
  token?: string;
  /** coordinator.tls as a YAML flow map (default: `{ enabled: false }`). */
  tlsYaml?: string;
}

export function edgeYaml(spec: EdgeSpec, brokerPort: number): string {
  return `version: 1
device: { id: ${spec.deviceId}, site: ${spec.site}, site_name: ${spec.site}, location: { lat: 22.18, lon: 102.46 } }
coordinator: { address: ${spec.grpcAddress}, token: ${spec.token ?? deviceToken(spec.deviceId)}, tls: ${spec.tlsYaml ?? '{ enabled: false }'} }
data_dir: ${join(spec.dir, `edge-${spec.deviceId}`)}
broker: { host: 127.0.0.1, port: ${brokerPort} }
admin: { metrics_port: 0, socket: ${join(spec.dir, `edge-${spec.deviceId}.sock`)} }
${spec.logYaml ?? 'log: { file: false }'}
${spec.bodyYaml ?? ''}
`;
}

export interface RunningAgent {
  proc: NodeProcess;
  brokerPort: number;
  metricsPort: number;
  configFile: string;
  /** The edgectl socket and the data directory the generated config names. */
  socket: string;
  dataDir: string;
  restart(): Promise<void>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

export async function startAgent(t: Teardown, spec: EdgeSpec): Promise<RunningAgent> {
  const brokerPort = spec.brokerPort ?? (await freePort());
  const configFile = join(spec.dir, `edge-${spec.deviceId}.yaml`);
  writeFileSync(configFile, edgeYaml(spec, brokerPort));
  const entry = spec.testHooks ? AGENT_WITH_TEST_HOOKS : 'edge/main.js';
  const make = () => new NodeProcess(`edge ${spec.deviceId}`, entry, ['--config', configFile], spec.env);
  const running: RunningAgent = {
    proc: make(),
    brokerPort,
    metricsPort: 0,
    configFile,
    socket: join(spec.dir, `edge-${spec.deviceId}.sock`),
    dataDir: join(spec.dir, `edge-${spec.deviceId}`),
    async restart() {
      await running.proc.kill9();
      running.proc = make();
      const ready = await running.proc.start();
      running.metricsPort = (ready.ports as { metrics: number }).metrics;
    },
    async metric(name, labels = {}) {
      const text = await (await fetch(`http://127.0.0.1:${running.metricsPort}/metrics`)).text();
      return sumMetric(text, name, labels);
    },
  };
  const ready = await running.proc.start();
  running.metricsPort = (ready.ports as { metrics: number }).metrics;
  t.teardown(() => running.proc.kill9());
  return running;
}

/** A coordinator's /metrics text (it needs an API token: the viewer's, as a scraper would have). */
export async function coordinatorMetrics(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${VIEWER_TOKEN}` } });
  if (res.status !== 200) throw new Error(`GET /metrics: ${res.status}`);
  return res.text();
}

/** A single-use live-feed ticket (GET /api/v1/live?ticket=…), traded for a bearer token. */
export async function liveTicket(baseUrl: string, token = VIEWER_TOKEN): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/live/ticket`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 201) throw new Error(`POST /api/v1/live/ticket: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { ticket: string }).ticket;
}

/** Sums a Prometheus metric's samples whose labels include `labels`. */
export function sumMetric(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(m[4]);
  }
  return total;
}
