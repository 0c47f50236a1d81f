// Model update on a running box: a verified bundle (folder or tarball) is swapped into the
// detector while the camera keeps running; a model that fails to load leaves the previous one
// in service; a damaged copy is refused before it reaches the agent.
import t from 'tap';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/tmp.js';
import { startAgent } from '../support/system.js';
import { freePort } from '../support/ports.js';
import { edgectl } from '../support/edgectl.js';
import { distEntry } from '../support/build.js';
import { ARTIFACTS, launchBrowser } from '../support/browser.js';
import { RtspCamera } from '../support/rtsp-camera.js';
import sharp from 'sharp';
import { waitFor } from '../support/wait.js';
import { projectPath } from '../../common/paths.js';
import type { AgentStatus } from '../../edge/admin/handlers/status.js';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** A bundle as the IOC ships one: manifest.json beside a models/ folder. */
function copyBundle(dir: string): string {
  mkdirSync(join(dir, 'models'), { recursive: true });
  copyFileSync(projectPath('models', 'manifest.json'), join(dir, 'manifest.json'));
  for (const f of ['centernet.json', 'centernet.bin']) copyFileSync(projectPath('models', f), join(dir, 'models', f));
  return dir;
}

t.test('model install, snapshot and live preview on a running camera', async (t) => {
  const dir = tempDir(t);
  // A live RTSP camera (a file would be played through at full speed by the preview's ffmpeg).
  const rtsp = await RtspCamera.start({ clip: projectPath('test', 'fixtures', 'vtest-25s.mp4') });
  t.teardown(() => rtsp.close());
  const agent = await startAgent(t, {
    dir,
    deviceId: 'edge-model',
    site: 'dien-bien-dong',
    grpcAddress: `127.0.0.1:${await freePort()}`,
    bodyYaml: `
cameras:
  - id: cam-street
    url: ${rtsp.url}
    rtsp_transport: udp
`,
  });
  const ctl = (args: string[]) => edgectl(agent.configFile, args);
  const status = async () => (await ctl(['status', '--json'])).json<AgentStatus>();
  const ready = await waitFor(
    'detector ready and camera online',
    async () => {
      const s = await status();
      return s.detector?.state === 'ok' && s.cameras[0]?.online ? s : undefined;
    },
    { timeoutMs: 40_000 },
  );
  t.equal(ready.detector!.model, 'bundled');

  const install = await ctl(['model', 'install', copyBundle(join(dir, 'bundle')), '--json']);
  t.equal(install.code, 0, install.stderr);
  const result = install.json<{ installed: string; previous: string; loaded: boolean; backend: string }>();
  t.match(result, { previous: 'bundled', loaded: true });
  t.match(result.installed, /^centernet-[0-9a-f]{12}$/);
  const after = await status();
  t.equal(after.detector!.state, 'ok');
  t.equal(after.detector!.model, result.installed, 'the new model is the active one');
  t.equal(after.cameras[0]!.online, true, 'the camera stayed online');
  t.equal(await agent.metric('ioc_edge_camera_reconnects_total', { camera: 'cam-street' }), 0, 'its ffmpeg was never restarted');

  // A tarball of the same model: accepted again (idempotent), the copy on disk left intact.
  const tarball = join(dir, 'centernet.tgz');
  execFileSync('tar', ['-czf', tarball, '-C', join(dir, 'bundle'), '.']);
  const again = await ctl(['model', 'install', tarball, '--json']);
  t.equal(again.code, 0, again.stderr);
  t.equal(again.json<{ installed: string }>().installed, result.installed);

  // Hashes that match but a graph that is not a model: it fails to load, the previous stays.
  const broken = join(dir, 'broken');
  mkdirSync(join(broken, 'models'), { recursive: true });
  const graph = Buffer.from('{"format":"not a graph model"}');
  const weights = Buffer.alloc(64, 7);
  writeFileSync(join(broken, 'models', 'broken.json'), graph);
  writeFileSync(join(broken, 'models', 'broken.bin'), weights);
  const manifest = JSON.parse(readFileSync(projectPath('models', 'manifest.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(
    join(broken, 'manifest.json'),
    JSON.stringify({
      ...manifest,
      name: 'broken',
      files: [
        { path: 'models/broken.json', from: 'x', bytes: graph.length, sha256: sha256(graph) },
        { path: 'models/broken.bin', from: 'x', bytes: weights.length, sha256: sha256(weights) },
      ],
    }),
  );
  const failed = await ctl(['model', 'install', broken, '--json']);
  t.equal(failed.code, 1, 'a model that does not load is a failure');
  t.match(failed.json(), { code: 'MODEL_INVALID', error: /did not load.*previous model is back in service/ });
  const kept = await status();
  t.equal(kept.detector!.state, 'ok', 'the detector runs again');
  t.equal(kept.detector!.model, result.installed, 'on the previous model');
  const show = (await ctl(['model', 'show', '--json'])).json<{ active: { id: string }; previous: { id: string } }>();
  t.equal(show.active.id, result.installed);
  t.equal(show.previous.id, 'bundled');

  // A copy damaged on the way (USB stick): refused before anything reaches the agent.
  const damaged = copyBundle(join(dir, 'damaged'));
  const bin = readFileSync(join(damaged, 'models', 'centernet.bin'));
  bin[5000] = bin[5000]! ^ 0xff;
  writeFileSync(join(damaged, 'models', 'centernet.bin'), bin);
  const refused = await ctl(['model', 'install', damaged]);
  t.equal(refused.code, 1);
  t.match(refused.stderr, /centernet\.bin: sha256 does not match the manifest/);
  t.equal((await status()).detector!.model, result.installed, 'unchanged');

  // Snapshot: the latest frame as a JPEG file.
  const jpeg = join(dir, 'gate.jpg');
  const shot = await ctl(['cameras', 'snapshot', 'cam-street', '-o', jpeg, '--json']);
  t.equal(shot.code, 0, shot.stderr);
  const data = readFileSync(jpeg);
  t.same([...data.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG file');
  t.equal(shot.json<{ bytes: number }>().bytes, data.length);

  // Live preview: edgectl prints a one-time link on loopback; the page and stream refuse anything
  // else; a browser plays it; the link does not work twice; Ctrl-C stops it.
  const live = spawn(process.execPath, [distEntry('edge/cli/main.js'), '--config', agent.configFile, 'cameras', 'live', 'cam-street', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => live.kill('SIGKILL'));
  let output = '';
  live.stdout.on('data', (d: Buffer) => (output += d.toString()));
  const started = await waitFor('preview link printed', () => {
    const first = output.split('\n')[0];
    return first && output.includes('\n') ? (JSON.parse(first) as { host: string; port: number; url: string; token: string }) : undefined;
  });
  t.equal(started.host, '127.0.0.1', 'served on loopback by default');
  const pageUrl = `http://127.0.0.1:${started.port}/?token=${started.token}`;
  t.equal(started.url, pageUrl, 'the one-time link to open is printed');
  t.equal((await fetch(`http://127.0.0.1:${started.port}/`)).status, 401, 'no page without the token');
  t.equal((await fetch(`http://127.0.0.1:${started.port}/?token=nope`)).status, 401, 'nor with a wrong one');
  const html = await (await fetch(pageUrl)).text();
  t.match(html, `new JSMpeg.VideoElement('#video', 'ws://' + location.host + '/?token=${started.token}'`, 'the page plays the preview stream of the same port');
  const script = await fetch(`http://127.0.0.1:${started.port}/jsmpeg.min.js?token=${started.token}`);
  t.equal(script.status, 200);
  t.match(await script.text(), /JSMpeg/, 'the player is served by the box itself (no internet on site)');
  // What the technician sees: the page in a real browser shows the street, not a blank box.
  const browser = await launchBrowser(t, { width: 800, height: 600 });
  const tab = await browser.newPage();
  await tab.goto(pageUrl);
  await tab.waitForSelector('#video canvas');
  const seen = await waitFor(
    'video frames drawn in the page',
    async () => {
      const png = await tab.locator('#video canvas').screenshot();
      const stats = await sharp(png).stats();
      return stats.channels[0]!.stdev > 20 ? png : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 500 },
  );
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, 'edgectl-live-preview.png'), seen);
  t.pass('the browser shows moving pictures of the street (test-artifacts/console/edgectl-live-preview.png)');
  // The browser's websocket spent the token: a second player is refused.
  const second = new WebSocket(`ws://127.0.0.1:${started.port}/?token=${started.token}`);
  const refusedStatus = await new Promise<number>((resolve) => {
    second.once('unexpected-response', (_req, res) => (res.resume(), resolve(res.statusCode ?? 0)));
    second.once('open', () => (second.terminate(), resolve(101)));
    second.once('error', () => resolve(0));
  });
  t.equal(refusedStatus, 401, 'the link works once');
  live.kill('SIGINT');
  const [code] = (await once(live, 'exit')) as [number];
  t.equal(code, 0, 'Ctrl-C ends the preview cleanly');
  t.match(output, /"stopped":"closed"/);
  await browser.close();
  await t.rejects(fetch(pageUrl), 'the preview port is closed');
  t.pass('the preview is gone once edgectl ends');
});
