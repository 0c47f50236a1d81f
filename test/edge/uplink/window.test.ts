import t from 'tap';
import { InflightWindow } from '../../../edge/uplink/window.js';

t.test('the window settles at about two seconds of measured throughput', async (t) => {
  const w = new InflightWindow(8 * 1024, 4 * 1024 * 1024, 2000);
  t.equal(w.bytes, 16 * 1024, 'starts at twice the minimum');
  // 48 000 B/s (384 kbps): each 24 000-byte batch acknowledged 0.5 s after it went out alone.
  for (let i = 0; i < 20; i++) w.onAck(24_000, 500, 0);
  t.ok(Math.abs(w.measuredBytesPerSecond - 48_000) < 100, `measured ${w.measuredBytesPerSecond.toFixed(0)} B/s`);
  t.ok(Math.abs(w.bytes - 96_000) < 500, `window ${w.bytes.toFixed(0)} B ≈ 2 s of throughput`);
});

t.test('a slow link keeps the minimum window; a fast one is capped', async (t) => {
  const slow = new InflightWindow(8 * 1024, 4 * 1024 * 1024, 2000);
  for (let i = 0; i < 10; i++) slow.onAck(2500, 1000, 0); // 20 kbps
  t.equal(slow.bytes, 8 * 1024, 'never below the minimum, so one thumbnail can always go');
  const fast = new InflightWindow(8 * 1024, 4 * 1024 * 1024, 2000);
  for (let i = 0; i < 10; i++) fast.onAck(10_000_000, 100, 0);
  t.equal(fast.bytes, 4 * 1024 * 1024, 'capped');
  fast.reset();
  t.equal(fast.bytes, 16 * 1024, 'reset after a reconnect');
});

t.test('delivery rate counts what was queued ahead of a batch', async (t) => {
  const w = new InflightWindow();
  // 10 000 bytes were already in flight; this 10 000-byte batch came back 1 s later: 20 000 B/s.
  w.onAck(10_000, 1000, 10_000);
  t.equal(w.measuredBytesPerSecond, 20_000);
});
