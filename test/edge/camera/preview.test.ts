import t from 'tap';
import WebSocket from 'ws';
import { once } from 'node:events';
import { connect } from 'node:net';
import { CameraPreview } from '../../../edge/camera/preview.js';
import { projectPath } from '../../../common/paths.js';
import { RtspCamera } from '../../support/rtsp-camera.js';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

t.test('live preview serves jsmpeg over a websocket on an ephemeral port and stops on timeout', async (t) => {
  const rtsp = await RtspCamera.start({ clip: projectPath('test', 'fixtures', 'vtest-25s.mp4') });
  t.teardown(() => rtsp.close());
  const preview = await CameraPreview.start({ cameraId: 'cam1', url: rtsp.url, host: '127.0.0.1', port: 0, timeoutMs: 8_000 });
  t.teardown(() => preview.close());
  t.ok(preview.port > 0, `listening on ${preview.port}`);

  // The player connects once the picture is known (a browser would retry the same way).
  const sizeDeadline = Date.now() + 5_000;
  while (!preview.pictureSize && Date.now() < sizeDeadline) await new Promise((r) => setTimeout(r, 100));
  const ws = new WebSocket(`ws://127.0.0.1:${preview.port}/`);
  const messages: Buffer[] = [];
  ws.on('message', (data: Buffer) => messages.push(data));
  await once(ws, 'open');
  const deadline = Date.now() + 6_000;
  while (messages.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  t.equal(messages[0]?.subarray(0, 4).toString(), 'jsmp', 'jsmpeg stream header first');
  t.same([messages[0]?.readUInt16BE(4), messages[0]?.readUInt16BE(6)], [640, 480], 'with the picture size for the player');
  t.ok(messages.length >= 2, `video data follows (${messages.length} messages)`);

  const closedSocket = once(ws, 'close');
  await preview.closed;
  await closedSocket;
  t.notOk(preview.running, 'stopped by its timeout');
  t.notOk(await portOpen(preview.port), 'port closed');
});

t.test('close() stops it at once and is idempotent', async (t) => {
  const rtsp = await RtspCamera.start({ clip: projectPath('test', 'fixtures', 'vtest-25s.mp4') });
  t.teardown(() => rtsp.close());
  const preview = await CameraPreview.start({ cameraId: 'cam1', url: rtsp.url, host: '127.0.0.1', timeoutMs: 60_000 });
  await Promise.all([preview.close(), preview.close()]);
  t.notOk(await portOpen(preview.port));
});
