import t from 'tap';
import type { TapTest } from '../../support/feature-stores.js';
import sharp from 'sharp';
import { CameraEvents } from '../../../edge/camera/events.js';
import { Tracker } from '../../../edge/camera/tracker.js';
import { createEdgeMetrics } from '../../../edge/metrics.js';
import { rootLogger } from '../../../common/log.js';
import type { Frame, Detection } from '../../../edge/camera/types.js';
import type { RuleAlert } from '../../../edge/camera/rules/index.js';
import { drain, events, openOutbox, thumbnails } from './records.js';

const W = 320,
  H = 240;
const frame = (monoMs: number): Frame => ({ seq: monoMs, width: W, height: H, rgb: Buffer.alloc(W * H * 3, 90), monoMs, wallMs: 1_700_000_000_000 + monoMs });
const person = (x: number, score: number, size = 0.2): Detection => ({ label: 'person', score, box: { x, y: 0.3, w: size / 2, h: size } });

async function setup(t: TapTest, options: Partial<ConstructorParameters<typeof CameraEvents>[0]> = {}) {
  const outbox = await openOutbox(t);
  const ev = new CameraEvents({
    cameraId: 'cam1',
    sink: outbox,
    metrics: createEdgeMetrics(),
    logger: rootLogger(),
    trackPasses: (_label, median) => median >= 0.55,
    timings: { minUpdateIntervalMs: 1_000, objectShotDelayMs: 3_000 },
    ...options,
  });
  const tracker = new Tracker({ minHits: 2 });
  let now = 0;
  /** The next frame, 200 ms on: the tracker sees `dets`, the events see its tracks. */
  const step = (dets: Detection[]) => {
    now += 200;
    const f = frame(now);
    const u = tracker.update(dets, f.monoMs, f.wallMs);
    ev.cycle(f, u.tracks, u.ended, []);
  };
  return { outbox, ev, tracker, step };
}

t.test('one object: new → end under one id, and one thumbnail: its best view, small, with the end', async (t) => {
  const { outbox, ev, step } = await setup(t);
  step([person(0.3, 0.4)]);
  step([person(0.31, 0.45)]); // confirmed, but median 0.425 < 0.55: not reported yet
  await ev.flush();
  t.same(events(await drain(outbox)), [], 'weak track not reported');
  for (let i = 0; i < 4; i++) step([person(0.32, 0.8)]);
  for (let i = 0; i < 3; i++) step([person(0.33, 0.8, 0.3)]); // clearly larger picture within 1 s
  for (let i = 0; i < 5; i++) step([person(0.34, 0.8, 0.3)]);
  for (let i = 0; i < 20; i++) step([]); // gone
  await ev.flush();
  const records = await drain(outbox);
  const all = events(records);
  t.same(
    all.map((e) => e.phase),
    ['new', 'end'],
    'a better picture alone is no reason for an update',
  );
  t.equal(new Set(all.map((e) => e.event_id)).size, 1, 'one id for the lifecycle');
  t.same([all[0]!.kind, all[0]!.type, all[0]!.label, all[0]!.rule], ['camera_event', 'object', 'person', '']);
  t.ok(all[0]!.score >= 0.55);
  t.ok(all[1]!.ended_ms > 0);
  const thumbs = thumbnails(records);
  t.equal(thumbs.length, 1, 'one picture for an object seen a few seconds');
  t.equal(thumbs[0]!.event_id, all[0]!.event_id);
  const meta = await sharp(thumbs[0]!.data).metadata();
  t.equal(meta.format, 'jpeg');
  t.ok(
    Math.max(meta.width!, meta.height!) <= 160 && thumbs[0]!.data.length <= 6 * 1024,
    `plain object thumbnail ${meta.width}×${meta.height}, ${thumbs[0]!.data.length} B`,
  );
  t.ok(Math.max(meta.width!, meta.height!) >= 100, 'the larger (better) view was kept: its crop is bigger than the minimum');
});

t.test('a lasting object: its picture after the delay, again only when much better', async (t) => {
  const { outbox, ev, step } = await setup(t);
  for (let i = 0; i < 25; i++) step([person(0.3, 0.8, 0.1)]); // 5 s: past the 3 s delay
  await ev.flush();
  t.equal(thumbnails(await drain(outbox)).length, 1, 'first picture once the delay is over, not at once');
  for (let i = 0; i < 10; i++) step([person(0.3, 0.82, 0.11)]); // a little better: not sent
  await ev.flush();
  t.equal(thumbnails(await drain(outbox)).length, 0, 'a marginally better view is not sent again');
  for (const size of [0.13, 0.17, 0.22, 0.28, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]) step([person(0.3, 0.85, size)]); // walks up to the camera
  await ev.flush();
  const resent = thumbnails(await drain(outbox)).length;
  t.ok(resent >= 1 && resent <= 2, `a much better view is, at most once per update interval (${resent} in 2 s)`);
});

