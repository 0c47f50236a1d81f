import t from 'tap';
import { EmptyDetectionBackoff } from '../../../edge/camera/empty-detection-backoff.js';

t.test('waits only after a run of empty detections, doubling up to the cap', async (t) => {
  const backoff = new EmptyDetectionBackoff({ afterEmpty: 3, initialMs: 500, maxMs: 4_000 });
  backoff.record(false, 0);
  backoff.record(false, 100);
  t.ok(backoff.allows(200), 'two empty detections: still every motion frame');
  backoff.record(false, 200);
  t.equal(backoff.currentWaitMs, 500);
  t.notOk(backoff.allows(699), 'the third starts a 0.5 s wait');
  t.ok(backoff.allows(700));
  const waits = [];
  let at = 700;
  for (let i = 0; i < 5; i++) {
    backoff.record(false, at);
    waits.push(backoff.currentWaitMs);
    at += backoff.currentWaitMs;
  }
  t.same(waits, [1_000, 2_000, 4_000, 4_000, 4_000], 'doubles, then holds at the cap');
  t.notOk(backoff.allows(at - 1));
});

t.test('anything found goes straight back to every motion frame', async (t) => {
  const backoff = new EmptyDetectionBackoff({ afterEmpty: 3, initialMs: 500, maxMs: 4_000 });
  for (let i = 0; i < 6; i++) backoff.record(false, i * 1_000);
  t.notOk(backoff.allows(5_500));
  backoff.record(true, 5_000);
  t.ok(backoff.allows(5_001));
  t.equal(backoff.currentWaitMs, 0);
  backoff.record(false, 6_000);
  backoff.record(false, 6_100);
  t.ok(backoff.allows(6_200), 'the run of empties starts again from zero');
  backoff.record(false, 6_200);
  t.equal(backoff.currentWaitMs, 500, 'and the wait from the first step');
});

t.test('a cap of 0 turns it off', async (t) => {
  const backoff = new EmptyDetectionBackoff({ afterEmpty: 3, initialMs: 500, maxMs: 0 });
  for (let i = 0; i < 10; i++) backoff.record(false, i);
  t.ok(backoff.allows(10));
  t.equal(backoff.currentWaitMs, 0);
});
