// Camera health end to end over real RTSP: offline after offline_after_s without frames and
// online again when they return; a picture that goes black is tamper; a still scene makes no
// object events and never wakes the detector.
import t from 'tap';
import { Camera } from '../../../edge/camera/camera.js';
import { Detector } from '../../../edge/camera/detector.js';
import { createEdgeMetrics } from '../../../edge/metrics.js';
import { projectPath } from '../../../common/paths.js';
import { RtspCamera } from '../../support/rtsp-camera.js';
import { cameraConfig, drain, events, openOutbox, waitFor } from './records.js';
import type { Record__Output } from '../../../common/proto.js';

const CLIP = projectPath('test', 'fixtures', 'vtest-25s.mp4');
const FAST_RECONNECT = { reconnect: { initialMs: 200, maxMs: 1_000 } };

t.test('killed mid-stream: offline after offline_after_s, online again after restart', async (t) => {
  const metrics = createEdgeMetrics();
  const rtsp = await RtspCamera.start({ clip: CLIP });
  t.teardown(() => rtsp.close());
  const outbox = await openOutbox(t);
  const camera = new Camera(cameraConfig({ id: 'cam-flaky', url: rtsp.url, rtsp_transport: 'udp', offline_after_s: 3, detect: { enabled: false } }), {
    sink: outbox,
    metrics,
    timings: FAST_RECONNECT,
  });
  t.teardown(() => camera.stop());
  await camera.start();
  t.ok(await waitFor(() => camera.stats().frames > 5, 15_000), 'frames arrive');
  t.equal(camera.health().state, 'ok');

  await rtsp.close();
  const killedAt = performance.now();
  const seen: Record__Output[] = [];
  const offline = await waitFor(async () => {
    seen.push(...(await drain(outbox)));
    return events(seen).some((e) => e.type === 'offline');
  }, 15_000);
  const offlineAfterS = (performance.now() - killedAt) / 1000;
  t.ok(offline, `offline event after ${offlineAfterS.toFixed(1)} s`);
  t.ok(offlineAfterS >= 2.5 && offlineAfterS <= 6, 'about offline_after_s (3 s) after the last frame');
  t.equal(camera.health().state, 'down');

  await rtsp.startServer();
  await rtsp.startPublisher();
  const online = await waitFor(async () => {
    seen.push(...(await drain(outbox)));
    return events(seen).some((e) => e.type === 'online');
  }, 20_000);
  t.ok(online, 'online event once frames are back');
  const status = events(seen).filter((e) => e.type === 'offline' || e.type === 'online');
  t.same(
    status.map((e) => [e.kind, e.type, e.phase]),
    [
      ['camera_status', 'offline', 'new'],
      ['camera_status', 'online', 'end'],
    ],
  );
  t.equal(status[0]!.event_id, status[1]!.event_id, 'offline and online share one event id');
  t.ok(status[1]!.ended_ms >= status[0]!.started_ms);
  t.ok((await metrics.cameraReconnects.get()).values[0]!.value >= 1, 'reconnects counted');
});

t.test('a picture that turns black raises a tamper event', async (t) => {
  const metrics = createEdgeMetrics();
  const rtsp = await RtspCamera.start({ clip: CLIP });
  t.teardown(() => rtsp.close());
  const outbox = await openOutbox(t);
  const camera = new Camera(cameraConfig({ id: 'cam-gate', url: rtsp.url, rtsp_transport: 'udp', tamper: { after_s: 2 }, detect: { enabled: false } }), {
    sink: outbox,
    metrics,
    timings: FAST_RECONNECT,
  });
  t.teardown(() => camera.stop());
  await camera.start();
  t.ok(await waitFor(() => camera.stats().frames > 10, 15_000), 'street frames arrive');
  // Same camera, same URL: it now sends black (a lens covered or a dead sensor). The server
  // refuses a new source while readers hang on the old one, so it restarts too (a short blip).
  await rtsp.close();
  await rtsp.startServer();
  await rtsp.startPublisher(['-re', '-f', 'lavfi', '-i', 'color=c=black:s=768x576:r=10']);
  const seen: Record__Output[] = [];
  const tamper = await waitFor(async () => {
    seen.push(...(await drain(outbox)));
    return events(seen).some((e) => e.type === 'tamper');
  }, 20_000);
  t.ok(tamper, 'tamper event');
  const event = events(seen).find((e) => e.type === 'tamper')!;
  t.equal(event.kind, 'camera_status');
  t.equal(event.severity, 'SEVERITY_HIGH');
  t.match(event.detail, /uniform/);
  t.notOk(
    events(seen).some((e) => e.type === 'offline'),
    'black frames still arrive: not offline',
  );
});

t.test('a still scene (a looped photo of a person) gives zero object events and no detector runs', async (t) => {
  const metrics = createEdgeMetrics();
  const detector = new Detector({}, { metrics });
  t.teardown(() => detector.stop());
  const still = projectPath('test', 'fixtures', 'messi5.jpg');
  const [rtsp] = await Promise.all([
    RtspCamera.start({ input: ['-re', '-loop', '1', '-framerate', '10', '-i', still, '-vf', 'scale=640:-2'] }),
    detector.start(),
  ]);
  t.teardown(() => rtsp.close());
  const outbox = await openOutbox(t);
  const camera = new Camera(cameraConfig({ id: 'cam-still', url: rtsp.url, rtsp_transport: 'udp' }), { sink: outbox, metrics, detector });
  t.teardown(() => camera.stop());
  await camera.start();
  t.ok(await waitFor(() => camera.stats().frames >= 40, 20_000), 'frames arrive');
  await camera.stop();
  const all = events(await drain(outbox));
  t.equal(all.filter((e) => e.type === 'object').length, 0, 'no object events');
  t.equal(camera.stats().detections, 0, 'the detector never ran');
  t.equal(all.length, 0, 'no events at all');
});
