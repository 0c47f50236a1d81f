import t from 'tap';
import { ActivitySummary } from '../../../edge/camera/activity.js';
import type { Shot } from '../../../edge/camera/thumbnail.js';

const shot = (quality: number): Shot => ({ rgb: new Uint8Array(3), width: 1, height: 1, score: 0.7, area: 0.01, touchesEdge: false, quality, takenWallMs: 0 });
const box = { x: 0.1, y: 0.1, w: 0.1, h: 0.2 };
const MIN = 60_000;

t.test('counts per label per wall-clock interval; only labels with objects held back; the best picture once', async (t) => {
  const summary = new ActivitySummary(5 * MIN);
  const start = 1_700_000_100_000; // 100 s into a 5-minute interval
  summary.count('person', true, 0.7, start);
  summary.count('person', false, 0.6, start + 1_000);
  summary.count('person', false, 0.65, start + 2_000);
  summary.count('car', true, 0.8, start + 3_000);
  summary.offer('person', 'p2', box, shot(0.1));
  summary.offer('person', 'p3', box, shot(0.3));
  summary.offer('person', 'p2', box, shot(0.2));
  t.same(summary.close(start + 10_000), [], 'the interval is still open');
  const [person, ...rest] = summary.close(start + 5 * MIN);
  t.same(rest, [], 'no record for cars: every car had its own event');
  t.equal(person!.endedMs % (5 * MIN), 0, 'intervals end on the wall-clock grid');
  t.equal(person!.endedMs - person!.startedMs, 5 * MIN);
  t.same([person!.label, person!.objects, person!.sent, person!.score, person!.trackId, person!.shot?.quality], ['person', 3, 1, 0.65, 'p3', 0.3]);
  t.same(summary.close(start + 30 * MIN, true), [], 'quiet intervals give nothing');
});

t.test('a stopping camera closes the current interval early', async (t) => {
  const summary = new ActivitySummary(5 * MIN);
  const start = 1_700_000_100_000;
  summary.count('motorcycle', false, 0.6, start);
  const [moto] = summary.close(start + 20_000, true);
  t.same([moto!.label, moto!.objects, moto!.sent, moto!.endedMs, moto!.shot], ['motorcycle', 1, 0, start + 20_000, undefined]);
});
