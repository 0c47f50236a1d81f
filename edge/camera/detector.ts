// The detector component: a small pool of worker threads running the model, with a watchdog.
// An inference that throws or outlives its timeout restarts its worker; while no worker is
// ready, detect() refuses at once so cameras fall back to motion-only events.
import type { Worker } from 'node:worker_threads';
import { Backoff } from '../../common/backoff.js';
import { IocError, errorMessage } from '../../common/errors.js';
import { componentLogger, RateLimitedLog, type Logger } from '../../common/log.js';
import { projectPath } from '../../common/paths.js';
import type { Component, ComponentHealthReport } from '../component.js';
import type { EdgeMetrics } from '../metrics.js';
import { extractCrop, type PixelRect } from './letterbox.js';
import { MANIFEST_PATH } from './model.js';
import { siblingModule, spawnWorker } from './worker-spawn.js';
import type { RawDetection, WorkerMemory, WorkerReply, WorkerRequest, WorkerSetup } from './detector-protocol.js';

export type { RawDetection, WorkerMemory };

export interface DetectorConfig {
  /** Worker threads; one per spare core at most (a 2-core box runs one). */
  workers: number;
  backend: WorkerSetup['backend'];
  /** A single inference takes ~160 ms on wasm; far longer means the worker is stuck. */
  inferenceTimeoutMs: number;
  /** Model load + warm-up. */
  loadTimeoutMs: number;
  /** Requests waiting for a worker; cameras keep at most one each in flight. */
  maxQueue: number;
  /** A background request (see DetectInput) waits at most this long behind the others. */
  backgroundMaxWaitMs: number;
  manifestPath: string;
  modelRoot: string;
  restartBackoff: { initialMs: number; maxMs: number };
  /**
   * V8 heap caps of a worker's isolate, in MB. The worker keeps ~15 MB of live objects (tfjs,
   * the graph); V8's default young generation alone grows to ~48 MB under the allocation rate
   * of one inference after another. A worker that outgrows the old generation cap ends with an
   * out-of-memory error and is restarted like any crashed worker.
   */
  heapLimitsMb: { youngGeneration: number; oldGeneration: number };
  /** The worker thread's module: detector-worker, or a test's stand-in that can be made to fail. */
  workerModule: URL;
}

export const DEFAULT_DETECTOR_CONFIG: DetectorConfig = {
  workers: 1,
  backend: (process.env.IOC_DETECTOR_BACKEND as WorkerSetup['backend'] | undefined) ?? 'auto',
  inferenceTimeoutMs: 10_000,
  loadTimeoutMs: 120_000,
  maxQueue: 16,
  backgroundMaxWaitMs: 2_000,
  manifestPath: MANIFEST_PATH,
  modelRoot: projectPath(),
  restartBackoff: { initialMs: 500, maxMs: 30_000 },
  heapLimitsMb: { youngGeneration: 4, oldGeneration: 64 },
  workerModule: siblingModule(import.meta.url, 'detector-worker'),
};

export interface DetectorDeps {
  metrics: EdgeMetrics;
  logger?: Logger;
  onFailure?: (err: Error) => void;
}

/** The picture to run the model on: packed RGB pixels, `width` × `height`. */
export interface DetectInput {
  pixels: Uint8Array;
  /**
   * The caller gives up `pixels` (a crop made for this call): its buffer is moved to the worker
   * instead of copied, and reads as empty afterwards. Ignored for views into a larger buffer.
   */
  transfer?: boolean;
  width: number;
  height: number;
  /**
   * Only this rectangle of the picture. Pixels in shared memory (the grabber's frames) are
   * read in place by the worker; others are cut when the job reaches a worker, so waiting jobs
   * hold no copies. The caller keeps `pixels` unchanged until the promise settles.
   */
  region?: PixelRect;
  /** Rows below this score are dropped in the worker (saves copying 100 rows back). */
  minScore: number;
  /**
   * Motion on a camera whose recent detections found nothing (trees, rain): served after the
   * requests of cameras with something in view, unless it has waited `backgroundMaxWaitMs`.
   */
  background?: boolean;
}

