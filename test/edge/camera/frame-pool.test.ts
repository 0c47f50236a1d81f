import t from 'tap';
import { FramePool } from '../../../edge/camera/frame-pool.js';

t.test('a buffer is reused only after its last reader lets go', async (t) => {
  const pool = new FramePool(1);
  const a = { rgb: pool.acquire(12) };
  pool.hold(a); // the camera keeps it
  pool.release(a); // the grabber is done with it
  const b = pool.acquire(12);
  t.not(b, a.rgb, 'a held buffer is never handed out again');
  pool.release(a);
  t.equal(pool.acquire(12), a.rgb, 'once nobody holds it, it comes back');
  t.equal(pool.inUse, 2);
});

t.test('spares beyond the limit and of another size are left to the collector; foreign frames are ignored', async (t) => {
  const pool = new FramePool(1);
  const [a, b] = [{ rgb: pool.acquire(12) }, { rgb: pool.acquire(12) }];
  pool.release(a);
  pool.release(b);
  t.equal(pool.inUse, 0);
  const c = pool.acquire(12);
  t.ok(c === a.rgb || c === b.rgb, 'one spare kept');
  t.notOk(pool.acquire(12) === a.rgb || false, 'the other was not');
  pool.release({ rgb: c });
  t.equal(pool.acquire(27).length, 27, 'a new picture size gets a new buffer, the old spare is dropped');
  const foreign = { rgb: Buffer.alloc(12) };
  pool.hold(foreign);
  pool.release(foreign);
  pool.release(foreign);
  t.not(pool.acquire(12), foreign.rgb, 'a buffer the pool did not make never enters it');
});

t.test('frame buffers are in shared memory (the detector worker reads them in place)', async (t) => {
  const pool = new FramePool(1);
  t.ok(pool.acquire(12).buffer instanceof SharedArrayBuffer);
});
