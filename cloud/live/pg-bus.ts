// The event bus between coordinator replicas on one PostgreSQL: LISTEN/NOTIFY. A message goes
// out as one NOTIFY (delivered to every replica, this one included, in commit order); a payload
// that would not fit the 8000-byte NOTIFY limit is parked in bus_overflow and fetched by id.
// Ids come from one database sequence, so a Last-Event-ID from one replica means the same
// place on another.
import type pg from 'pg';
import { createHash } from 'node:crypto';
import { Backoff, sleep } from '../../common/backoff.js';
import { errorMessage } from '../../common/errors.js';
import { componentLogger, RateLimitedLog, type Logger } from '../../common/log.js';
import type { BusMessage, BusTopic, EventBus } from './bus.js';

export interface PgBusOptions {
  /** Pool for publishing and fetching parked payloads (search_path = the store's schema). */
  pool: pg.Pool;
  /** Makes the dedicated LISTEN connection (a pooled one would be handed to others). */
  connect: () => pg.Client;
  schema: string;
  logger?: Logger;
  /**
   * Parked payloads older than this are deleted: listeners fetch them within milliseconds, and
   * a busy ingest parks one per stored batch (hundreds of kB each), so the table must stay short.
   */
  overflowKeepMs?: number;
}

/** NOTIFY payloads must stay under 8000 bytes; the envelope takes some of it. */
const MAX_INLINE_BYTES = 7800;
const TOPICS: readonly BusTopic[] = ['records', 'alerts', 'devices', 'reports'];

interface Envelope {
  i: string;
  t: BusTopic;
  d?: unknown;
  /** Parked in bus_overflow: fetch by id. */
  r?: 1;
}

type Handler = (message: BusMessage) => void;

interface Outgoing {
  topic: BusTopic;
  json: string;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Messages per publishing transaction. */
const MAX_FLUSH = 500;

export class PgBus implements EventBus {
  readonly channel: string;
  private readonly handlers = new Map<BusTopic, Set<Handler>>();
  private readonly log: Logger;
  private readonly rateLimited: RateLimitedLog;
  private readonly abort = new AbortController();
  private listener: pg.Client | undefined;
  private listening: Promise<void> | undefined;
  /** Deliveries run one after the other so subscribers see messages in NOTIFY order. */
  private delivery: Promise<void> = Promise.resolve();
  private cleanup: NodeJS.Timeout | undefined;
  private connectedOnce = false;
  private readonly outgoing: Outgoing[] = [];
  private flushing = false;
  private readonly aborted = new Promise<undefined>((resolve) => this.abort.signal.addEventListener('abort', () => resolve(undefined), { once: true }));

  constructor(private readonly options: PgBusOptions) {
    this.log = options.logger ?? componentLogger('pg-bus');
    this.rateLimited = new RateLimitedLog(this.log);
    const name = `ioc_bus_${options.schema}`;
    this.channel = name.length <= 63 ? name : `ioc_bus_${createHash('sha256').update(options.schema).digest('hex').slice(0, 40)}`;
  }

  /**
   * Connects the listener; resolves once LISTEN is in place, or after a first failed attempt
   * (logged) so a coordinator still starts while the bus keeps retrying.
   */
  async start(): Promise<void> {
    if (this.listening) return;
    let ready!: () => void;
    const first = new Promise<void>((resolve) => (ready = resolve));
    this.listening = this.listenLoop(ready);
    const keepMs = this.options.overflowKeepMs ?? 60_000;
    this.cleanup = setInterval(
      () => {
        this.options.pool.query('DELETE FROM bus_overflow WHERE created_ms < $1', [Date.now() - keepMs]).catch((err: unknown) => {
          this.rateLimited.warn('overflow-cleanup', { err: errorMessage(err) }, 'bus overflow cleanup failed');
        });
      },
      Math.max(1000, keepMs / 4),
    );
    this.cleanup.unref();
    await first;
  }

  private async listenLoop(ready: () => void): Promise<void> {
    const backoff = new Backoff({ initialMs: 500, maxMs: 15_000 });
    while (!this.abort.signal.aborted) {
      const client = this.options.connect();
      const lost = new Promise<Error>((resolve) => {
        client.on('error', resolve);
        client.on('end', () => resolve(new Error('connection ended')));
      });
      try {
        await client.connect();
        client.on('notification', (n) => {
          if (n.channel === this.channel && n.payload !== undefined) this.enqueue(n.payload);
        });
        await client.query(`LISTEN ${this.channel}`);
        this.listener = client;
        backoff.reset();
        if (this.connectedOnce) this.log.warn({ channel: this.channel }, 'bus listener reconnected; messages sent while it was down were missed');
        this.connectedOnce = true;
        ready();
        const err = await Promise.race([lost, this.aborted]);
        if (err) this.rateLimited.warn('listener-lost', { err: err.message }, 'bus listener connection lost; reconnecting');
      } catch (err) {
        this.rateLimited.warn('listener-connect', { err: errorMessage(err) }, 'bus listener cannot connect; retrying');
        ready();
      } finally {
        this.listener = undefined;
        await client.end().catch(() => undefined);
      }
      if (!this.abort.signal.aborted) await sleep(backoff.nextDelayMs(), this.abort.signal);
    }
    ready();
  }

