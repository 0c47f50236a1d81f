import t from 'tap';
import WebSocket from 'ws';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { CameraPreview, type PreviewOptions } from '../../../edge/camera/preview.js';
import { PreviewToken } from '../../../edge/camera/preview-token.js';
import { projectPath } from '../../../common/paths.js';
import { freePort, RtspCamera } from '../../support/rtsp-camera.js';

type TapTest = Parameters<Parameters<typeof t.test>[0]>[0];

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** This process's preview transcoders (the test camera's own ffmpeg publishes H.264, not MPEG-1). */
function previewFfmpegChildren(): number[] {
  const pids = readdirSync(`/proc/${process.pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
  );
  return pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('mpeg1video');
    } catch {
      return false;
    }
  });
}

/** Opens the preview's websocket: the socket once open, or the HTTP status it was refused with. */
function openStream(port: number, query: string): Promise<{ ws?: WebSocket; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/${query}`);
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => (res.resume(), resolve({ status: res.statusCode })));
    ws.once('error', () => resolve({ status: 0 }));
  });
}

async function camera(t: TapTest): Promise<RtspCamera> {
  const rtsp = await RtspCamera.start({ clip: projectPath('test', 'fixtures', 'vtest-25s.mp4') });
  t.teardown(() => rtsp.close());
  return rtsp;
}

async function startPreview(t: TapTest, options: Partial<PreviewOptions> & { url: string }): Promise<CameraPreview> {
  // The test camera serves RTP over UDP only.
  const preview = await CameraPreview.start({ cameraId: 'cam1', rtspTransport: 'udp', timeoutMs: 60_000, ...options });
  t.teardown(() => preview.close());
  return preview;
}

t.test('one-time token: compared whole, spent by the first viewer', async (t) => {
  const token = new PreviewToken();
  t.match(token.value, /^[A-Za-z0-9_-]{24}$/);
  t.notOk(token.valid(undefined));
  t.notOk(token.valid(''));
  t.notOk(token.valid(token.value.slice(0, -1)), 'a prefix is not the token');
  t.notOk(token.valid(`${token.value}x`));
  t.notOk(new PreviewToken().valid(token.value), 'a token is good for its own preview only');
  t.ok(token.valid(token.value));
  t.ok(token.spend(token.value));
  t.notOk(token.spend(token.value), 'once');
  t.notOk(token.valid(token.value), 'and then not even for the page');
});

t.test('loopback by default; page and stream refuse a missing or wrong token; the right one plays MPEG-TS once', async (t) => {
  const rtsp = await camera(t);
  const preview = await startPreview(t, { url: rtsp.url, page: (_req, res) => res.end('player page') });
  t.equal(preview.host, '127.0.0.1', 'listens on loopback unless told otherwise');
  const base = `http://127.0.0.1:${preview.port}/`;
  const token = preview.token.value;

  t.equal((await fetch(base)).status, 401, 'page without a token');
  t.equal((await fetch(`${base}?token=wrong`)).status, 401, 'page with a wrong token');
  t.equal((await openStream(preview.port, '')).status, 401, 'stream without a token');
  t.equal((await openStream(preview.port, '?token=wrong')).status, 401, 'stream with a wrong token');
  t.equal((await openStream(preview.port, `?token=${token.slice(0, -2)}`)).status, 401, 'stream with part of the token');
  const page = await fetch(`${base}?token=${token}`);
  t.equal(page.status, 200);
  t.equal(await page.text(), 'player page', 'the right token gets the page');

  const { ws } = await openStream(preview.port, `?token=${token}`);
  t.ok(ws, 'the right token opens the stream');
  const chunks: Buffer[] = [];
  ws!.on('message', (data: Buffer) => chunks.push(data));
  const deadline = Date.now() + 15_000;
  while (Buffer.concat(chunks).length < 188 * 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const video = Buffer.concat(chunks);
  t.ok(video.length >= 188 * 20, `video arrives (${video.length} bytes)`);
  t.same([video[0], video[188], video[376]], [0x47, 0x47, 0x47], 'as MPEG-TS packets');

  t.equal((await openStream(preview.port, `?token=${token}`)).status, 401, 'the token works once');
  t.equal((await fetch(`${base}?token=${token}`)).status, 401, 'and no longer opens the page');
  t.ok(preview.refused >= 7, `refusals counted (${preview.refused})`);

  // The viewer leaving ends the preview: nobody else may join, and ffmpeg stops.
  const pid = preview.ffmpegPid!;
  t.ok(alive(pid), 'ffmpeg runs while the viewer watches');
  ws!.terminate();
  t.same(await preview.closed, { reason: 'viewer left' });
  t.notOk(alive(pid), 'ffmpeg is gone once the viewer left');
  t.notOk(await portOpen(preview.port), 'port closed');
});

t.test('close() stops ffmpeg at once and is idempotent', async (t) => {
  const rtsp = await camera(t);
  const preview = await startPreview(t, { url: rtsp.url });
  const pid = preview.ffmpegPid!;
  t.ok(alive(pid));
  const [a, b] = await Promise.all([preview.close(), preview.close()]);
  t.same(a, { reason: 'closed' });
  t.equal(a, b);
  t.notOk(alive(pid), 'ffmpeg is gone after close');
  t.notOk(await portOpen(preview.port));
  t.notOk(preview.running);
});

t.test('the timeout stops it and its ffmpeg', async (t) => {
  const rtsp = await camera(t);
  const preview = await startPreview(t, { url: rtsp.url, timeoutMs: 1_500 });
  const pid = preview.ffmpegPid!;
  t.same(await preview.closed, { reason: 'timed out' });
  t.notOk(alive(pid), 'ffmpeg is gone after the timeout');
  t.notOk(await portOpen(preview.port));
});

t.test('a camera that fails ends the preview with a reason that hides its password', async (t) => {
  const url = `rtsp://viewer:secret@127.0.0.1:${await freePort()}/nothing-here`;
  const preview = await startPreview(t, { url, rtspTransport: 'tcp' });
  const pid = preview.ffmpegPid!;
  const stopped = await preview.closed;
  t.equal(stopped.reason, 'camera failed');
  t.ok(stopped.detail, `with ffmpeg's words: ${stopped.detail}`);
  t.notMatch(stopped.detail!, /secret/);
  t.notOk(alive(pid), 'ffmpeg is gone');
  t.notOk(await portOpen(preview.port), 'port closed');
});

t.test('a port in use fails the start before any ffmpeg runs', async (t) => {
  const busy = createServer();
  busy.listen(0, '127.0.0.1');
  await once(busy, 'listening');
  t.teardown(() => busy.close());
  const port = (busy.address() as { port: number }).port;
  await t.rejects(CameraPreview.start({ cameraId: 'cam1', url: 'rtsp://127.0.0.1:1/x', port }), {
    code: 'UNAVAILABLE',
    message: /cannot listen on 127\.0\.0\.1:\d+: the port is in use/,
  });
  await new Promise((r) => setTimeout(r, 300));
  t.same(previewFfmpegChildren(), [], 'no transcoder left behind');
});
