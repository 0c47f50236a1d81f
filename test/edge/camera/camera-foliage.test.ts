// False-positive check on real footage: leaves moving in the wind are motion, not objects.
import t from 'tap';
import { Camera } from '../../../edge/camera/camera.js';
import { Detector } from '../../../edge/camera/detector.js';
import { createEdgeMetrics } from '../../../edge/metrics.js';
import { projectPath } from '../../../common/paths.js';
import { cameraConfig, drain, events, openOutbox, waitFor } from './records.js';

t.test('tree in the wind: motion wakes the detector, but no person or vehicle events', async (t) => {
  const metrics = createEdgeMetrics();
  const detector = new Detector({}, { metrics });
  t.teardown(() => detector.stop());
  await detector.start();
  const outbox = await openOutbox(t);
  const camera = new Camera(cameraConfig({ id: 'cam-tree', url: `file:${projectPath('test', 'fixtures', 'tree-20s.mp4')}`, detect: { width: 320 } }), {
    sink: outbox,
    metrics,
    detector,
  });
  t.teardown(() => camera.stop());
  await camera.start();
  await waitFor(() => camera.stats().frames >= 60, 20_000);
  await camera.stop();
  const stats = camera.stats();
  t.ok(stats.motionFrames > 10, `foliage is motion (${stats.motionFrames}/${stats.frames} frames)`);
  t.ok(stats.detections > 0, `so the detector looked (${stats.detections} runs)`);
  const objects = events(await drain(outbox)).filter((e) => e.type === 'object');
  t.same(
    objects.map((e) => `${e.label} ${e.score.toFixed(2)}`),
    [],
    'no object events',
  );
});
