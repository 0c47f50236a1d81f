// Unknown config keys are errors with their full path (a typo must not silently fall back to a
// default, e.g. `tls: { enable: true }` leaving TLS at its default); the shipped configs stay valid.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { tempDir } from '../support/tmp.js';
import { runNode } from '../support/process.js';
import { loadEdgeConfig } from '../../common/config/edge-config.js';
import { loadCoordinatorConfig } from '../../cloud/config.js';
import { projectPath } from '../../common/paths.js';

const EDGE = `version: 1
device: { id: edge-x, site: muong-nhe, site_name: MN, location: { lat: 22, lon: 102 } }
coordinator: { address: ioc.example:50051, token: a-device-token-0123456789, tls: { enable: true } }
sensors:
  - id: rain-1
    type: rain_gauge
    credentials: { username: rain-1, password: rain-1-password }
    metrics: [{ name: rainfall, windows: [60] }]
cameras:
  - id: cam-1
    url: rtsp://10.0.0.1/stream
    zones: [{ id: gate, points: [[0, 0], [1, 0], [1, 1]], colour: red }]
`;

const coordinatorYaml = (dir: string) => `version: 1
http: { host: 127.0.0.1, port: 0, tsl: { cert_file: a, key_file: b } }
grpc: { host: 127.0.0.1, port: 0, tls: { cert_file: a, key_file: b, client_ca: c } }
store: { kind: level, dir: ${join(dir, 'store')}, pool: 3 }
devices:
  - { id: edge-a, site: muong-nhe, token: a-device-token-0123456789, tokn: x }
webhooks: { retry: { max_attempt: 3 } }
`;

t.test('edge: unknown keys exit 2 naming each path', async (t) => {
  const file = join(tempDir(t), 'edge.yaml');
  writeFileSync(file, EDGE);
  const { code, stderr } = await runNode('edge/main.js', ['--config', file]);
  t.equal(code, 2);
  t.match(stderr, 'coordinator.tls.enable: unknown setting');
  t.match(stderr, 'sensors[0].metrics[0].windows: unknown setting');
  t.match(stderr, 'cameras[0].zones[0].colour: unknown setting');
});

t.test('coordinator: unknown keys exit 2 naming each path', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'coordinator.yaml');
  writeFileSync(file, coordinatorYaml(dir));
  const { code, stderr } = await runNode('cloud/main.js', ['--config', file]);
  t.equal(code, 2);
  t.match(stderr, 'http.tsl: unknown setting');
  t.match(stderr, 'grpc.tls.client_ca: unknown setting');
  t.match(stderr, 'store.pool: unknown setting');
  t.match(stderr, 'devices[0].tokn: unknown setting');
  t.match(stderr, 'webhooks.retry.max_attempt: unknown setting');
});

t.test('the shipped configs validate and have TLS on', async (t) => {
  for (const site of ['muong-nhe', 'tua-chua', 'dien-bien-dong']) {
    const file = projectPath('firmware-config', `${site}.yaml`);
    // The shipped configs name their sensor secrets only as ${VAR}: provision's random ones here.
    const secrets = Object.fromEntries(
      [...readFileSync(file, 'utf8').matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => [m[1]!, randomBytes(18).toString('base64url')]),
    );
    const { config } = loadEdgeConfig(file, secrets);
    t.equal(config.coordinator.tls.enabled, true, `${site}: EdgeLink over TLS`);
    t.equal(config.coordinator.allow_remote_change, false, `${site}: a push cannot move the box`);
  }
  const sha = 'a'.repeat(64);
  const env = {
    DATABASE_URL: 'postgresql://ioc@db/ioc',
    EDGE_MUONG_NHE_01_TOKEN_SHA256: sha,
    EDGE_TUA_CHUA_01_TOKEN_SHA256: sha,
    EDGE_DIEN_BIEN_DONG_01_TOKEN_SHA256: sha,
    IOC_ADMIN_TOKEN_SHA256: sha,
  };
  const { config } = loadCoordinatorConfig(projectPath('deploy', 'coordinator.example.yaml'), env);
  t.ok(config.grpc.tls?.client_ca_file, 'EdgeLink over mTLS');
  t.ok(config.http.tls, 'the API over HTTPS');
});