t.test('event budget: beyond it objects are counted in one activity record per label, with one picture; rules still fire at once', async (t) => {
  // 6 an hour holds one at a time: the first person gets an event, the next ones are held back.
  const { outbox, ev, tracker } = await setup(t, { maxObjectEventsPerHour: 6, activityIntervalMs: 60_000 });
  let now = 0;
  const at = [0.05, 0.3, 0.6];
  const size = [0.2, 0.2, 0.6]; // the third one close to the camera
  let ids: string[] = [];
  for (let i = 0; i < 15; i++) {
    now += 200;
    const f = frame(now);
    const u = tracker.update(
      at.map((x, k) => person(x, 0.7 + k * 0.05, size[k])),
      f.monoMs,
      f.wallMs,
    );
    ids = u.tracks.map((tr) => tr.id);
    const loitering: RuleAlert = {
      key: `loit:${ids[2]}`,
      rule: 'loitering',
      ruleId: 'loit',
      zone: 'yard',
      label: 'person',
      trackIds: [ids[2]!],
      objectCount: 1,
      severity: 'medium',
      detail: 'person in zone yard',
    };
    ev.cycle(f, u.tracks, u.ended, i >= 10 ? [loitering] : []);
  }
  await ev.flush();
  let records = await drain(outbox);
  let all = events(records);
  const plain = all.filter((e) => e.type === 'object' && e.rule === '');
  t.equal(plain.filter((e) => e.phase === 'new').length, 1, 'one plain object event: the budget');
  const rule = all.filter((e) => e.rule === 'loitering');
  t.same(
    rule.map((e) => e.phase),
    ['new'],
    'the rule fired on a held-back person all the same',
  );
  t.equal(rule[0]!.track_id, ids[2]);
  const ruleThumb = thumbnails(records).find((th) => th.event_id === rule[0]!.event_id);
  t.ok(ruleThumb, 'with its picture at once');
  t.ok(Math.max(ruleThumb!.width, ruleThumb!.height) > 160, `at rule size, not cut to 160 px (${ruleThumb!.width}×${ruleThumb!.height})`);

  ev.summarise(frame(now).wallMs, true);
  await ev.flush();
  records = await drain(outbox);
  all = events(records);
  const activity = all.filter((e) => e.type === 'activity');
  t.equal(activity.length, 1, 'one activity record for the label');
  t.same([activity[0]!.kind, activity[0]!.phase, activity[0]!.label, activity[0]!.object_count], ['camera_event', 'end', 'person', 3]);
  t.ok(activity[0]!.ended_ms > activity[0]!.started_ms);
  t.match(activity[0]!.detail, /3 person in 1 min, 1 of them as their own events/);
  const pictures = thumbnails(records);
  t.equal(pictures.length, 1, 'one picture for the interval');
  t.equal(pictures[0]!.event_id, activity[0]!.event_id);
  t.ok(ids.slice(1).includes(activity[0]!.track_id), 'the picture is of a held-back person');

  ev.summarise(frame(now).wallMs + 120_000, true);
  await ev.flush();
  t.same(events(await drain(outbox)), [], 'an interval with nothing held back gives no record');
});

t.test('rule alerts: a key appearing opens an event, disappearing ends it; the object event notes it', async (t) => {
  const { outbox, ev, tracker } = await setup(t);
  let now = 0;
  const alert = (id: string): RuleAlert => ({
    key: `loit:${id}`,
    rule: 'loitering',
    ruleId: 'loit',
    zone: 'yard',
    label: 'person',
    trackIds: [id],
    objectCount: 1,
    severity: 'medium',
    detail: 'person in zone yard',
  });
  let trackId = '';
  for (let i = 0; i < 30; i++) {
    now += 200;
    const f = frame(now);
    const u = tracker.update([person(0.3, 0.8)], f.monoMs, f.wallMs);
    trackId = u.tracks[0]!.id;
    ev.cycle(f, u.tracks, u.ended, i >= 5 && i < 20 ? [alert(trackId)] : []);
  }
  await ev.flush();
  const all = events(await drain(outbox));
  const rule = all.filter((e) => e.rule === 'loitering');
  t.same(
    rule.map((e) => e.phase),
    ['new', 'end'],
  );
  t.same([rule[0]!.zone, rule[0]!.severity, rule[0]!.track_id], ['yard', 'SEVERITY_MEDIUM', trackId]);
  const object = all.filter((e) => e.rule === '');
  t.same(
    object.map((e) => e.phase),
    ['new', 'update'],
    'object event updated once to note the rule',
  );
  t.match(object[1]!.detail, /loitering/);
});

t.test('status: offline then online is one event; tamper new/end; both camera_status', async (t) => {
  const { outbox, ev } = await setup(t);
  ev.offline(1_000, 0, 'no frames for 20 s');
  ev.offline(2_000, 0, 'again');
  ev.online(5_000);
  ev.tamper(true, 6_000, 0, 'picture uniform');
  ev.tamper(false, 9_000, 0, 'picture back to normal');
  await ev.flush();
  const all = events(await drain(outbox));
  t.same(
    all.map((e) => [e.kind, e.type, e.phase]),
    [
      ['camera_status', 'offline', 'new'],
      ['camera_status', 'online', 'end'],
      ['camera_status', 'tamper', 'new'],
      ['camera_status', 'tamper', 'end'],
    ],
  );
  t.equal(all[0]!.event_id, all[1]!.event_id);
  t.same([all[1]!.started_ms, all[1]!.ended_ms], [1_000, 5_000]);
});
