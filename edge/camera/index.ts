// Wiring for the agent: one call builds the detector (shared by all cameras) and one
// component per enabled camera. Start the detector first; stop the cameras first.
import type { CameraConfig } from '../../common/config/camera-schema.js';
import { componentLogger, type Logger } from '../../common/log.js';
import type { Component } from '../component.js';
import type { EdgeMetrics } from '../metrics.js';
import type { RecordSink } from '../outbox/types.js';
import { Camera, type CameraTimings } from './camera.js';
import { Detector, type DetectorConfig } from './detector.js';

export { Camera, type CameraDeps, type CameraTimings } from './camera.js';
export { Detector, type DetectorConfig, type ObjectDetector } from './detector.js';
export { CameraPreview, type PreviewOptions } from './preview.js';

export interface CameraComponentsDeps {
  sink: RecordSink;
  metrics: EdgeMetrics;
  logger?: Logger;
  /** Called with the failing component; the supervisor restarts it. */
  onFailure?: (component: Component, err: Error) => void;
  detector?: Partial<DetectorConfig>;
  ffmpegPath?: string;
  timings?: Partial<CameraTimings>;
}

export interface CameraComponents {
  /** Undefined when no enabled camera detects objects. */
  detector: Detector | undefined;
  cameras: Camera[];
  /** Start order: detector, then cameras. */
  components: Component[];
}

export function createCameraComponents(cameras: readonly CameraConfig[], deps: CameraComponentsDeps): CameraComponents {
  const parent = deps.logger;
  const enabled = cameras.filter((c) => c.enabled);
  let detector: Detector | undefined;
  if (enabled.some((c) => c.detect.enabled)) {
    detector = new Detector(deps.detector ?? {}, {
      metrics: deps.metrics,
      logger: componentLogger('detector', parent),
      onFailure: (err) => deps.onFailure?.(detector!, err),
    });
  }
  const built = enabled.map((config) => {
    const camera: Camera = new Camera(config, {
      sink: deps.sink,
      metrics: deps.metrics,
      logger: componentLogger(`camera:${config.id}`, parent),
      detector,
      onFailure: (err) => deps.onFailure?.(camera, err),
      ffmpegPath: deps.ffmpegPath,
      timings: deps.timings,
    });
    return camera;
  });
  return { detector, cameras: built, components: [...(detector ? [detector] : []), ...built] };
}