  /**
   * Queues the message; everything published in the same tick (and while the previous flush was
   * under way) goes out in one transaction, in publish order. Resolves once it is committed.
   */
  publish<T>(topic: BusTopic, data: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.outgoing.push({ topic, json: JSON.stringify(data ?? null), resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flushLoop());
      }
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.outgoing.length > 0) {
      const batch = this.outgoing.splice(0, MAX_FLUSH);
      try {
        await this.send(batch);
        for (const m of batch) m.resolve();
      } catch (err) {
        for (const m of batch) m.reject(err as Error);
      }
    }
    this.flushing = false;
  }

  /** Ids in publish order, parked payloads, then one NOTIFY each: committed (and delivered) together. */
  private async send(batch: readonly Outgoing[]): Promise<void> {
    const client = await this.options.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const ids = (await client.query<{ id: number }>("SELECT nextval('bus_message_id') AS id FROM generate_series(1, $1)", [batch.length])).rows
        .map((r) => r.id)
        .sort((a, b) => a - b);
      const big = batch.flatMap((m, i) => (Buffer.byteLength(m.json) > MAX_INLINE_BYTES ? [i] : []));
      if (big.length > 0) {
        await client.query(
          `INSERT INTO bus_overflow (id, topic, data, created_ms)
             SELECT i, t, d.e, $4 FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS x(i, t, n)
               JOIN json_array_elements($3::json) WITH ORDINALITY AS d(e, n) USING (n)`,
          [big.map((i) => ids[i]), big.map((i) => batch[i]!.topic), `[${big.map((i) => batch[i]!.json).join(',')}]`, Date.now()],
        );
      }
      const bigSet = new Set(big);
      // The envelope is built here, so the payload's JSON is never parsed or re-escaped on the way.
      const payloads = batch.map((m, i) => `{"i":"${ids[i]}","t":"${m.topic}",${bigSet.has(i) ? '"r":1' : `"d":${m.json}`}}`);
      await client.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS x(p, n) ORDER BY n', [this.channel, payloads]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }

  subscribe<T>(topic: BusTopic, handler: (message: BusMessage<T>) => void): () => void {
    const set = this.handlers.get(topic) ?? new Set();
    set.add(handler as Handler);
    this.handlers.set(topic, set);
    return () => set.delete(handler as Handler);
  }

  private enqueue(payload: string): void {
    this.delivery = this.delivery
      .then(() => this.deliver(payload))
      .catch((err: unknown) => {
        this.rateLimited.warn('deliver', { err: errorMessage(err) }, 'bus message could not be delivered');
      });
  }

  private async deliver(payload: string): Promise<void> {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
    } catch {
      // Someone else NOTIFYing on our channel: not ours to interpret.
      this.rateLimited.warn('foreign', { channel: this.channel }, 'unreadable NOTIFY on the bus channel ignored');
      return;
    }
    if (!TOPICS.includes(envelope.t) || typeof envelope.i !== 'string') return;
    const handlers = this.handlers.get(envelope.t);
    if (!handlers || handlers.size === 0) return;
    let data = envelope.d;
    if (envelope.r) {
      const { rows } = await this.options.pool.query<{ data: unknown }>('SELECT data FROM bus_overflow WHERE id = $1', [envelope.i]);
      if (rows.length === 0) return;
      data = rows[0]!.data;
    }
    const message: BusMessage = { topic: envelope.t, id: envelope.i, data };
    for (const handler of handlers) {
      try {
        handler(message);
      } catch (err) {
        this.rateLimited.warn(`handler:${envelope.t}`, { err: errorMessage(err) }, 'bus subscriber failed');
      }
    }
  }

  /** Resolves once every message received so far has been handed to the subscribers. */
  async settled(): Promise<void> {
    await this.delivery;
  }

  get connected(): boolean {
    return this.listener !== undefined;
  }

  async close(): Promise<void> {
    while (this.flushing) await new Promise((r) => setTimeout(r, 5));
    this.abort.abort();
    if (this.cleanup) clearInterval(this.cleanup);
    await this.listening;
    await this.delivery;
    this.handlers.clear();
  }
}
