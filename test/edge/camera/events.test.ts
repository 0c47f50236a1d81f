import t from 'tap';
import sharp from 'sharp';
import { CameraEvents } from '../../../edge/camera/events.js';
import { Tracker } from '../../../edge/camera/tracker.js';
import { createEdgeMetrics } from '../../../edge/metrics.js';
import { rootLogger } from '../../../common/log.js';
import type { Frame, Detection } from '../../../edge/camera/types.js';
import type { RuleAlert } from '../../../edge/camera/rules/index.js';
import { drain, events, openOutbox, thumbnails } from './records.js';

const W = 320, H = 240;
const frame = (monoMs: number): Frame => ({ seq: monoMs, width: W, height: H, rgb: Buffer.alloc(W * H * 3, 90), monoMs, wallMs: 1_700_000_000_000 + monoMs });
const person = (x: number, score: number, size = 0.2): Detection => ({ label: 'person', score, box: { x, y: 0.3, w: size / 2, h: size } });

async function setup(t: Parameters<Parameters<typeof import('tap')['test']>[1]>[0]) {
  const outbox = await openOutbox(t);
  const ev = new CameraEvents({
    cameraId: 'cam1', sink: outbox, metrics: createEdgeMetrics(), logger: rootLogger(),
    trackPasses: (_label, median) => median >= 0.55, timings: { minUpdateIntervalMs: 1_000 },
  });
  return { outbox, ev, tracker: new Tracker({ minHits: 2 }) };
}

t.test('one object: new (with thumbnail) → throttled updates on a better picture → end, one id', async (t) => {
  const { outbox, ev, tracker } = await setup(t);
  let now = 0;
  const step = (dets: Detection[]) => {
    now += 200;
    const f = frame(now);
    const u = tracker.update(dets, f.monoMs, f.wallMs);
    ev.cycle(f, u.tracks, u.ended, []);
  };
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
  t.same(all.map((e) => e.phase), ['new', 'update', 'end']);
  t.equal(new Set(all.map((e) => e.event_id)).size, 1, 'one id for the lifecycle');
  t.same([all[0]!.kind, all[0]!.type, all[0]!.label, all[0]!.rule], ['camera_event', 'object', 'person', '']);
  t.ok(all[0]!.score >= 0.55);
  t.ok(all[2]!.ended_ms > 0);
  const thumbs = thumbnails(records);
  t.equal(thumbs.length, 2, 'first picture, then the better one');
  t.ok(thumbs.every((th) => th.event_id === all[0]!.event_id));
  t.equal((await sharp(thumbs[0]!.data).metadata()).format, 'jpeg');
});

t.test('rule alerts: a key appearing opens an event, disappearing ends it; the object event notes it', async (t) => {
  const { outbox, ev, tracker } = await setup(t);
  let now = 0;
  const alert = (id: string): RuleAlert => ({ key: `loit:${id}`, rule: 'loitering', ruleId: 'loit', zone: 'yard', label: 'person', trackIds: [id], objectCount: 1, severity: 'medium', detail: 'person in zone yard' });
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
  t.same(rule.map((e) => e.phase), ['new', 'end']);
  t.same([rule[0]!.zone, rule[0]!.severity, rule[0]!.track_id], ['yard', 'SEVERITY_MEDIUM', trackId]);
  const object = all.filter((e) => e.rule === '');
  t.same(object.map((e) => e.phase), ['new', 'update'], 'object event updated once to note the rule');
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
  t.same(all.map((e) => [e.kind, e.type, e.phase]), [
    ['camera_status', 'offline', 'new'],
    ['camera_status', 'online', 'end'],
    ['camera_status', 'tamper', 'new'],
    ['camera_status', 'tamper', 'end'],
  ]);
  t.equal(all[0]!.event_id, all[1]!.event_id);
  t.same([all[1]!.started_ms, all[1]!.ended_ms], [1_000, 5_000]);
});
