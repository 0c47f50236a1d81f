import t from 'tap';
import sharp from 'sharp';
import { join } from 'node:path';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { Detector } from '../../../edge/camera/detector.js';
import { detectInRegion } from '../../../edge/camera/detect-region.js';
import { createEdgeMetrics } from '../../../edge/metrics.js';
import { projectPath } from '../../../common/paths.js';
import { tempDir } from '../../support/tmp.js';
import { armFault, FAULTY_DETECTOR_WORKER } from '../../support/detector-faults.js';

const fixture = (name: string) => projectPath('test', 'fixtures', name);
const WHOLE = { x: 0, y: 0, w: 1, h: 1 };

async function still(name: string) {
  const { data, info } = await sharp(fixture(name)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { rgb: data, width: info.width, height: info.height };
}

t.test('stills give the right labels: a person on messi5, a car on licenseplate_motion', async (t) => {
  const metrics = createEdgeMetrics();
  const detector = new Detector({}, { metrics });
  t.teardown(() => detector.stop());
  await detector.start();
  t.ok(detector.available, `detector ready (${detector.health().detail})`);
  t.match(detector.backend, /^(tensorflow|wasm)$/, 'a real backend, never cpu');

  const person = await detectInRegion(detector, await still('messi5.jpg'), WHOLE, 0.3);
  const top = person.detections[0];
  t.equal(top?.label, 'person', `messi5 top label: ${JSON.stringify(person.detections.slice(0, 3))}`);
  t.ok((top?.score ?? 0) >= 0.5, 'confident person');

  // A frame from the grabber lives in shared memory and the worker reads the region in place:
  // the same boxes as from an ordinary buffer, whose region is cut and moved to the worker.
  const messi = await still('messi5.jpg');
  const shared = Buffer.from(new SharedArrayBuffer(messi.rgb.length));
  messi.rgb.copy(shared);
  const region = { x: 0.1, y: 0.05, w: 0.6, h: 0.9 };
  const inPlace = await detectInRegion(detector, { ...messi, rgb: shared }, region, 0.3);
  const cut = await detectInRegion(detector, messi, region, 0.3);
  t.equal(inPlace.detections[0]?.label, 'person', 'a person in the region of the shared frame');
  t.same(inPlace.detections, cut.detections, 'shared and copied regions give the same detections');
  t.same(inPlace.covered, cut.covered);

  const car = await detectInRegion(detector, await still('licenseplate_motion.jpg'), WHOLE, 0.3);
  t.ok(
    car.detections.some((d) => d.label === 'car' && d.score >= 0.4),
    `a car: ${JSON.stringify(car.detections.slice(0, 3))}`,
  );
  t.ok(metrics.detectSeconds.get instanceof Function);

  const [memory] = await detector.memory();
  t.ok(memory && memory.heapBytes > 0 && memory.heapUsedBytes <= memory.heapBytes, 'the worker reports its isolate heap');
  if (detector.backend === 'wasm') t.ok(memory!.wasmBytes >= 16 * 1024 * 1024, `and the wasm heap (${memory!.wasmBytes} bytes)`);
  t.ok(memory!.tensorBytes > 1_000_000 && memory!.tensorBytes < 20_000_000, `live tensors are the weights alone (${memory!.tensorBytes} bytes)`);
});

t.test('a model whose hash does not match is refused (MODEL_INVALID) and the detector is down', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'models'));
  copyFileSync(projectPath('models', 'centernet.json'), join(dir, 'models', 'centernet.json'));
  writeFileSync(join(dir, 'models', 'centernet.bin'), Buffer.alloc(1024, 1));
  const detector = new Detector({ modelRoot: dir, restartBackoff: { initialMs: 60_000, maxMs: 60_000 } }, { metrics: createEdgeMetrics() });
  t.teardown(() => detector.stop());
  await detector.start();
  t.equal(detector.available, false);
  const health = detector.health();
  t.equal(health.state, 'down');
  t.match(health.detail, /centernet\.bin does not match the manifest/);
  await t.rejects(detector.detect({ pixels: new Uint8Array(3), width: 1, height: 1, minScore: 0.5 }), { code: 'UNAVAILABLE' });
});

t.test('a crashing or hanging worker is restarted and detection comes back', async (t) => {
  const metrics = createEdgeMetrics();
  const detector = new Detector(
    { inferenceTimeoutMs: 1500, restartBackoff: { initialMs: 100, maxMs: 200 }, workerModule: FAULTY_DETECTOR_WORKER },
    { metrics },
  );
  t.teardown(() => detector.stop());
  await detector.start();
  const frame = await still('messi5.jpg');
  for (const mode of ['crash', 'hang', 'throw'] as const) {
    await armFault(mode);
    await t.rejects(detectInRegion(detector, frame, WHOLE, 0.3), `${mode}: the in-flight inference fails`);
    const before = detector.restarts;
    const deadline = Date.now() + 60_000;
    while (!detector.available && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    t.ok(detector.available, `${mode}: worker back`);
    t.ok(before >= 1);
    const again = await detectInRegion(detector, frame, WHOLE, 0.3);
    t.equal(again.detections[0]?.label, 'person', `${mode}: detection works again`);
  }
  t.equal(detector.restarts, 3, 'each fault counted as one restart');
  const counted = (await metrics.detectorRestarts.get()).values.reduce((s, v) => s + v.value, 0);
  t.equal(counted, 3);
});

t.test('background requests (motion that keeps finding nothing) wait behind the others, up to a limit', async (t) => {
  const picture = await still('messi5.jpg');
  /** One request in the worker, then a background one and an ordinary one queued: finishing order. */
  async function order(backgroundMaxWaitMs: number): Promise<string[]> {
    const detector = new Detector({ backgroundMaxWaitMs }, { metrics: createEdgeMetrics() });
    t.teardown(() => detector.stop());
    await detector.start();
    const done: string[] = [];
    const request = (name: string, background: boolean) =>
      detector.detect({ pixels: picture.rgb, width: picture.width, height: picture.height, minScore: 0.3, background }).then(() => done.push(name));
    await Promise.all([request('first', false), request('trees', true), request('street', false)]);
    await detector.stop();
    return done;
  }
  t.same(await order(2_000), ['first', 'street', 'trees'], 'the camera with something in view goes first');
  t.same(await order(0), ['first', 'trees', 'street'], 'one that has waited its limit keeps its place');
});
