import t from 'tap';
import { createCameraComponents } from '../../../edge/camera/index.js';
import { createEdgeMetrics } from '../../../edge/metrics.js';
import { cameraConfig, openOutbox } from './records.js';

t.test('the factory builds one detector and one component per enabled camera', async (t) => {
  const sink = await openOutbox(t);
  const metrics = createEdgeMetrics();
  const built = createCameraComponents(
    [
      cameraConfig({ id: 'a', url: 'rtsp://127.0.0.1:1/a' }),
      cameraConfig({ id: 'b', url: 'rtsp://127.0.0.1:1/b', enabled: false }),
      cameraConfig({ id: 'c', url: 'rtsp://127.0.0.1:1/c', detect: { enabled: false } }),
    ],
    { sink, metrics },
  );
  t.same(
    built.components.map((c) => c.name),
    ['detector', 'camera:a', 'camera:c'],
  );
  t.same(
    built.cameras.map((c) => c.health().state),
    ['down', 'down'],
    'not started',
  );
  const motionOnly = createCameraComponents([cameraConfig({ id: 'm', url: 'rtsp://127.0.0.1:1/m', detect: { enabled: false } })], { sink, metrics });
  t.equal(motionOnly.detector, undefined, 'no model loaded when no camera detects');
});
