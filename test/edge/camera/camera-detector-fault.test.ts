// The detector worker dies under a live camera: the camera keeps reporting motion-only events
// while it is down, and object events resume once the watchdog has restarted it.
import t from 'tap';
import { Camera } from '../../../edge/camera/camera.js';
import { Detector } from '../../../edge/camera/detector.js';
import { createEdgeMetrics } from '../../../edge/metrics.js';
import { projectPath } from '../../../common/paths.js';
import { RtspCamera } from '../../support/rtsp-camera.js';
import { cameraConfig, drain, events, openOutbox, waitFor } from './records.js';
import type { Record__Output } from '../../../common/proto.js';

t.test('detector crash: motion-only events flow, the worker comes back, object events resume', async (t) => {
  const metrics = createEdgeMetrics();
  // A slow restart leaves a few seconds in which only motion can be reported.
  const detector = new Detector({ restartBackoff: { initialMs: 4_000, maxMs: 4_000 } }, { metrics });
  t.teardown(() => detector.stop());
  const [rtsp] = await Promise.all([RtspCamera.start({ clip: projectPath('test', 'fixtures', 'vtest-25s.mp4') }), detector.start()]);
  t.teardown(() => rtsp.close());
  const outbox = await openOutbox(t);
  const camera = new Camera(cameraConfig({ id: 'cam-street', url: rtsp.url, rtsp_transport: 'udp' }), { sink: outbox, metrics, detector });
  t.teardown(() => camera.stop());
  await camera.start();

  const seen: Record__Output[] = [];
  const poll = async () => seen.push(...(await drain(outbox)));
  const objectNews = () => events(seen).filter((e) => e.type === 'object' && e.phase === 'new');
  t.ok(await waitFor(async () => (await poll(), objectNews().length > 0), 20_000), 'object events before the fault');

  await detector.terminateWorkers();
  t.ok(await waitFor(() => detector.restarts >= 1, 10_000), 'the crash is noticed and a restart scheduled');
  t.ok(
    await waitFor(async () => (await poll(), events(seen).some((e) => e.type === 'motion' && e.motion_only)), 10_000),
    'motion-only events while the detector is down',
  );
  const motion = events(seen).find((e) => e.type === 'motion')!;
  t.equal(motion.kind, 'camera_event');
  t.ok(motion.box && motion.box.w > 0, 'motion event has the moving area');

  t.ok(await waitFor(() => detector.available, 20_000), 'worker back');
  const before = new Set(objectNews().map((e) => e.event_id));
  t.ok(await waitFor(async () => (await poll(), objectNews().some((e) => !before.has(e.event_id))), 15_000), 'new object events after the restart');
  t.ok(
    events(seen).some((e) => e.type === 'motion' && e.phase === 'end' && e.event_id === motion.event_id),
    'the motion-only episode ended',
  );
  const restarts = (await metrics.detectorRestarts.get()).values.reduce((s, v) => s + v.value, 0);
  t.equal(restarts, 1, 'restart counted in metrics');
  t.ok(
    seen.some((r) => r.thumbnail?.event_id === motion.event_id),
    'motion event has a thumbnail',
  );
  t.equal(detector.health().state, 'ok');
});
