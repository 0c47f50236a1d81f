import t from 'tap';
import { Writable } from 'node:stream';
import { componentLogger, makeRootLogger } from '../../common/log.js';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

t.test('the root logger keeps secrets out of every line', async (t) => {
  const { lines, stream } = capture();
  const root = makeRootLogger('test', stream);
  root.level = 'info'; // whatever LOG_LEVEL the suite runs with: info lines are part of the check
  const log = componentLogger('camera:gate', root);
  log.info({ url: 'rtsp://admin:hunter2@10.0.0.5/ch1' }, 'camera configured');
  log.warn({ tail: 'rtsp://admin:hunter2@10.0.0.5/ch1: Server returned 401 Unauthorized' }, 'camera stream ended');
  log.error('reading rtsp://admin:hunter2@10.0.0.5/ch1 failed');
  log.error({ err: new Error('open rtsp://admin:hunter2@10.0.0.5/ch1: refused') }, 'grabber failed');
  log.info({ password: 'hunter2', token: 'hunter2', headers: { authorization: 'Bearer hunter2' }, sensor: { secret: 'hunter2' } }, 'fields named like secrets');
  log.info({ camera: 'gate', fps: 5 }, 'ordinary line');
  const text = lines.join('');
  t.equal(lines.length, 6, 'every line written');
  t.notMatch(text, /hunter2/, `no secret in:\n${text}`);
  t.match(text, 'rtsp://admin:***@10.0.0.5/ch1');
  t.match(text, '"password":"[redacted]"');
  t.match(text, '"authorization":"[redacted]"');
  t.match(text, '"fps":5');
});
