// No guessable sensor secrets: the agent refuses them (exit 2, naming the sensor), the shipped
// configs carry none, and `edgectl provision --sensors-only` generates real ones (0600 file,
// printed once, kept on a second run, replaced with --rotate).
import t from 'tap';
import { readFileSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/tmp.js';
import { runNode } from '../support/process.js';
import { edgectl } from '../support/edgectl.js';
import { edgeYaml } from '../support/system.js';
import { projectPath } from '../../common/paths.js';
import { weakSecretReason } from '../../edge/sensors/weak-secrets.js';
import { readEnvFile } from '../../edge/cli/sensor-secrets.js';

const sensorYaml = (password: string) => `
sensors:
  - id: rain-mn-01
    type: rain_gauge
    credentials: { username: rain-mn-01, password: "${password}" }
    metrics: [{ name: rainfall, unit: mm }]
`;

t.test('weak secrets: empty, short, placeholders, the username', async (t) => {
  for (const weak of [
    '',
    '   ',
    'rain-mn-01-change-me',
    'CHANGEME-0123456',
    'my-password-123',
    'default-default',
    'rain-mn-01',
    'short-1',
    'aaaaaaaaaaaaaaaa',
    'ababababababab',
  ]) {
    t.ok(weakSecretReason('rain-mn-01', weak), `"${weak}" is weak`);
  }
  t.equal(weakSecretReason('rain-mn-01', 'Qm7-vX2p-Lr9w-T4k'), undefined);
});

t.test('the agent refuses to start with a default sensor password: exit 2, the sensor named', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'edge.yaml');
  writeFileSync(file, edgeYaml({ dir, deviceId: 'edge-w', site: 'muong-nhe', grpcAddress: '127.0.0.1:1', bodyYaml: sensorYaml('rain-mn-01-change-me') }, 0));
  const r = await runNode('edge/main.js', ['--config', file]);
  t.equal(r.code, 2, r.stderr);
  t.match(r.stderr, 'sensors[0].credentials.password: sensor rain-mn-01 has a default/empty password');
  t.match(r.stderr, 'run edgectl provision');
  t.notMatch(r.stderr, 'rain-mn-01-change-me', 'the secret itself is not printed');
  const validate = await edgectl(file, ['config', 'validate', file]);
  t.equal(validate.code, 2, 'edgectl config validate says the same');
  t.match(validate.stdout + validate.stderr, 'sensor rain-mn-01 has a default/empty password');
});

t.test('shipped configs fall back to no published password', async (t) => {
  for (const name of readdirSync(projectPath('firmware-config'))) {
    const text = readFileSync(projectPath('firmware-config', name), 'utf8');
    t.notMatch(text, /change-?me|:-/i, `${name} has no fallback secrets`);
  }
});

t.test('edgectl provision --sensors-only: random secrets in a 0600 file, shown once, kept, rotated on request', async (t) => {
  const dir = tempDir(t);
  const config = join(dir, 'site.yaml');
  writeFileSync(config, readFileSync(projectPath('firmware-config', 'muong-nhe.yaml'), 'utf8'));
  const envFile = join(dir, 'sensors.env');
  const first = await edgectl(config, ['provision', '--sensors-only', '--sensors-env', envFile]);
  t.equal(first.code, 0, first.stderr);
  t.equal(statSync(envFile).mode & 0o777, 0o600, 'root-only file');
  const env = readEnvFile(envFile);
  t.same(Object.keys(env).sort(), ['RAIN_MN_01_PASSWORD', 'RIVER_MN_01_PASSWORD', 'TEMP_MN_01_PASSWORD']);
  for (const [name, value] of Object.entries(env)) {
    t.equal(weakSecretReason(name, value), undefined, `${name} is strong`);
    t.match(first.stdout, value, 'each new secret is printed for the technician');
  }
  t.match(first.stdout, /sensor rain-mn-01: username rain-mn-01 +password \S+/);

  const again = await edgectl(config, ['provision', '--sensors-only', '--sensors-env', envFile]);
  t.equal(again.code, 0);
  t.same(readEnvFile(envFile), env, 'a second run keeps the secrets');
  for (const value of Object.values(env)) t.notMatch(again.stdout, value, 'and does not print them again');

  const validate = await edgectl(config, ['config', 'validate', config], Object.fromEntries(Object.entries(env)));
  t.equal(validate.code, 0, `the shipped config validates with them: ${validate.stdout}${validate.stderr}`);

  const rotated = await edgectl(config, ['provision', '--sensors-only', '--rotate', '--sensors-env', envFile]);
  t.equal(rotated.code, 0);
  const next = readEnvFile(envFile);
  for (const name of Object.keys(env)) t.not(next[name], env[name], `${name} rotated`);
});
