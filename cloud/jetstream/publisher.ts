// Hands the record journal to NATS JetStream: oldest entries first, each message with its
// Nats-Msg-Id, and removes an entry only after JetStream acknowledged all of its messages. A
// crash between the ack and the removal means a resend, which JetStream drops as a duplicate
// within the stream's duplicate window. NATS being away never stops ingest: the journal grows
// and is drained when the server is back.
import { readFileSync } from 'node:fs';
import { connect, nanos, type ConnectionOptions, type JetStreamClient, type NatsConnection } from 'nats';
import type { Registry } from 'prom-client';
import { Counter, Gauge } from 'prom-client';
import { errorMessage } from '../../common/errors.js';
import { RateLimitedLog, type Logger } from '../../common/log.js';
import type { NatsConfig } from '../../common/config/nats-schema.js';
import type { CoordinatorStore } from '../store/contract/store.js';
import type { EventBus } from '../live/bus.js';
import { messagesOf } from './messages.js';

const BATCH_ENTRIES = 200;
const IDLE_POLL_MS = 500;
const MAX_BACKOFF_MS = 15_000;

export interface JetStreamPublisherOptions {
  config: NatsConfig;
  store: CoordinatorStore;
  bus: EventBus;
  registry: Registry;
  logger: Logger;
}

export class JetStreamPublisher {
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly sites = new Map<string, string>();
  private readonly warn: RateLimitedLog;
  private readonly published: Counter;
  private readonly failures: Counter;
  private readonly connected: Gauge;

  constructor(private readonly o: JetStreamPublisherOptions) {
    this.warn = new RateLimitedLog(o.logger, 30_000);
    this.published = new Counter({
      name: 'ioc_nats_published_total',
      help: 'messages acknowledged by JetStream (duplicates included)',
      labelNames: ['duplicate'],
      registers: [o.registry],
    });
    this.failures = new Counter({
      name: 'ioc_nats_publish_failures_total',
      help: 'journal batches that failed to publish and will be retried',
      registers: [o.registry],
    });
    this.connected = new Gauge({ name: 'ioc_nats_connected', help: '1 while connected to NATS', registers: [o.registry] });
  }

  /**
   * Must run before ingest and triage start: from here on every stored record and every
   * announced alert change is journaled in the store's own write. The bus only wakes the loop.
   */
  start(): void {
    this.o.store.enableJournal();
    this.unsubscribe.push(
      this.o.bus.subscribe('alerts', () => this.wake?.()),
      this.o.bus.subscribe('records', () => this.wake?.()),
    );
    this.running = true;
    this.loop = this.run();
  }

  async close(): Promise<void> {
    this.running = false;
    for (const u of this.unsubscribe) u();
    this.wake?.();
    await this.loop;
    await this.nc?.drain().catch(() => undefined);
    this.connected.set(0);
  }

  private async run(): Promise<void> {
    let backoffMs = 250;
    while (this.running) {
      try {
        const js = this.js ?? (await this.connectOnce());
        const drained = await this.publishBatch(js);
        backoffMs = 250;
        if (!drained) continue;
        await this.idle(IDLE_POLL_MS);
      } catch (err) {
        this.failures.inc();
        this.warn.warn('publish', { err: errorMessage(err), retryInMs: backoffMs }, 'JetStream publish failed; the journal keeps the records');
        await this.idle(backoffMs);
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
      }
    }
  }

  /** Publishes the oldest journal entries; true when the journal was empty afterwards. */
  private async publishBatch(js: JetStreamClient): Promise<boolean> {
    const entries = await this.o.store.readJournal(BATCH_ENTRIES);
    if (entries.length === 0) return true;
    const prefix = this.o.config.subject_prefix;
    for (const entry of entries) {
      if (entry.data.type === 'records') await this.knowSite(entry.data.deviceId);
    }
    const acks = entries.flatMap((entry) =>
      messagesOf(entry.data, prefix, (id) => this.sites.get(id)).map(async (m) => {
        const ack = await js.publish(m.subject, JSON.stringify(m.body), { msgID: m.msgId });
        this.published.inc({ duplicate: String(ack.duplicate) });
      }),
    );
    await Promise.all(acks);
    await this.o.store.removeJournal(entries.map((e) => e.id));
    return entries.length < BATCH_ENTRIES;
  }

  private async knowSite(deviceId: string): Promise<void> {
    if (this.sites.has(deviceId)) return;
    const device = await this.o.store.getDevice(deviceId);
    if (device) this.sites.set(deviceId, device.site);
  }

  private async connectOnce(): Promise<JetStreamClient> {
    const c = this.o.config;
    const options: ConnectionOptions = { servers: c.servers, name: 'ioc-coordinator', maxReconnectAttempts: -1, reconnectTimeWait: 1000 };
    if (c.user) options.user = c.user;
    if (c.password_file) options.pass = readFileSync(c.password_file, 'utf8').trim();
    if (c.token_file) options.token = readFileSync(c.token_file, 'utf8').trim();
    const nc = await connect(options);
    try {
      const jsm = await nc.jetstreamManager();
      await jsm.streams.info(c.stream).catch(async (err: unknown) => {
        if (!/not found/i.test(errorMessage(err))) throw err;
        await jsm.streams.add({ name: c.stream, subjects: [`${c.subject_prefix}.>`], duplicate_window: nanos(c.duplicate_window_s * 1000) });
        this.o.logger.info({ stream: c.stream, subjects: `${c.subject_prefix}.>` }, 'JetStream stream created');
      });
    } catch (err) {
      await nc.close();
      throw err;
    }
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') this.connected.set(0);
        if (s.type === 'reconnect') this.connected.set(1);
      }
    })();
    this.nc = nc;
    this.js = nc.jetstream();
    this.connected.set(1);
    this.o.logger.info({ servers: c.servers, stream: c.stream }, 'publishing to JetStream');
    return this.js;
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
