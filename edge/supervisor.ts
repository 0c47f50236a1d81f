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
  restarting: boolean;
  running: boolean;
}

export interface SupervisedHealth extends ComponentHealthReport {
  restarts: number;
  lastError: string;
}

export class Supervisor {
  private readonly entries = new Map<string, Supervised>();
  private readonly abort = new AbortController();
  private readonly log: Logger;

  constructor(
    private readonly metrics: EdgeMetrics,
    logger?: Logger,
    private readonly backoff = { initialMs: 1000, maxMs: 60_000 },
  ) {
    this.log = logger ?? componentLogger('supervisor');
  }

  add(component: Component): void {
    this.entries.set(component.name, {
      component, backoff: new Backoff(this.backoff), restarts: 0, lastError: '', restarting: false, running: false,
    });
  }

  get(name: string): Component | undefined {
    return this.entries.get(name)?.component;
  }

  /** Starts every component; one that fails to start is retried in the background. */
  async startAll(): Promise<void> {
    for (const entry of this.entries.values()) {
      try {
        await entry.component.start();
        entry.running = true;
      } catch (err) {
        this.failed(entry.component.name, err);
      }
    }
  }

  /** Components call this (through the callback given at construction) when they break. */
  failed(name: string, err: unknown): void {
    const entry = this.entries.get(name);
    if (!entry || entry.restarting || this.abort.signal.aborted) return;
    entry.restarting = true;
    entry.running = false;
    entry.lastError = errorMessage(err);
    void this.restart(entry);
  }

  private async restart(entry: Supervised): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const delayMs = entry.backoff.nextDelayMs();
      this.log.warn({ component: entry.component.name, err: entry.lastError, retryInMs: delayMs }, 'component failed; restarting');
      await entry.component.stop().catch(() => undefined);
      await sleep(delayMs, signal);
      if (signal.aborted) break;
      entry.restarts++;
      this.metrics.componentRestarts.inc({ component: entry.component.name });
      try {
        await entry.component.start();
        entry.running = true;
        entry.restarting = false;
        this.log.info({ component: entry.component.name, restarts: entry.restarts }, 'component restarted');
        // A component that stays up a minute earns a fresh backoff.
        setTimeout(() => entry.running && entry.backoff.reset(), 60_000).unref();
        return;
      } catch (err) {
        entry.lastError = errorMessage(err);
      }
    }
    entry.restarting = false;
  }

  health(): SupervisedHealth[] {
    return [...this.entries.values()].map((e) => {
      const h = e.component.health();
      const state = e.restarting ? 'down' : h.state;
      return { ...h, state, restarts: e.restarts, lastError: e.lastError, detail: e.restarting ? `restarting: ${e.lastError}` : h.detail };
    });
  }

  restartsOf(name: string): number {
    return this.entries.get(name)?.restarts ?? 0;
  }

  /** Stops components in reverse start order. */
  async stopAll(): Promise<void> {
    this.abort.abort();
    for (const entry of [...this.entries.values()].reverse()) {
      await entry.component.stop().catch((err: unknown) => this.log.error({ component: entry.component.name, err: errorMessage(err) }, 'stop failed'));
      entry.running = false;
    }
  }
}
