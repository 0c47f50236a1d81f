// A quick measure of the detector's speed for edgectl doctor: a few inferences on a blank,
// letterboxed frame (the model does the same work whatever the picture shows).
import type { ObjectDetector } from '../camera/detector.js';

export async function timeInference(detector: ObjectDetector, runs: number): Promise<{ runs: number[]; medianMs: number }> {
  const size = detector.inputSize;
  // Mid-grey: the letterbox fill, so nothing in it looks like an object.
  const pixels = new Uint8Array(size * size * 3).fill(114);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await detector.detect({ pixels, width: size, height: size, minScore: 0.99 });
    times.push(Math.round(performance.now() - started));
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { runs: times, medianMs: sorted[Math.floor(sorted.length / 2)]! };
}
