// The live feed: everything published on the bus (stored records, alert changes, citizen
// reports, device changes) fanned out to connected clients, filtered per client. A bounded
// replay buffer lets a client that reconnects with Last-Event-ID get what it missed; one further
// behind than the buffer gets a `reset` event and reloads through the REST API. The transport
// (Server-Sent Events over HTTP) is the API's: it hands each client in as a LiveSink.
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '../../common/log.js';
import { severityRank } from '../../common/severity.js';
import type { SeverityName } from '../../common/config/primitives.js';
import type { BusMessage, BusTopic, EventBus } from './bus.js';

export interface LiveFilter {
  topics?: string[];
  site?: string[];
  kind?: string[];
  severity?: SeverityName[];
  minSeverity?: SeverityName;
}

/** One SSE event as buffered: what to send and what filters look at. */
interface LiveItem {
  /** Bus id of the message; set on the last event of a message only. */
  id: string | undefined;
  busId: string;
  topic: BusTopic;
  event: string;
  data: string;
  site: string | null;
  kind: string | null;
  severity: SeverityName | null;
}

/** Where one client's events go: the API's Server-Sent Events stream (hono's fits as it is). */
export interface LiveSink {
  readonly aborted: boolean;
  /** Raw text (comments, the retry preamble). */
  write(text: string): Promise<unknown>;
  writeSSE(event: { event: string; data: string; id?: string }): Promise<unknown>;
  close(): Promise<unknown>;
}

interface Client {
  filter: LiveFilter;
  queue: LiveItem[];
  flushing: boolean;
  stream: LiveSink;
  /** Newest bus id this client has been told about (sent, or skipped by its filter). */
  lastId: string | undefined;
  sentLastId: string | undefined;
}

export interface LiveFeedOptions {
  bus: EventBus;
  replayBuffer: number;
  heartbeatS: number;
  maxClients: number;
  registry: Registry;
  logger: Logger;
}

const TOPICS: readonly BusTopic[] = ['records', 'alerts', 'reports', 'devices'];
/** A client this many events behind is cut off; it reconnects and resumes from the buffer. */
const MAX_CLIENT_QUEUE = 5_000;

export class LiveFeed {
  private readonly buffer: LiveItem[] = [];
  private readonly clients = new Set<Client>();
  private unsubscribe: (() => void)[] = [];
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly o: LiveFeedOptions) {
    const clients = this.clients;
    new Gauge({
      name: 'ioc_live_clients',
      help: 'Clients connected to the live feed on this replica',
      registers: [o.registry],
      collect() {
        this.set(clients.size);
      },
    });
  }

  start(): void {
    this.unsubscribe = TOPICS.map((topic) => this.o.bus.subscribe(topic, (m) => this.onMessage(m)));
    this.heartbeat = setInterval(() => this.beat(), this.o.heartbeatS * 1000);
    this.heartbeat.unref();
  }

  async close(): Promise<void> {
    for (const u of this.unsubscribe) u();
    clearInterval(this.heartbeat);
    await Promise.allSettled([...this.clients].map((c) => c.stream.close()));
    this.clients.clear();
  }

  private onMessage(message: BusMessage): void {
    const items = toItems(message);
    if (items.length === 0) return;
    for (const item of items) this.buffer.push(item);
    if (this.buffer.length > this.o.replayBuffer) this.buffer.splice(0, this.buffer.length - this.o.replayBuffer);
    for (const client of this.clients) this.offer(client, items);
  }

  /** Refused when this replica already serves maxClients: the message says so. */
  get fullMessage(): string | undefined {
    return this.clients.size >= this.o.maxClients ? `live feed full on this replica (${this.o.maxClients} clients); retry shortly` : undefined;
  }

  /** Streams to one client from lastEventId on, until `gone` resolves (the client went away). */
  async serve(stream: LiveSink, filter: LiveFilter, lastEventId: string | undefined, gone: Promise<void>): Promise<void> {
    // Registered before the first await, held back until the preamble is out: nothing published meanwhile is lost.
    const client: Client = { filter, queue: [], flushing: true, stream, lastId: undefined, sentLastId: lastEventId };
    this.replay(client, lastEventId);
    this.clients.add(client);
    try {
      await stream.write('retry: 3000\n: connected\n\n');
      client.flushing = false;
      this.flush(client);
      await gone;
    } finally {
      this.clients.delete(client);
    }
  }

  /** What the client missed since lastEventId, or a reset when that is no longer buffered. */
  private replay(client: Client, lastEventId: string | undefined): void {
    if (!lastEventId) return;
    const at = this.buffer.findIndex((i) => i.busId === lastEventId);
    if (at < 0) {
      const oldest = this.buffer[0]?.busId ?? null;
      client.queue.push({
        id: undefined,
        busId: '',
        topic: 'records',
        event: 'reset',
        site: null,
        kind: null,
        severity: null,
        data: JSON.stringify({
          reason: `Last-Event-ID ${lastEventId} is older than the replay buffer (${this.o.replayBuffer} events) or unknown: reload state through the REST API`,
          oldestBufferedId: oldest,
        }),
      });
      return;
    }
    // Events of the message lastEventId names come first and were all sent: skip them too.
    let start = at + 1;
    while (start < this.buffer.length && this.buffer[start]!.busId === lastEventId) start++;
    this.offer(client, this.buffer.slice(start), false);
  }

  private offer(client: Client, items: readonly LiveItem[], flush = true): void {
    for (const item of items) {
      if (item.id) client.lastId = item.id;
      if (matches(item, client.filter)) client.queue.push(item);
    }
    if (client.queue.length > MAX_CLIENT_QUEUE) {
      this.o.logger.warn({ queued: client.queue.length }, 'live client too slow; closing its stream (it resumes with Last-Event-ID)');
      this.clients.delete(client);
      void client.stream.close();
      return;
    }
    if (flush) this.flush(client);
  }

  private flush(client: Client): void {
    if (client.flushing) return;
    client.flushing = true;
    void (async () => {
      try {
        while (client.queue.length > 0 && !client.stream.aborted) {
          const item = client.queue.shift()!;
          await client.stream.writeSSE({ event: item.event, data: item.data, id: item.id });
          if (item.id) client.sentLastId = item.id;
        }
      } catch {
        this.clients.delete(client);
      } finally {
        client.flushing = false;
      }
    })();
  }

  /** Keeps proxies from closing an idle stream; moves a filtered client's resume point forward. */
  private beat(): void {
    for (const client of this.clients) {
      if (client.flushing || client.stream.aborted) continue;
      const idLine = client.lastId && client.lastId !== client.sentLastId ? `id: ${client.lastId}\n` : '';
      client.sentLastId = client.lastId ?? client.sentLastId;
      void client.stream.write(`: keepalive\n${idLine}\n`).catch(() => this.clients.delete(client));
    }
  }
}

