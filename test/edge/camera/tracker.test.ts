import t from 'tap';
import { Tracker, medianScore } from '../../../edge/camera/tracker.js';
import type { Detection } from '../../../edge/camera/types.js';

const person = (x: number, y = 0.4, score = 0.7): Detection => ({ label: 'person', score, box: { x, y, w: 0.05, h: 0.15 } });
const STEP = 200; // 5 detector cycles a second

t.test('a walking person is one track, confirmed after min hits, followed through a missed cycle', async (t) => {
  const tracker = new Tracker({ minHits: 3 });
  const confirmedAt: number[] = [];
  let id = '';
  for (let i = 0; i < 20; i++) {
    const dets = i === 10 ? [] : [person(0.1 + i * 0.012)]; // the detector misses one cycle
    const u = tracker.update(dets, i * STEP, 1_000 + i * STEP);
    if (u.confirmed.length) confirmedAt.push(i);
    if (i === 0) id = u.tracks[0]!.id;
    t.equal(u.ended.length, 0);
  }
  t.same(confirmedAt, [2], 'confirmed on the third hit, once');
  t.equal(tracker.tracks.length, 1);
  t.equal(tracker.tracks[0]!.id, id, 'same id all along');
  t.ok(tracker.tracks[0]!.vx > 0, 'velocity to the right');
});

t.test('two people crossing keep their identities (constant-velocity prediction)', async (t) => {
  const tracker = new Tracker({ minHits: 2 });
  const ids = new Map<string, string>();
  for (let i = 0; i < 25; i++) {
    const a = person(0.2 + i * 0.02, 0.4);
    const b = person(0.7 - i * 0.02, 0.42);
    const u = tracker.update([a, b], i * STEP, i * STEP);
    if (i === 0) continue;
    for (const tr of u.tracks) {
      const side = tr.vx > 0 ? 'a' : 'b';
      if (tr.hits < 3) continue;
      if (!ids.has(side)) ids.set(side, tr.id);
      else if (ids.get(side) !== tr.id) t.fail(`identity switch at step ${i}`);
    }
  }
  t.equal(tracker.tracks.length, 2);
  t.equal(ids.size, 2);
});

t.test('a lost track ends after maxDisappeared where the detector looked, not elsewhere', async (t) => {
  const tracker = new Tracker({ minHits: 2, maxDisappearedMs: 1_000 });
  for (let i = 0; i < 4; i++) tracker.update([person(0.5, 0.4)], i * STEP, 0);
  const elsewhere = { x: 0, y: 0, w: 0.3, h: 0.3 };
  t.equal(tracker.update([], 3_000, 0, elsewhere).ended.length, 0, 'not looked at: kept');
  const u = tracker.update([], 3_200, 0, { x: 0.3, y: 0.3, w: 0.5, h: 0.5 });
  t.equal(u.ended.length, 1, 'looked at and missing: ended');
  t.equal(tracker.tracks.length, 0);
});

t.test('an unconfirmed blip disappears without an end (never confirmed)', async (t) => {
  const tracker = new Tracker({ minHits: 3, maxDisappearedMs: 500 });
  tracker.update([person(0.5)], 0, 0);
  for (let ms = 200; ms < 1_000; ms += 200) tracker.update([], ms, 0);
  const u = tracker.update([], 1_000, 0);
  t.equal(u.ended.length, 0);
  t.equal(tracker.tracks.length, 0);
});

t.test('a parked object becomes stationary and survives long detector misses', async (t) => {
  const tracker = new Tracker({ minHits: 2, maxDisappearedMs: 1_000, stationaryAfterMs: 5_000, stationaryMaxDisappearedMs: 60_000 });
  const car: Detection = { label: 'car', score: 0.8, box: { x: 0.4, y: 0.5, w: 0.2, h: 0.1 } };
  for (let i = 0; i <= 30; i++) tracker.update([car], i * STEP, 0);
  const track = tracker.tracks[0]!;
  t.ok(track.stationary, 'stationary after 6 s without moving');
  t.equal(tracker.update([], 6_000 + 30_000, 0).ended.length, 0, '30 s of misses: still the same track');
  const again = tracker.update([car], 6_000 + 31_000, 0);
  t.equal(again.tracks[0]!.id, track.id, 'no new track (and so no new event) for the parked car');
  t.equal(tracker.update([], 6_000 + 100_000, 0).ended.length, 1, 'gone for longer than stationaryMaxDisappeared: ended');
});

t.test('labels never match across classes; median score', async (t) => {
  const tracker = new Tracker({ minHits: 1 });
  tracker.update([person(0.5)], 0, 0);
  tracker.update([{ label: 'car', score: 0.9, box: person(0.5).box }], STEP, 0);
  t.equal(tracker.tracks.length, 2);
  t.equal(medianScore({ scores: [0.5, 0.9, 0.6] }), 0.6);
  t.equal(medianScore({ scores: [0.5, 0.7] }), 0.6);
});

t.test('a slow detector (one cycle every 2 s, shared by many cameras) still follows a walker', async (t) => {
  const tracker = new Tracker({ minHits: 3 });
  const ids = new Set<string>();
  let ended = 0;
  for (let i = 0; i < 10; i++) {
    // 0.06 of the frame per cycle: more than the box's own width (0.05), so no overlap.
    const u = tracker.update([person(0.1 + i * 0.06)], i * 2_000, 0);
    for (const tr of u.tracks) ids.add(tr.id);
    ended += u.ended.length;
  }
  t.equal(ids.size, 1, 'one track, matched by centre distance and velocity');
  t.ok(tracker.tracks[0]!.confirmed);
  t.equal(ended, 0, 'gaps of one slow cycle do not end it');
});
