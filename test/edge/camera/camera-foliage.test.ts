// False-positive check on real footage: leaves moving in the wind are motion, not objects.
import t from 'tap';
import { Camera } from '../../../edge/camera/camera.js';
import { Detector } from '../../../edge/camera/detector.js';
import { createEdgeMetrics } from '../../../edge/metrics.js';
import { projectPath } from '../../../common/paths.js';
import { cameraConfig, drain, events, openOutbox, waitFor } from './records.js';

type TapTest = Parameters<Parameters<typeof t.test>[0]>[0];

const metrics = createEdgeMetrics();
const detector = new Detector({}, { metrics });
t.teardown(() => detector.stop());
await detector.start();

/** 60 frames of the tree clip (12 s at 5 fps) on one camera; its counters and object events. */
async function watchTree(t: TapTest, emptyBackoffMaxS: number) {
  const outbox = await openOutbox(t);
  const config = cameraConfig({
    id: 'cam-tree',
    url: `file:${projectPath('test', 'fixtures', 'tree-20s.mp4')}`,
    detect: { width: 320, empty_backoff_max_s: emptyBackoffMaxS },
  });
  const camera = new Camera(config, { sink: outbox, metrics, detector });
  t.teardown(() => camera.stop());
  await camera.start();
  await waitFor(() => camera.stats().frames >= 60, 20_000);
  await camera.stop();
  const objects = events(await drain(outbox)).filter((e) => e.type === 'object');
  return { stats: camera.stats(), objects: objects.map((e) => `${e.label} ${e.score.toFixed(2)}`) };
}

t.test('tree in the wind: motion wakes the detector, but no person or vehicle events', async (t) => {
  const every = await watchTree(t, 0);
  t.ok(every.stats.motionFrames > 10, `foliage is motion (${every.stats.motionFrames}/${every.stats.frames} frames)`);
  t.ok(every.stats.detections > 0, `so the detector looked (${every.stats.detections} runs)`);
  t.same(every.objects, [], 'no object events');

  // After a run of empty detections the camera detects on motion less and less often. 12 s of
  // footage: 3 detections, then waits of 0.5, 1, 2, 4, 4 s, about 8 against one per motion frame.
  const backedOff = await watchTree(t, 4);
  t.same(backedOff.objects, [], 'no object events with the backoff either');
  t.ok(
    backedOff.stats.detections <= every.stats.detections / 2 && backedOff.stats.detections <= 12,
    `${backedOff.stats.detections} detections with the backoff against ${every.stats.detections} without`,
  );
  t.ok(backedOff.stats.detections >= 4, 'it still looks now and then');
});
