// edgectl doctor and provision as on a box whose agent is down: doctor still runs what it can
// (a missing ffmpeg, a damaged model, a camera that does not decode) and names what it skipped;
// provision checks the token with a real coordinator before writing anything.
import t from 'tap';
import { readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/tmp.js';
import { startCoordinator, deviceToken } from '../support/system.js';
import { freePort } from '../support/ports.js';
import { edgectl } from '../support/edgectl.js';
import { projectPath } from '../../common/paths.js';
import { ModelStore } from '../../edge/admin/model-store.js';

interface Report {
  agentRunning: boolean;
  failed: number;
  checks: { name: string; status: string; detail: string; hint?: string }[];
}

function siteConfig(dir: string, extra: string, coordinator = '127.0.0.1:1'): string {
  const file = join(dir, 'site.yaml');
  writeFileSync(
    file,
    `version: 1
device: { id: edge-doc, site: muong-nhe, site_name: Mường Nhé, location: { lat: 22.18, lon: 102.46 } }
coordinator: { address: ${coordinator}, token_file: ${join(dir, 'device.token')}, tls: { enabled: false } }
data_dir: ${join(dir, 'data')}
broker: { host: 127.0.0.1, port: 0 }
admin: { metrics_port: 0 }
${extra}`,
  );
  return file;
}

const CAMERA = (url: string) => `cameras:
  - id: cam-gate
    url: ${url}
`;

t.test('doctor with the agent down: missing ffmpeg and a damaged model are failures with fixes', async (t) => {
  const dir = tempDir(t);
  const file = siteConfig(dir, CAMERA(`file:${projectPath('test', 'fixtures', 'vtest-25s.mp4')}`));
  // An installed model whose weights were damaged after installation (bad sector, half copy).
  const store = new ModelStore(join(dir, 'data'));
  const manifest = JSON.parse(readFileSync(projectPath('models', 'manifest.json'), 'utf8')) as { files: { path: string }[] };
  const files = Object.fromEntries(manifest.files.map((f) => [f.path, readFileSync(projectPath(f.path))]));
  const installed = store.stage({ manifest: manifest as never, files });
  store.activate(installed);
  const weights = join(installed.modelRoot, 'models', 'centernet.bin');
  const damaged = readFileSync(weights);
  damaged[1000] = damaged[1000]! ^ 0xff;
  writeFileSync(weights, damaged);

  const r = await edgectl(file, ['doctor', '--json'], { PATH: '/nonexistent' });
  t.equal(r.code, 1, 'doctor exits 1 when a check fails');
  const report = r.json<Report>();
  const check = (name: string) => report.checks.find((c) => c.name === name)!;
  t.equal(report.agentRunning, false);
  t.equal(check('config').status, 'pass');
  t.equal(check('agent').status, 'fail');
  t.match(check('agent').hint, /systemctl start ioc-edge/);
  t.equal(check('ffmpeg').status, 'fail', 'no ffmpeg on PATH is a failure');
  t.match(check('ffmpeg').hint, /apt-get install ffmpeg/);
  t.equal(check('camera cam-gate').status, 'skip', 'camera decode needs ffmpeg');
  t.equal(check('model').status, 'fail', 'a wrong hash is a failure');
  t.match(check('model').detail, /centernet\.bin does not match the manifest/);
  t.match(check('model').hint, /edgectl model install/);
  t.equal(check('detector').status, 'skip');
  t.match(check('detector').detail, /agent not running/);
  t.equal(check('broker').status, 'skip');
  t.equal(check('coordinator').status, 'fail', 'no token file yet');
  t.match(check('coordinator').hint, /edgectl provision/);

  const text = await edgectl(file, ['doctor'], { PATH: '/nonexistent' });
  t.match(text.stdout, /✘ ffmpeg\s+ffmpeg not found/);
  t.match(text.stdout, /fix: install it: apt-get install ffmpeg/);
  t.match(text.stdout, /\d+ passed, \d+ warnings, \d+ failed, \d+ skipped \(.*detector.*broker.*\)/, 'the summary names what was skipped');
});

t.test('doctor --standalone-detector times the model here when the agent is down', async (t) => {
  const dir = tempDir(t);
  const file = siteConfig(dir, CAMERA(`file:${projectPath('test', 'fixtures', 'vtest-25s.mp4')}`));
  const report = (await edgectl(file, ['doctor', '--standalone-detector', '--json'])).json<Report>();
  const check = (name: string) => report.checks.find((c) => c.name === name)!;
  t.equal(check('model').status, 'pass', 'the bundled model verifies');
  t.match(check('model').detail, /^bundled: centernet, 2 files, sha256 ok/);
  t.match(check('detector').status, /^(pass|warn)$/, 'the detector loads and runs');
  t.match(check('detector').detail, /^(wasm|tensorflow) backend, \d+ ms per inference \(standalone\)/);
  t.equal(check('camera cam-gate').status, 'pass');
  t.equal(check('disk').status, 'pass');
  t.match(check('disk').detail, /free on .*data \(not created yet\)/, 'measured where the data directory will be');
});

t.test('doctor decodes each camera with ffmpeg and reports one that does not answer', async (t) => {
  const dir = tempDir(t);
  const deadPort = await freePort();
  const file = siteConfig(
    dir,
    `cameras:
  - id: cam-file
    url: file:${projectPath('test', 'fixtures', 'tree-20s.mp4')}
    detect: { enabled: false }
  - id: cam-dead
    url: rtsp://admin:secret@127.0.0.1:${deadPort}/stream
    detect: { enabled: false }
`,
  );
  const report = (await edgectl(file, ['doctor', '--json'])).json<Report>();
  const cam = (id: string) => report.checks.find((c) => c.name === `camera ${id}`)!;
  t.equal(report.checks.find((c) => c.name === 'ffmpeg')!.status, 'pass');
  t.equal(cam('cam-file').status, 'pass');
  t.match(cam('cam-file').detail, /decodes h264 \d+x\d+/);
  t.equal(cam('cam-dead').status, 'fail');
  t.notMatch(cam('cam-dead').detail, /secret/, 'the camera password is not printed');
  t.match(cam('cam-dead').hint, /rtsp_transport: udp/);
  t.equal(report.checks.find((c) => c.name === 'model')!.status, 'skip', 'no camera detects objects');
});

t.test('provision: a refused token writes nothing; a good one is written 0600 and verified', async (t) => {
  const dir = tempDir(t);
  const coordinator = await startCoordinator(t, { dir, devices: [{ id: 'edge-doc', site: 'muong-nhe' }] });
  const file = siteConfig(dir, '# sensors come later\nsensors: []\n');
  const original = readFileSync(file, 'utf8');
  const tokenFile = join(dir, 'device.token');
  const address = `127.0.0.1:${coordinator.grpcPort}`;

  const refused = await edgectl(file, ['provision', '--coordinator', address, '--token', 'not-the-right-token-0123456789']);
  t.equal(refused.code, 1);
  t.match(refused.stderr, /refused this token for device edge-doc/);
  t.notOk(existsSync(tokenFile), 'no token file written');
  t.equal(readFileSync(file, 'utf8'), original, 'config untouched');

  const usage = await edgectl(file, ['provision', '--coordinator', 'no-port', '--token', deviceToken('edge-doc')]);
  t.equal(usage.code, 2, 'a malformed address is a usage error');

  const ok = await edgectl(file, ['provision', '--coordinator', address, '--token', deviceToken('edge-doc'), '--json']);
  t.equal(ok.code, 0, ok.stderr);
  const result = ok.json<{ written: boolean; verified: { ok: boolean } }>();
  t.equal(result.written, true);
  t.equal(result.verified.ok, true);
  t.equal(readFileSync(tokenFile, 'utf8').trim(), deviceToken('edge-doc'));
  t.equal(statSync(tokenFile).mode & 0o777, 0o600, 'token file is 0600');
  const text = readFileSync(file, 'utf8');
  t.match(text, new RegExp(`address: ${address.replace('.', '\\.')}`));
  t.match(text, /# sensors come later/, 'comments in the config survive');
  t.equal(readFileSync(`${file}.prev`, 'utf8'), original, 'previous config kept');

  // Doctor now reaches the coordinator with the provisioned token, agent or not.
  const report = (await edgectl(file, ['doctor', '--json'])).json<Report>();
  t.equal(report.checks.find((c) => c.name === 'coordinator')!.status, 'pass');
  t.not(report.checks.find((c) => c.name === 'clock')!.status, 'skip', 'the Register answer gives a clock offset');
});