/** What cameras need from a detector; a test double can stand in. */
export interface ObjectDetector {
  readonly inputSize: number;
  readonly available: boolean;
  detect(input: DetectInput): Promise<RawDetection[]>;
}

interface Job {
  id: number;
  input: DetectInput;
  queuedMs: number;
  resolve: (d: RawDetection[]) => void;
  reject: (e: Error) => void;
}

interface Slot {
  index: number;
  worker?: Worker;
  ready: boolean;
  job?: Job;
  timer?: NodeJS.Timeout;
  backoff: Backoff;
  restartTimer?: NodeJS.Timeout;
}

export class Detector implements Component, ObjectDetector {
  readonly name = 'detector';
  readonly inputSize = 512;
  private readonly config: DetectorConfig;
  private readonly log: Logger;
  private readonly rateLog: RateLimitedLog;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private running = false;
  private lastError = '';
  private lastSeenMs = 0;
  private backendName = '';
  private restartCount = 0;
  private firstReady?: () => void;
  private readonly memoryReplies = new Map<number, (memory: WorkerMemory | undefined) => void>();

  constructor(
    config: Partial<DetectorConfig>,
    private readonly deps: DetectorDeps,
  ) {
    this.config = { ...DEFAULT_DETECTOR_CONFIG, ...config };
    this.log = deps.logger ?? componentLogger('detector');
    this.rateLog = new RateLimitedLog(this.log, 60_000);
  }

  get available(): boolean {
    return this.running && this.slots.some((s) => s.ready);
  }

  get backend(): string {
    return this.backendName;
  }

  /** Worker restarts after a crash, a hang or a failed load. */
  get restarts(): number {
    return this.restartCount;
  }

