// One camera as an agent component: grabber → motion → (detector) → tracker → rules → events.
// Motion runs on every frame; the detector on the latest frame with motion when the previous
// inference is done (older frames are skipped, never queued), less often after a run of empty
// detections (empty-detection-backoff.ts). Offline, online and tamper are status events; while
// the detector is down the camera keeps reporting motion-only events.
import type { CameraConfig } from '../../common/config/camera-schema.js';
import { IocError, errorMessage } from '../../common/errors.js';
import { componentLogger, RateLimitedLog, type Logger } from '../../common/log.js';
import type { Component, ComponentHealthReport } from '../component.js';
import type { EdgeMetrics } from '../metrics.js';
import type { RecordSink } from '../outbox/types.js';
import type { ObjectDetector } from './detector.js';
import { detectInRegion } from './detect-region.js';
import { EmptyDetectionBackoff } from './empty-detection-backoff.js';
import { RateWindow } from './rate-window.js';
import { CameraEvents, type EventTimings } from './events.js';
import { ObjectFilters } from './filters.js';
import { FrameGrabber } from './grabber.js';
import { MotionDetector } from './motion.js';
import { createRules, type CameraRule } from './rules/index.js';
import { TamperDetector } from './tamper.js';
import { encodeFrameJpeg } from './thumbnail.js';
import { medianScore, predictBox, Tracker, type TrackerConfig } from './tracker.js';
import { unionBox, type Box, type Frame } from './types.js';
import type { Point, Polygon } from './zones.js';

export interface CameraTimings {
  /** With tracks but no motion, the detector still looks at them this often (stationary objects). */
  stationaryCheckMs: number;
  /** A skipped frame older than this is not worth detecting any more. */
  maxPendingAgeMs: number;
  /** ffmpeg restarts back off between these. */
  reconnect: { initialMs: number; maxMs: number };
  events: Partial<EventTimings>;
  tracker: Partial<TrackerConfig>;
}

export const DEFAULT_CAMERA_TIMINGS: CameraTimings = {
  stationaryCheckMs: 3_000,
  maxPendingAgeMs: 1_000,
  reconnect: { initialMs: 500, maxMs: 30_000 },
  events: {},
  tracker: {},
};

export interface CameraDeps {
  sink: RecordSink;
  metrics: EdgeMetrics;
  logger?: Logger;
  /** The shared detector; undefined runs the camera motion-only. */
  detector?: ObjectDetector;
  /** Called when the camera cannot go on by itself; the supervisor restarts it. */
  onFailure?: (err: Error) => void;
  ffmpegPath?: string;
  timings?: Partial<CameraTimings>;
}

const CONSECUTIVE_ERRORS_BEFORE_FAILURE = 20;

export class Camera implements Component {
  readonly name: string;
  private readonly log: Logger;
  private readonly rateLog: RateLimitedLog;
  private readonly grabber: FrameGrabber;
  private readonly events: CameraEvents;
  private readonly filters: ObjectFilters;
  private readonly tracker: Tracker;
  private readonly tamper: TamperDetector;
  private readonly rules: CameraRule[];
  private readonly timings: CameraTimings;
  private readonly emptyBackoff: EmptyDetectionBackoff;
  private motion: MotionDetector | undefined;
  private latest: Frame | undefined;
  private pending: { frame: Frame; regions: Box[] } | undefined;
  private detecting = false;
  private detectorWasUp = false;
  private online = false;
  private startedMono = 0;
  private lastFrameMono = 0;
  private lastDetectMono = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private consecutiveErrors = 0;
  private readonly decodeRate = new RateWindow();
  private readonly detectRate = new RateWindow();
  private readonly counters = { frames: 0, skipped: 0, detections: 0, motionFrames: 0 };
  private inflight: Promise<void> = Promise.resolve();

