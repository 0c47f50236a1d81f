import t from 'tap';
import { redactError, redactFields, redactText, redactUrl } from '../../common/redact.js';

t.test('URL passwords are masked, user names and hosts kept', async (t) => {
  t.equal(redactUrl('rtsp://admin:s3cret@10.1.2.3:554/Streaming/101'), 'rtsp://admin:***@10.1.2.3:554/Streaming/101');
  t.equal(redactUrl('rtsps://u:p@cam/x'), 'rtsps://u:***@cam/x');
  t.equal(redactUrl('rtsp://10.1.2.3/stream'), 'rtsp://10.1.2.3/stream', 'nothing to hide');
  t.equal(redactUrl('rtsp://viewer@10.1.2.3/stream'), 'rtsp://viewer@10.1.2.3/stream', 'a user name alone is not a secret');
  t.equal(redactUrl('rtsp://admin:p@ss:w0rd@cam:554/a'), 'rtsp://admin:***@cam:554/a', 'a password holding @ and :');
  t.equal(redactUrl('http://cam/snap.jpg?user=admin&password=hunter2&ch=1'), 'http://cam/snap.jpg?user=admin&password=***&ch=1');
  t.equal(redactUrl('ws://box:9000/?token=abcdef'), 'ws://box:9000/?token=***');
});

t.test('ffmpeg errors that echo the input URL', async (t) => {
  const stderr = [
    "Input #0, rtsp, from 'rtsp://user:secret@127.0.0.1:8554/cam1':",
    '[rtsp @ 0x55d1c0] method DESCRIBE failed: 404 Not Found',
    'rtsp://user:secret@127.0.0.1:8554/nope: Server returned 404 Not Found',
    'cannot decode rtsp://a:b@h/1 and rtmp://x:y@h2/live (two URLs in one line)',
  ].join('\n');
  const clean = redactText(stderr);
  t.notMatch(clean, /secret|:b@|:y@/);
  t.match(clean, "from 'rtsp://user:***@127.0.0.1:8554/cam1'");
  t.match(clean, 'rtsp://a:***@h/1 and rtmp://x:***@h2/live');
});

t.test('log fields and errors: copies only when something is hidden', async (t) => {
  const plain = { camera: 'c1', n: 3, nested: { url: 'rtsp://h/1' } };
  t.equal(redactFields(plain), plain, 'nothing to hide: the same object');
  const withUrl = { camera: 'c1', nested: { url: 'rtsp://u:pw@h/1' }, list: [1] };
  const clean = redactFields(withUrl);
  t.same(clean, { camera: 'c1', nested: { url: 'rtsp://u:***@h/1' }, list: [1] });
  t.equal(withUrl.nested.url, 'rtsp://u:pw@h/1', "the caller's object is untouched");
  const err = new Error('connect failed: rtsp://u:pw@h/1');
  const cleanErr = redactError(err);
  t.ok(cleanErr instanceof Error);
  t.equal(cleanErr.message, 'connect failed: rtsp://u:***@h/1');
  t.notMatch(cleanErr.stack ?? '', /:pw@/);
  t.equal(err.message, 'connect failed: rtsp://u:pw@h/1', 'the original error is untouched');
});
