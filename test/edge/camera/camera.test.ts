// A real camera end to end: RTSP server + ffmpeg publisher looping the vtest clip, the camera
// component decoding it with ffmpeg, the real model in a worker, records in a real outbox.
import t from 'tap';
import sharp from 'sharp';
import { Camera } from '../../../edge/camera/camera.js';
import { Detector } from '../../../edge/camera/detector.js';
import { createEdgeMetrics } from '../../../edge/metrics.js';
import { projectPath } from '../../../common/paths.js';
import { RtspCamera } from '../../support/rtsp-camera.js';
import { cameraConfig, drain, events, openOutbox, thumbnails } from './records.js';

const CLIP = projectPath('test', 'fixtures', 'vtest-25s.mp4');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('vtest street over RTSP: person events with thumbnails within the budget, the rest summarised, loitering on the path', async (t) => {
  const metrics = createEdgeMetrics();
  const detector = new Detector({}, { metrics });
  t.teardown(() => detector.stop());
  const [rtsp] = await Promise.all([RtspCamera.start({ clip: CLIP }), detector.start()]);
  t.teardown(() => rtsp.close());
  const outbox = await openOutbox(t);
  const camera = new Camera(
    cameraConfig({
      id: 'cam-street',
      url: rtsp.url,
      rtsp_transport: 'udp',
      // The grey path across the picture (see test/fixtures/README.md); people walk along it.
      zones: [
        {
          id: 'path',
          points: [
            [0, 0.3],
            [1, 0.3],
            [1, 0.85],
            [0.5, 0.72],
            [0, 0.55],
          ],
        },
      ],
      rules: [{ type: 'loitering', zone: 'path', seconds: 5 }],
    }),
    { sink: outbox, metrics, detector },
  );
  t.teardown(() => camera.stop());
  await camera.start();
  await sleep(27_000); // one pass of the 25 s clip plus the RTSP start-up
  const stats = camera.stats();
  await camera.stop();
  const records = await drain(outbox);
  const all = events(records);
  const objects = all.filter((e) => e.type === 'object' && e.rule === '' && e.phase === 'new');
  const persons = objects.filter((e) => e.label === 'person');
  const heldBack = (await metrics.cameraObjectsHeldBack.get()).values.filter((v) => v.labels.label === 'person').reduce((n, v) => n + v.value, 0);
  const activity = all.filter((e) => e.type === 'activity');
  t.comment(
    `frames ${stats.frames}, detector runs ${stats.detections}, skipped ${stats.skipped}; person events ${persons.length}, held back ${heldBack}, other ${objects.length - persons.length}`,
  );
  // The clip shows 4–9 people at a time and about 15–20 different people over 25 s (README);
  // tracks break when people cross or are hidden, so allow up to twice that, and at least half.
  t.ok(persons.length + heldBack >= 8 && persons.length + heldBack <= 40, `plausible number of people: ${persons.length} with events + ${heldBack} held back`);
  // The default budget (60 an hour, a sixth of it at once) lets the first 10 have their own events.
  t.ok(persons.length >= 1 && persons.length <= 10, `person events within the budget: ${persons.length}`);
  t.ok(objects.length - persons.length <= 3, 'hardly anything but people on a pedestrian path');
  const personActivity = activity.filter((e) => e.label === 'person');
  t.equal(personActivity.length > 0, heldBack > 0, 'people held back are reported in an activity summary');
  t.ok(personActivity.reduce((n, e) => n + e.object_count, 0) >= heldBack, 'which counts them all');
  t.ok(activity.every((e) => e.phase === 'end' && e.ended_ms > e.started_ms && e.severity === 'SEVERITY_INFO'));

  const thumbs = thumbnails(records);
  const byEvent = new Map(thumbs.map((th) => [th.event_id, th]));
  t.ok(
    persons.every((e) => byEvent.has(e.event_id)),
    'each person event has a thumbnail',
  );
  const pictured = new Set(thumbs.map((th) => th.event_id)).size;
  t.ok(thumbs.length <= pictured * 1.5, `one picture per event, rarely a much better second (${thumbs.length} for ${pictured} events)`);
  t.ok(
    persons.every((e) => Math.max(byEvent.get(e.event_id)!.width, byEvent.get(e.event_id)!.height) <= 160),
    'plain object thumbnails are small (≤ 160 px)',
  );
  if (heldBack > 0)
    t.ok(
      personActivity.some((e) => byEvent.has(e.event_id)),
      'the summary carries one picture',
    );
  for (const th of thumbs) {
    const meta = await sharp(th.data).metadata();
    if (th.data.length > 24 * 1024 || Math.max(meta.width ?? 0, meta.height ?? 0) > 320 || meta.format !== 'jpeg') {
      t.fail(`thumbnail out of limits: ${th.data.length} bytes ${meta.width}x${meta.height} ${meta.format}`);
    }
  }
  t.ok(thumbs.length > 0, `${thumbs.length} thumbnails within 24 KB / 320 px, decodable`);

  const ids = new Set(all.filter((e) => e.phase === 'new').map((e) => e.event_id));
  // Activity summaries are complete in one record ("end" only); every other event starts first.
  const ends = all.filter((e) => e.phase === 'end' && e.type !== 'activity');
  t.equal(ends.length, ids.size, 'every event that started has ended after stop');
  t.ok(
    ends.every((e) => ids.has(e.event_id)),
    'one id per lifecycle',
  );
  const updates = all.filter((e) => e.phase === 'update');
  t.ok(updates.length <= ids.size * 3, `updates are throttled (${updates.length} for ${ids.size} events)`);

  const loitering = all.filter((e) => e.rule === 'loitering' && e.phase === 'new');
  t.ok(loitering.length >= 1, `loitering fired ${loitering.length} time(s)`);
  t.ok(loitering.every((e) => e.zone === 'path' && e.label === 'person' && e.severity === 'SEVERITY_MEDIUM'));
  t.ok(
    loitering.every((e) => byEvent.has(e.event_id)),
    'loitering events carry thumbnails',
  );

  const jpeg = await sharp(await camera.snapshot().catch(() => Buffer.alloc(0)))
    .metadata()
    .catch(() => undefined);
  t.equal(jpeg?.format, 'jpeg', 'snapshot is a JPEG of the latest frame');
  t.equal(jpeg?.width, 640);
});
