// Keeps the agent's components running: each one that fails is restarted with backoff, its
// failures counted, and one failing camera never takes down the broker or the uplink.
import { Backoff, sleep } from '../common/backoff.js';
import { errorMessage } from '../common/errors.js';
import { componentLogger, type Logger } from '../common/log.js';
import type { EdgeMetrics } from './metrics.js';
import type { Component, ComponentHealthReport } from './component.js';

interface Supervised {
  component: Component;
  backoff: Backoff;
  restarts: number;
  lastError: string;
  lastFailureMs: number;
  restarting: Promise<void> | undefined;
  running: boolean;
  /** Cancels this entry's restart loop (replaced or removed component). */
  abort: AbortController;
}

export interface SupervisedHealth extends ComponentHealthReport {
  /** Restarts by the supervisor plus those the component did itself (detector workers). */
  restarts: number;
  lastError: string;
  lastFailureMs: number;
}

export interface SupervisorTimings {
  initialMs: number;
  maxMs: number;
  /** A component that stays up this long earns a fresh backoff. */
  stableMs?: number;
  /**
   * A stop that takes longer is abandoned (logged) so shutdown stays bounded: a connect in
   * progress on a dead link (gRPC waitForReady) would otherwise hold it for its whole timeout.
   */
  stopTimeoutMs?: number;
}

const DEFAULT_STOP_TIMEOUT_MS = 5_000;

export class Supervisor {
  private readonly entries = new Map<string, Supervised>();
  private stopped = false;
  private readonly log: Logger;

  constructor(
    private readonly metrics: EdgeMetrics,
    logger?: Logger,
    private readonly timings: SupervisorTimings = { initialMs: 1000, maxMs: 60_000 },
  ) {
    this.log = logger ?? componentLogger('supervisor');
  }

  add(component: Component): void {
    this.entries.set(component.name, {
      component,
      backoff: new Backoff(this.timings),
      restarts: 0,
      lastError: '',
      lastFailureMs: 0,
      restarting: undefined,
      running: false,
      abort: new AbortController(),
    });
  }

  get(name: string): Component | undefined {
    return this.entries.get(name)?.component;
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /** Starts every component; one that fails to start is retried in the background. */
  async startAll(): Promise<void> {
    for (const entry of this.entries.values()) await this.startEntry(entry);
  }

  /** Adds a component and starts it at once (cameras of a newly applied config). */
  async addAndStart(component: Component): Promise<void> {
    this.add(component);
    await this.startEntry(this.entries.get(component.name)!);
  }

  private async startEntry(entry: Supervised): Promise<void> {
    try {
      await entry.component.start();
      entry.running = true;
    } catch (err) {
      this.failed(entry.component.name, err);
    }
  }

  /**
   * Swaps in a rebuilt component under the same name (config reload): the old one is stopped,
   * the new one started. Unlike startAll, a failed start is thrown so the caller can roll back.
   */
  async replace(component: Component): Promise<void> {
    const old = this.entries.get(component.name);
    if (old) await this.retire(old);
    const restarts = old?.restarts ?? 0;
    this.add(component);
    const entry = this.entries.get(component.name)!;
    entry.restarts = restarts;
    await component.start();
    entry.running = true;
  }

  /** Stops a component and forgets it. */
  async remove(name: string): Promise<void> {
    const entry = this.entries.get(name);
    if (!entry) return;
    this.entries.delete(name);
    await this.retire(entry);
  }

  private async retire(entry: Supervised): Promise<void> {
    entry.abort.abort();
    await entry.restarting;
    await this.stopBounded(entry);
  }

  private async stopBounded(entry: Supervised): Promise<void> {
    const name = entry.component.name;
    const limitMs = this.timings.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const stopped = entry.component.stop().then(
      () => true,
      (err: unknown) => {
        this.log.error({ component: name, err: errorMessage(err) }, 'stop failed');
        return true;
      },
    );
    const done = await Promise.race([stopped, new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), limitMs)))]);
    clearTimeout(timer);
    if (!done) this.log.warn({ component: name, limitMs }, 'component did not stop in time; going on without it');
    entry.running = false;
  }

  /** Components call this (through the callback given at construction) when they break. */
  failed(name: string, err: unknown): void {
    const entry = this.entries.get(name);
    if (!entry || entry.restarting || this.stopped || entry.abort.signal.aborted) return;
    entry.running = false;
    entry.lastError = errorMessage(err);
    entry.lastFailureMs = Date.now();
    entry.restarting = this.restart(entry).finally(() => (entry.restarting = undefined));
  }

  private async restart(entry: Supervised): Promise<void> {
    const signal = entry.abort.signal;
    const name = entry.component.name;
    while (!signal.aborted && !this.stopped) {
      const delayMs = entry.backoff.nextDelayMs();
      this.log.warn({ component: name, err: entry.lastError, retryInMs: delayMs }, 'component failed; restarting');
      await entry.component.stop().catch(() => undefined);
      await sleep(delayMs, signal);
      if (signal.aborted || this.stopped) return;
      entry.restarts++;
      this.metrics.componentRestarts.inc({ component: name });
      try {
        await entry.component.start();
      } catch (err) {
        entry.lastError = errorMessage(err);
        entry.lastFailureMs = Date.now();
        continue;
      }
      if (signal.aborted || this.stopped) {
        // Stopped while starting: the stop already ran, so undo this start.
        await entry.component.stop().catch(() => undefined);
        return;
      }
      entry.running = true;
      this.log.info({ component: name, restarts: entry.restarts }, 'component restarted');
      const startedAt = entry.restarts;
      setTimeout(() => {
        if (entry.running && entry.restarts === startedAt) entry.backoff.reset();
      }, this.timings.stableMs ?? 60_000).unref();
      return;
    }
  }

  health(): SupervisedHealth[] {
    return [...this.entries.values()].map((e) => {
      const h = e.component.health();
      const own = typeof h.info?.restarts === 'number' ? h.info.restarts : 0;
      const restarting = e.restarting !== undefined;
      return {
        ...h,
        state: restarting ? 'down' : h.state,
        detail: restarting ? `restarting: ${e.lastError}` : h.detail,
        restarts: e.restarts + own,
        lastError: e.lastError,
        lastFailureMs: e.lastFailureMs,
      };
    });
  }

  restartsOf(name: string): number {
    return this.entries.get(name)?.restarts ?? 0;
  }

  /** Stops components in reverse start order; pending restarts are cancelled first. */
  async stopAll(): Promise<void> {
    this.stopped = true;
    const entries = [...this.entries.values()].reverse();
    for (const entry of entries) entry.abort.abort();
    await Promise.all(entries.map((e) => e.restarting));
    for (const entry of entries) await this.stopBounded(entry);
  }
}