function matches(item: LiveItem, f: LiveFilter): boolean {
  if (item.event === 'reset') return true;
  if (f.topics && !f.topics.includes(item.topic)) return false;
  if (f.site && (item.site === null || !f.site.includes(item.site))) return false;
  if (f.kind && (item.kind === null || !f.kind.includes(item.kind))) return false;
  if (f.severity && (item.severity === null || !f.severity.includes(item.severity))) return false;
  if (f.minSeverity && (item.severity === null || severityRank(item.severity) < severityRank(f.minSeverity))) return false;
  return true;
}

interface RecordRow {
  site: string;
  kind: string;
  severity: SeverityName | null;
}

/**
 * One stored row on the feed, serialized only when a client is sent it: ingest makes one for
 * every stored record, most of which nobody is watching live.
 */
class RecordItem implements LiveItem {
  readonly topic = 'records' as const;
  readonly event = 'record';
  readonly site: string;
  readonly kind: string;
  readonly severity: SeverityName | null;
  private json: string | undefined;

  constructor(
    readonly busId: string,
    readonly id: string | undefined,
    private readonly row: RecordRow,
  ) {
    this.site = row.site;
    this.kind = row.kind;
    this.severity = row.severity;
  }

  get data(): string {
    if (this.json === undefined) this.json = JSON.stringify(this.row);
    return this.json;
  }
}

/** Bus message → SSE events. A records message carries a device's batch: one event per row. */
function toItems(m: BusMessage): LiveItem[] {
  const base = { busId: m.id, topic: m.topic };
  const data = m.data as Record<string, unknown>;
  switch (m.topic) {
    case 'records': {
      const rows = (data.rows ?? []) as RecordRow[];
      return rows.map((row, i) => new RecordItem(m.id, i === rows.length - 1 ? m.id : undefined, row));
    }
    case 'alerts': {
      const alert = data.alert as { site: string | null; kind: string; severity: SeverityName };
      return [{ ...base, id: m.id, event: 'alert', data: JSON.stringify(data), site: alert.site, kind: alert.kind, severity: alert.severity }];
    }
    case 'reports': {
      const report = data.report as { site: string | null };
      return [{ ...base, id: m.id, event: 'report', data: JSON.stringify(data), site: report.site, kind: 'citizen_report', severity: null }];
    }
    case 'devices':
      // device.pending is replicas asking each other to push to a device: nothing to show.
      if (data.type === 'device.pending') return [];
      return [{ ...base, id: m.id, event: 'device', data: JSON.stringify(data), site: (data.site as string | undefined) ?? null, kind: null, severity: null }];
  }
}
