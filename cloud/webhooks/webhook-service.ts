// Webhooks to external systems (agencies, the provincial duty desk): each event is queued
// durably per endpoint, POSTed signed, retried with exponential backoff while the endpoint is
// down (endpoint-wide, so a dead receiver costs one attempt per backoff step, not one per
// queued event), and the endpoint is disabled with its reason after too many failures in a row.
import { newId } from '../../common/ids.js';
import { Counter, Gauge, type Registry } from 'prom-client';
import { NotFoundError, errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { WebhookEndpointConfig } from '../../common/config/operations-schema.js';
import type { AlertNotifier } from '../triage/triage-service.js';
import type { WebhookStore } from '../store/contract/webhook-store.js';
import { freshEndpointState } from '../store/contract/webhook-store.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signPayload } from './signature.js';
import type { Delivery, DeliveryAttempt, DeliveryState, EndpointState } from './types.js';

export interface WebhookSettings {
  endpoints: readonly WebhookEndpointConfig[];
  retry: { initial_ms: number; max_ms: number; max_attempts: number };
  disable_after_failures: number;
}

export interface WebhookServiceOptions {
  store: WebhookStore;
  settings: WebhookSettings;
  registry: Registry;
  logger: Logger;
  /** Renders alert changes as CAP 1.2 XML for endpoints with format cap (undefined: nothing to send). */
  cap?: { forWebhook(event: string, data: unknown): Promise<string | undefined> };
  /** How often due retries are looked for (new events wake the worker at once). */
  pollMs?: number;
  now?: () => number;
}

export interface EndpointView extends Omit<EndpointState, 'retryAtMs'> {
  url: string;
  events: string[];
  format: 'json' | 'cap';
  pendingDeliveries: number;
}

const BATCH = 20;

export class WebhookService implements AlertNotifier {
  private readonly now: () => number;
  private readonly byName: Map<string, WebhookEndpointConfig>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  /** Aborts attempts in flight on close: a hanging receiver must not hold up shutdown. */
  private readonly stopping = new AbortController();
  private readonly metrics;

  constructor(private readonly o: WebhookServiceOptions) {
    this.now = o.now ?? Date.now;
    this.byName = new Map(o.settings.endpoints.map((e) => [e.name, e]));
    const r = [o.registry];
    const store = o.store;
    const names = [...this.byName.keys()];
    this.metrics = {
      deliveries: new Counter({
        name: 'ioc_webhook_deliveries_total',
        help: 'Webhook deliveries settled, by endpoint and outcome (delivered, failed)',
        labelNames: ['endpoint', 'outcome'],
        registers: r,
      }),
      failures: new Counter({
        name: 'ioc_webhook_failures_total',
        help: 'Failed webhook attempts (error answer, refused, timeout), by endpoint',
        labelNames: ['endpoint'],
        registers: r,
      }),
      disabled: new Gauge({
        name: 'ioc_webhook_endpoints_disabled',
        help: 'Webhook endpoints disabled after repeated failures',
        registers: r,
        async collect() {
          let n = 0;
          for (const name of names) if ((await store.getEndpoint(name))?.enabled === false) n++;
          this.set(n);
        },
      }),
    };
  }

  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => this.wake(), this.o.pollMs ?? 1000);
    this.timer.unref();
    this.wake();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopping.abort();
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Queues `event` for every endpoint subscribed to it and for the given channels. */
  async notify(event: string, data: unknown, options: { channels?: (string | null | undefined)[] } = {}): Promise<void> {
    const targets = new Set<string>();
    for (const e of this.o.settings.endpoints) if (subscribed(e.events, event)) targets.add(e.name);
    for (const c of options.channels ?? []) if (c && this.byName.has(c)) targets.add(c);
    if (targets.size === 0) return;
    const now = this.now();
    // Endpoints asking for CAP get the change's CAP message, or nothing when it publishes none.
    const needsCap = [...targets].some((name) => this.byName.get(name)?.format === 'cap');
    const cap = needsCap ? await this.o.cap?.forWebhook(event, data) : undefined;
    const deliveries = [...targets].flatMap((endpoint): Delivery[] => {
      const id = newId(now);
      const body = this.byName.get(endpoint)?.format === 'cap' ? cap : JSON.stringify({ id, event, createdAtMs: now, data });
      if (body === undefined) return [];
      return [
        {
          id,
          endpoint,
          event,
          body,
          createdAtMs: now,
          state: 'pending',
          attempts: 0,
          nextAttemptAtMs: now,
          leaseUntilMs: 0,
          lastStatus: null,
          lastError: null,
          deliveredAtMs: null,
        },
      ];
    });
    if (deliveries.length === 0) return;
    await this.o.store.enqueue(deliveries);
    this.wake();
  }

  async endpoints(): Promise<EndpointView[]> {
    return Promise.all(this.o.settings.endpoints.map((e) => this.view(e.name)));
  }

  private async view(name: string): Promise<EndpointView> {
    const config = this.endpoint(name);
    const { retryAtMs: _, ...state } = (await this.o.store.getEndpoint(name)) ?? freshEndpointState(name);
    return { ...state, url: config.url, events: config.events, format: config.format, pendingDeliveries: await this.o.store.countPending(name) };
  }

  async deliveries(name: string, options: { state?: DeliveryState; limit: number }) {
    this.endpoint(name);
    const list = await this.o.store.listDeliveries(name, options);
    return Promise.all(
      list.map(async ({ body: _body, leaseUntilMs: _lease, ...d }) => ({
        ...d,
        log: (await this.o.store.attempts(d.id)).map((a) => ({
          attempt: a.attempt,
          atMs: a.atMs,
          durationMs: a.durationMs,
          status: a.status,
          ok: a.ok,
          error: a.error,
        })),
      })),
    );
  }

  async enable(name: string, actor: string): Promise<EndpointView> {
    this.endpoint(name);
    await this.o.store.mutateEndpoint(name, (s) => ({ ...s, enabled: true, disabledReason: null, disabledAtMs: null, consecutiveFailures: 0, retryAtMs: 0 }));
    this.o.logger.info({ endpoint: name, actor }, 'webhook endpoint re-enabled');
    this.wake();
    return this.view(name);
  }

  /** Queues a webhook.test delivery to one endpoint; returns its id. */
  async test(name: string, actor: string): Promise<string> {
    this.endpoint(name);
    const now = this.now();
    const id = newId(now);
    await this.o.store.enqueue([
      {
        id,
        endpoint: name,
        event: 'webhook.test',
        body: JSON.stringify({ id, event: 'webhook.test', createdAtMs: now, data: { requestedBy: actor } }),
        createdAtMs: now,
        state: 'pending',
        attempts: 0,
        nextAttemptAtMs: now,
        leaseUntilMs: 0,
        lastStatus: null,
        lastError: null,
        deliveredAtMs: null,
      },
    ]);
    this.wake();
    return id;
  }

  private endpoint(name: string): WebhookEndpointConfig {
    const e = this.byName.get(name);
    if (!e) throw new NotFoundError(`webhook endpoint ${name}`);
    return e;
  }

  /** Runs a delivery pass now (or right after the current one). */
  wake(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((err: unknown) => this.o.logger.error({ err: errorMessage(err) }, 'webhook delivery pass failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async pass(): Promise<void> {
    await Promise.all(this.o.settings.endpoints.map((e) => this.drainEndpoint(e)));
  }

  /** Sends the endpoint's due deliveries in order until one fails or none is left. */
  private async drainEndpoint(e: WebhookEndpointConfig): Promise<void> {
    while (!this.closed) {
      const state = (await this.o.store.getEndpoint(e.name)) ?? freshEndpointState(e.name);
      const now = this.now();
      if (!state.enabled || state.retryAtMs > now) return;
      const batch = await this.o.store.claimDue(e.name, now, e.timeout_ms + 5_000, BATCH);
      if (batch.length === 0) return;
      for (const [i, d] of batch.entries()) {
        const ok = await this.attempt(e, d);
        if (ok) continue;
        // The endpoint is failing: the rest wait for its backoff, in order, without an attempt.
        const retryAtMs = (await this.o.store.getEndpoint(e.name))?.retryAtMs ?? this.now();
        for (const rest of batch.slice(i + 1)) await this.o.store.settle({ ...rest, nextAttemptAtMs: Math.max(rest.nextAttemptAtMs, retryAtMs) }, undefined);
        return;
      }
      if (batch.length < BATCH) return;
    }
  }

  private async attempt(e: WebhookEndpointConfig, d: Delivery): Promise<boolean> {
    const started = this.now();
    const timestampS = Math.floor(started / 1000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(e.url, {
        method: 'POST',
        body: d.body,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(e.timeout_ms), this.stopping.signal]),
        headers: {
          'content-type': d.body.startsWith('<?xml') ? 'application/cap+xml; charset=utf-8' : 'application/json',
          'user-agent': 'ioc-coordinator-webhooks',
          [EVENT_HEADER]: d.event,
          [DELIVERY_HEADER]: d.id,
          [TIMESTAMP_HEADER]: String(timestampS),
          [SIGNATURE_HEADER]: signPayload(e.secret, timestampS, d.body),
        },
      });
      status = res.status;
      await res.body?.cancel().catch(() => undefined);
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (err) {
      error = describeFetchError(err);
    }
    // Cut short by shutdown: not the receiver's fault; the lease runs out and it is sent again.
    if (this.stopping.signal.aborted) return false;
    const ok = error === null;
    const now = this.now();
    const attempt: DeliveryAttempt = {
      deliveryId: d.id,
      endpoint: e.name,
      event: d.event,
      attempt: d.attempts + 1,
      atMs: started,
      durationMs: now - started,
      status,
      ok,
      error,
    };
    if (ok) {
      await this.o.store.settle({ ...d, state: 'delivered', attempts: attempt.attempt, lastStatus: status, lastError: null, deliveredAtMs: now }, attempt);
      await this.o.store.mutateEndpoint(e.name, (s) => ({ ...s, consecutiveFailures: 0, retryAtMs: 0, lastSuccessAtMs: now }));
      this.metrics.deliveries.inc({ endpoint: e.name, outcome: 'delivered' });
      return true;
    }
    this.metrics.failures.inc({ endpoint: e.name });
    const endpoint = await this.o.store.mutateEndpoint(e.name, (s) => this.afterFailure(s, error!, now));
    const gaveUp = attempt.attempt >= this.o.settings.retry.max_attempts;
    await this.o.store.settle(
      {
        ...d,
        state: gaveUp ? 'failed' : 'pending',
        attempts: attempt.attempt,
        lastStatus: status,
        lastError: error,
        nextAttemptAtMs: gaveUp ? d.nextAttemptAtMs : endpoint.retryAtMs,
      },
      attempt,
    );
    if (gaveUp) {
      this.metrics.deliveries.inc({ endpoint: e.name, outcome: 'failed' });
      this.o.logger.error({ endpoint: e.name, delivery: d.id, event: d.event, attempts: attempt.attempt, err: error }, 'webhook delivery given up');
    } else {
      this.o.logger.warn(
        { endpoint: e.name, delivery: d.id, attempt: attempt.attempt, err: error, retryInMs: endpoint.retryAtMs - now },
        'webhook attempt failed',
      );
    }
    return false;
  }

  private afterFailure(s: EndpointState, error: string, now: number): EndpointState {
    const failures = s.consecutiveFailures + 1;
    const { initial_ms, max_ms } = this.o.settings.retry;
    const base = Math.min(max_ms, initial_ms * 2 ** Math.min(30, failures - 1));
    // ±20 % jitter: replicas and endpoints recovering together do not retry in lockstep.
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    const next: EndpointState = { ...s, consecutiveFailures: failures, retryAtMs: now + delay, lastFailureAtMs: now, lastError: error };
    if (s.enabled && failures >= this.o.settings.disable_after_failures) {
      next.enabled = false;
      next.disabledAtMs = now;
      next.disabledReason = `disabled after ${failures} consecutive failed attempts; last: ${error}`;
      this.o.logger.error({ endpoint: s.name, reason: next.disabledReason }, 'webhook endpoint disabled');
    }
    return next;
  }
}

function subscribed(events: readonly string[], event: string): boolean {
  return events.some((p) => p === '*' || p === event || (p.endsWith('.*') && event.startsWith(p.slice(0, -1))));
}

function describeFetchError(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'timed out';
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? errorMessage(err);
}