  constructor(
    readonly config: CameraConfig,
    private readonly deps: CameraDeps,
  ) {
    this.name = `camera:${config.id}`;
    this.log = deps.logger ?? componentLogger(this.name);
    this.rateLog = new RateLimitedLog(this.log, 60_000);
    this.timings = { ...DEFAULT_CAMERA_TIMINGS, ...deps.timings };
    this.filters = new ObjectFilters(config.objects.track, config.objects.filters);
    this.tracker = new Tracker(this.timings.tracker);
    this.tamper = new TamperDetector(config.tamper);
    this.emptyBackoff = new EmptyDetectionBackoff({ afterEmpty: 3, initialMs: 500, maxMs: config.detect.empty_backoff_max_s * 1000 });
    this.rules = createRules(config.rules, {
      cameraId: config.id,
      zones: new Map(config.zones.map((z) => [z.id, z.points as Polygon])),
      lines: new Map(config.lines.map((l) => [l.id, { a: l.a as Point, b: l.b as Point }])),
      onLineCrossing: (ruleId, _label, direction) => deps.metrics.trafficCrossings.inc({ camera: config.id, line: ruleId, direction }),
    });
    this.events = new CameraEvents({
      cameraId: config.id,
      sink: deps.sink,
      metrics: deps.metrics,
      logger: this.log,
      trackPasses: (label, score) => this.filters.trackPasses(label, score),
      objectEvents: config.objects.events === 'all',
      maxObjectEventsPerHour: config.objects.max_object_events_per_hour,
      activityIntervalMs: config.objects.activity_interval_s * 1000,
      timings: this.timings.events,
    });
    this.grabber = new FrameGrabber(
      {
        url: config.sub_url ?? config.url,
        rtspTransport: config.rtsp_transport,
        width: config.detect.width,
        fps: config.detect.fps,
        ffmpegPath: deps.ffmpegPath ?? 'ffmpeg',
        stallMs: Math.min(10_000, config.offline_after_s * 1000),
        backoff: this.timings.reconnect,
      },
      { onFrame: (frame) => this.onFrame(frame), onConnect: (attempt) => this.onConnect(attempt) },
      this.log,
    );
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.startedMono = this.lastFrameMono = performance.now();
    this.grabber.start();
    this.timer = setInterval(() => this.tick(), 500);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.timer);
    await this.grabber.close();
    await this.inflight;
    this.grabber.pool.clear();
    const wall = Date.now();
    this.endScene(wall);
    for (const rule of this.rules) if (rule.telemetry) this.events.traffic(rule.telemetry(wall, true));
    this.events.summarise(wall, true);
    await this.events.flush();
    this.deps.metrics.cameraOnline.set({ camera: this.config.id }, 0);
  }

  health(): ComponentHealthReport {
    const detectorUp = !!this.deps.detector?.available && this.config.detect.enabled;
    const state = !this.running || !this.online ? 'down' : this.tamper.active || (!detectorUp && this.config.detect.enabled) ? 'degraded' : 'ok';
    const detail = !this.running
      ? 'stopped'
      : !this.online
        ? `no frames for ${Math.round((performance.now() - this.lastFrameMono) / 1000)} s`
        : this.tamper.active
          ? 'tamper suspected'
          : detectorUp
            ? `${this.decodeRate.rate.toFixed(1)} fps, detecting`
            : 'motion-only (detector unavailable)';
    return {
      name: this.name,
      state,
      detail,
      lastSeenMs: this.latest?.wallMs ?? 0,
      info: {
        decodeFps: round1(this.decodeRate.rate),
        detectFps: round1(this.detectRate.rate),
        frames: this.counters.frames,
        framesSkipped: this.counters.skipped,
        detectorRuns: this.counters.detections,
        tracks: this.tracker.tracks.filter((t) => t.confirmed).length,
        openEvents: this.events.openCount(),
        backlog: this.events.backlog,
      },
    };
  }

  /** The latest frame as JPEG; for `edgectl cameras snapshot` and the coordinator's snapshot command. */
  async snapshot(): Promise<Buffer> {
    const frame = this.latest;
    if (!frame) throw new IocError('UNAVAILABLE', `camera ${this.config.id} has no frame yet`);
    // libvips reads the pixels on its own thread: the buffer must not be refilled meanwhile.
    this.grabber.pool.hold(frame);
    try {
      return await encodeFrameJpeg(frame);
    } finally {
      this.grabber.pool.release(frame);
    }
  }

  /** Counters since start (benches and tests). */
  stats(): { frames: number; skipped: number; detections: number; motionFrames: number; decodeFps: number; detectFps: number } {
    return { ...this.counters, decodeFps: this.decodeRate.rate, detectFps: this.detectRate.rate };
  }

  private onConnect(attempt: number): void {
    if (attempt > 1) this.deps.metrics.cameraReconnects.inc({ camera: this.config.id });
  }

  private onFrame(frame: Frame): void {
    if (!this.running) return;
    this.keepLatest(frame);
    try {
      this.processFrame(frame);
      this.consecutiveErrors = 0;
    } catch (err) {
      this.consecutiveErrors++;
      this.rateLog.warn('frame', { err: errorMessage(err) }, 'frame processing failed');
      if (this.consecutiveErrors === CONSECUTIVE_ERRORS_BEFORE_FAILURE) {
        this.deps.onFailure?.(new IocError('INTERNAL', `camera ${this.config.id}: ${errorMessage(err)}`, { cause: err }));
      }
    }
  }

  private processFrame(frame: Frame): void {
    const camera = { camera: this.config.id };
    this.deps.metrics.frames.inc(camera);
    this.counters.frames++;
    this.decodeRate.add(frame.monoMs);
    this.lastFrameMono = frame.monoMs;
    if (!this.online) this.goOnline(frame);

    if (!this.motion || this.motion.frameWidth !== frame.width || this.motion.frameHeight !== frame.height) {
      this.motion = new MotionDetector(this.config.motion, frame.width, frame.height);
    }
    const started = performance.now();
    const result = this.motion.analyse(frame);
    this.deps.metrics.motionSeconds.observe((performance.now() - started) / 1000);
    if (result.regions.length > 0) this.counters.motionFrames++;

    const tamper = this.tamper.check(this.motion.gray, frame.monoMs);
    if (tamper.changed) {
      this.log.warn({ active: tamper.active, reason: tamper.reason }, tamper.active ? 'camera tamper suspected' : 'camera tamper cleared');
      this.events.tamper(tamper.active, frame.wallMs, frame.monoMs, tamper.reason);
      if (tamper.active) this.endScene(frame.wallMs);
    }
    if (tamper.active) return;

    const regions = result.regions.map((r) => r.box);
    if (!this.detectorUsable()) {
      if (this.detectorWasUp) {
        // Object tracks cannot be followed without the detector: close their events now.
        this.detectorWasUp = false;
        this.endScene(frame.wallMs);
      }
      this.events.motion(frame, regions);
      return;
    }
    if (!this.detectorWasUp) {
      this.detectorWasUp = true;
      this.events.endMotion(frame.wallMs);
    }
    const checkStationary = this.tracker.tracks.length > 0 && frame.monoMs - this.lastDetectMono >= this.timings.stationaryCheckMs;
    if (regions.length === 0 && !checkStationary) return;
    if (!this.worthDetecting(frame)) return;
    if (this.detecting) {
      // Latest frame wins: the waiting one (if any) is replaced, never queued behind it.
      if (this.pending) this.skip();
      this.setPending({ frame, regions });
      return;
    }
    this.runDetection(frame, regions);
  }

  /** Motion alone after a run of empty detections (trees, rain) waits out its backoff. */
  private worthDetecting(frame: Frame): boolean {
    return this.tracker.tracks.length > 0 || this.emptyBackoff.allows(frame.monoMs);
  }

  private detectorUsable(): boolean {
    return this.config.detect.enabled && !!this.deps.detector?.available;
  }

  /** Frames the camera keeps are held so the grabber does not refill their buffers. */
  private keepLatest(frame: Frame): void {
    this.grabber.pool.hold(frame);
    if (this.latest) this.grabber.pool.release(this.latest);
    this.latest = frame;
  }

  private setPending(next: { frame: Frame; regions: Box[] } | undefined): void {
    if (next) this.grabber.pool.hold(next.frame);
    if (this.pending) this.grabber.pool.release(this.pending.frame);
    this.pending = next;
  }

  private skip(): void {
    this.counters.skipped++;
    this.deps.metrics.framesSkipped.inc({ camera: this.config.id });
  }

  private runDetection(frame: Frame, regions: Box[]): void {
    const detector = this.deps.detector!;
    this.detecting = true;
    this.lastDetectMono = frame.monoMs;
    const tracked = this.tracker.tracks.map((t) => predictBox(t, frame.monoMs));
    const region = unionBox([...regions, ...tracked]) ?? { x: 0, y: 0, w: 1, h: 1 };
    this.grabber.pool.hold(frame);
    const background = tracked.length === 0 && this.emptyBackoff.idle;
    this.inflight = detectInRegion(detector, frame, region, this.filters.scoreFloor, background)
      .then((result) => {
        if (!this.running) return;
        this.counters.detections++;
        this.detectRate.add(performance.now());
        this.afterDetection(frame, result.detections, result.covered);
      })
      .catch((err: unknown) => {
        // The detector failed this frame (restarting, queue full): report it as motion only.
        this.rateLog.warn('detect', { err: errorMessage(err) }, 'detection failed; motion-only for now');
        if (this.running && regions.length > 0) this.events.motion(frame, regions);
      })
      .finally(() => {
        this.detecting = false;
        this.grabber.pool.release(frame);
        const next = this.pending;
        if (!next) return;
        // runDetection takes its own hold before the waiting slot lets go of the frame.
        const fresh = performance.now() - next.frame.monoMs <= this.timings.maxPendingAgeMs;
        if (this.running && fresh && this.detectorUsable() && this.worthDetecting(next.frame)) {
          this.runDetection(next.frame, next.regions);
        } else if (this.running) {
          this.skip();
        }
        this.setPending(undefined);
      });
  }

  private afterDetection(frame: Frame, detections: Parameters<ObjectFilters['accept']>[0], covered: Box): void {
    const kept = this.filters.accept(detections);
    for (const d of kept) this.deps.metrics.detections.inc({ camera: this.config.id, label: d.label });
    const update = this.tracker.update(kept, frame.monoMs, frame.wallMs, covered);
    this.emptyBackoff.record(kept.length > 0 || update.tracks.length > 0, frame.monoMs);
    const reportable = update.tracks.filter((t) => t.confirmed && this.filters.trackPasses(t.label, medianScore(t)));
    const scene = { nowMs: frame.monoMs, wallMs: frame.wallMs, tracks: reportable };
    const alerts = this.rules.flatMap((rule) => rule.evaluate(scene));
    this.events.cycle(frame, update.tracks, update.ended, alerts);
  }

  private endScene(wallMs: number): void {
    this.tracker.clear();
    this.emptyBackoff.reset();
    this.setPending(undefined);
    this.events.endScene(wallMs);
  }

  private goOnline(frame: Frame): void {
    this.online = true;
    this.deps.metrics.cameraOnline.set({ camera: this.config.id }, 1);
    this.events.online(frame.wallMs);
    this.log.info({ width: frame.width, height: frame.height }, 'camera frames arriving');
  }

  /** Twice a second: offline check, rate gauges, counting telemetry. */
  private tick(): void {
    const now = performance.now();
    const silentMs = now - this.lastFrameMono;
    if (silentMs > this.config.offline_after_s * 1000 && (this.online || this.lastFrameMono === this.startedMono)) {
      if (this.online || !this.events.openCount('offline')) this.goOffline(silentMs);
    }
    for (const [window, gauge] of [
      [this.decodeRate, this.deps.metrics.cameraDecodeFps],
      [this.detectRate, this.deps.metrics.cameraDetectFps],
    ] as const) {
      window.add(now, 0);
      gauge.set({ camera: this.config.id }, window.rate);
    }
    const wall = Date.now();
    for (const rule of this.rules) if (rule.telemetry) this.events.traffic(rule.telemetry(wall));
    this.events.summarise(wall);
  }

  private goOffline(silentMs: number): void {
    this.online = false;
    this.deps.metrics.cameraOnline.set({ camera: this.config.id }, 0);
    const wall = Date.now();
    this.endScene(wall);
    this.motion?.reset();
    this.tamper.reset();
    this.decodeRate.rate = this.detectRate.rate = 0;
    this.log.warn({ silentS: Math.round(silentMs / 1000) }, 'camera offline');
    this.events.offline(wall, performance.now(), `no frames for ${Math.round(silentMs / 1000)} s`);
  }
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