  /**
   * Resolves once the first worker is ready or has failed to load (the detector is then "down"
   * and keeps retrying with backoff); it never rejects: cameras run motion-only meanwhile.
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const firstReady = new Promise<void>((resolve) => (this.firstReady = resolve));
    for (let i = 0; i < Math.max(1, this.config.workers); i++) {
      const slot: Slot = { index: i, ready: false, backoff: new Backoff(this.config.restartBackoff) };
      this.slots.push(slot);
      this.spawn(slot);
    }
    await firstReady;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const closing = new IocError('UNAVAILABLE', 'detector stopped');
    for (const job of this.queue.splice(0)) job.reject(closing);
    await Promise.all(this.slots.map((slot) => this.retire(slot, closing)));
    this.slots.length = 0;
    this.publishGauges();
    this.firstReady?.();
  }

  detect(input: DetectInput): Promise<RawDetection[]> {
    if (!this.available) return Promise.reject(new IocError('UNAVAILABLE', `detector down: ${this.lastError || 'not started'}`));
    if (this.queue.length >= this.config.maxQueue) return Promise.reject(new IocError('RATE_LIMITED', 'detector queue full'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, input, queuedMs: performance.now(), resolve, reject });
      this.publishGauges();
      this.dispatch();
    });
  }

  /**
   * Ends every worker thread at once, as a crash would: the watchdog counts and restarts them.
   * For checking recovery on a running detector (the end-to-end tests' admin hook); the agent
   * never calls it.
   */
  async terminateWorkers(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.worker?.terminate()));
  }

  /** Memory of each ready worker (isolate heap, wasm heap, tensors); a busy worker may miss the deadline. */
  async memory(timeoutMs = 2_000): Promise<WorkerMemory[]> {
    const asks = this.slots
      .filter((slot) => slot.ready && slot.worker)
      .map(
        (slot) =>
          new Promise<WorkerMemory | undefined>((resolve) => {
            const id = this.nextId++;
            const timer = setTimeout(() => {
              this.memoryReplies.delete(id);
              resolve(undefined);
            }, timeoutMs);
            this.memoryReplies.set(id, (memory) => {
              clearTimeout(timer);
              this.memoryReplies.delete(id);
              resolve(memory);
            });
            slot.worker!.postMessage({ type: 'memory', id } satisfies WorkerRequest);
          }),
      );
    return (await Promise.all(asks)).filter((m): m is WorkerMemory => !!m);
  }

  health(): ComponentHealthReport {
    const ready = this.slots.filter((s) => s.ready).length;
    const state = !this.running || ready === 0 ? 'down' : ready < this.slots.length ? 'degraded' : 'ok';
    const detail = state === 'ok' ? `${this.backendName} backend, ${ready} worker(s)` : this.lastError || (this.running ? 'loading model' : 'stopped');
    return {
      name: this.name,
      state,
      detail,
      lastSeenMs: this.lastSeenMs,
      info: { backend: this.backendName, workers: this.slots.length, ready, queue: this.queue.length, restarts: this.restartCount },
    };
  }

  // ---- model swap (edgectl model install) -------------------------------------------------

  /**
   * Loads another verified model into fresh workers. Cameras keep running and report
   * motion-only while no worker is ready; if the new model does not load, the previous one is
   * loaded back and the error thrown.
   */
  async swapModel(model: Pick<DetectorConfig, 'manifestPath' | 'modelRoot'>): Promise<void> {
    const previous = { manifestPath: this.config.manifestPath, modelRoot: this.config.modelRoot };
    await this.stop();
    Object.assign(this.config, model);
    await this.start();
    if (this.available) return;
    const reason = this.lastError || 'the new model did not load';
    await this.stop();
    Object.assign(this.config, previous);
    await this.start();
    throw new IocError('MODEL_INVALID', `the new model did not load (${reason}); the previous model is back in service`);
  }

  private spawn(slot: Slot): void {
    const setup: WorkerSetup = { backend: this.config.backend, manifestPath: this.config.manifestPath, modelRoot: this.config.modelRoot };
    const worker = spawnWorker(this.config.workerModule, {
      workerData: setup,
      stdout: false,
      stderr: false,
      resourceLimits: { maxYoungGenerationSizeMb: this.config.heapLimitsMb.youngGeneration, maxOldGenerationSizeMb: this.config.heapLimitsMb.oldGeneration },
    });
    slot.worker = worker;
    slot.ready = false;
    slot.timer = setTimeout(
      () => this.fail(slot, new IocError('UNAVAILABLE', `model did not load within ${this.config.loadTimeoutMs} ms`)),
      this.config.loadTimeoutMs,
    );
    worker.on('message', (reply: WorkerReply) => this.onReply(slot, reply));
    worker.on('error', (err) => this.fail(slot, new IocError('INTERNAL', `detector worker error: ${errorMessage(err)}`, { cause: err })));
    worker.on('exit', (code) => {
      if (slot.worker === worker) this.fail(slot, new IocError('INTERNAL', `detector worker exited with code ${code}`));
    });
  }

  private onReply(slot: Slot, reply: WorkerReply): void {
    if (!this.running) return;
    switch (reply.type) {
      case 'ready':
        clearTimeout(slot.timer);
        slot.ready = true;
        slot.backoff.reset();
        this.backendName = reply.backend;
        this.lastError = '';
        this.lastSeenMs = Date.now();
        this.log.info(
          { backend: reply.backend, notes: reply.notes, loadMs: reply.loadMs, worker: slot.index },
          `detector ready on the ${reply.backend} backend`,
        );
        this.publishGauges();
        this.firstReady?.();
        this.dispatch();
        return;
      case 'memory': {
        const { type: _type, id, ...memory } = reply;
        this.memoryReplies.get(id)?.(memory);
        return;
      }
      case 'load-failed':
        this.fail(slot, new IocError(reply.code === 'MODEL_INVALID' ? 'MODEL_INVALID' : 'UNAVAILABLE', reply.message));
        return;
      case 'result':
      case 'error': {
        const job = slot.job;
        if (!job || job.id !== reply.id) return;
        clearTimeout(slot.timer);
        slot.job = undefined;
        if (reply.type === 'result') {
          this.lastSeenMs = Date.now();
          this.deps.metrics.detectSeconds.observe(reply.inferMs / 1000);
          job.resolve(reply.detections);
          this.dispatch();
        } else {
          // A throwing inference may have left the backend in a bad state: restart the worker.
          job.reject(new IocError('INTERNAL', `inference failed: ${reply.message}`));
          this.fail(slot, new IocError('INTERNAL', `inference failed: ${reply.message}`));
        }
      }
    }
  }

  /** The oldest request that is not background or has waited its longest; else the oldest. */
  private nextJob(): Job | undefined {
    const now = performance.now();
    const index = this.queue.findIndex((j) => !j.input.background || now - j.queuedMs >= this.config.backgroundMaxWaitMs);
    return this.queue.splice(Math.max(index, 0), 1)[0];
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.job || !slot.worker) continue;
      const job = this.nextJob();
      if (!job) break;
      slot.job = job;
      slot.timer = setTimeout(
        () => this.fail(slot, new IocError('UNAVAILABLE', `inference hung for more than ${this.config.inferenceTimeoutMs} ms`)),
        this.config.inferenceTimeoutMs,
      );
      const { request, transfer } = detectRequest(job.id, job.input);
      slot.worker.postMessage(request, transfer);
    }
    this.publishGauges();
  }

  /** Takes a worker out of service and schedules its replacement. */
  private fail(slot: Slot, err: IocError): void {
    if (!this.running || !slot.worker) return;
    this.lastError = err.message;
    this.restartCount++;
    this.deps.metrics.detectorRestarts.inc({ reason: err.code });
    if (err.code === 'MODEL_INVALID') this.rateLog.warn('model', { code: err.code }, err.message);
    else this.log.warn({ code: err.code, worker: slot.index, restarts: this.restartCount }, `detector worker restarting: ${err.message}`);
    void this.retire(slot, err);
    const delay = slot.backoff.nextDelayMs();
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = undefined;
      if (this.running) this.spawn(slot);
    }, delay);
    this.publishGauges();
    if (!this.slots.some((s) => s.ready)) {
      // Nothing can serve the queue now; fail fast so cameras use motion-only.
      for (const job of this.queue.splice(0)) job.reject(new IocError('UNAVAILABLE', `detector down: ${err.message}`));
      this.firstReady?.();
    }
  }

  private async retire(slot: Slot, err: Error): Promise<void> {
    clearTimeout(slot.timer);
    clearTimeout(slot.restartTimer);
    slot.ready = false;
    slot.job?.reject(err);
    slot.job = undefined;
    const worker = slot.worker;
    slot.worker = undefined;
    if (worker) await worker.terminate();
  }

  private publishGauges(): void {
    this.deps.metrics.detectorQueueDepth.set(this.queue.length);
    this.deps.metrics.detectorUp.set(this.available ? 1 : 0);
  }
}

/**
 * The worker's request for one input, and the buffers to move rather than clone. A crop at
 * 640 px is up to 0.9 MB: a shared frame is not copied at all, any other crop is cut here and
 * moved, so neither thread keeps a spare copy.
 */
function detectRequest(id: number, input: DetectInput): { request: WorkerRequest; transfer: ArrayBuffer[] } {
  const { pixels, width, height, minScore, region, transfer } = input;
  if (region && pixels.buffer instanceof SharedArrayBuffer) {
    const origin = { rowPixels: width, x: region.x, y: region.y };
    return { request: { type: 'detect', id, pixels, width: region.w, height: region.h, minScore, origin }, transfer: [] };
  }
  if (region) {
    const crop = extractCrop({ rgb: pixels, width, height }, region);
    return { request: { type: 'detect', id, pixels: crop, width: region.w, height: region.h, minScore }, transfer: [crop.buffer as ArrayBuffer] };
  }
  const owned = !!transfer && pixels.byteOffset === 0 && pixels.byteLength === pixels.buffer.byteLength && pixels.buffer instanceof ArrayBuffer;
  return { request: { type: 'detect', id, pixels, width, height, minScore }, transfer: owned ? [pixels.buffer as ArrayBuffer] : [] };
}
