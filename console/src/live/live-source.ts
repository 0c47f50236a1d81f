// Where the live feed's messages come from: the coordinator's Server-Sent Events stream
// (GET /api/v1/live), or, on a coordinator without it, polling GET /api/v1/events. EventSource
// cannot send headers, so each stream is opened with a single-use ticket (POST
// /api/v1/live/ticket), never the token itself. A dropped stream is reopened with a new ticket
// and ?last_event_id=, so a flaky IOC link loses nothing the server still holds.
import type { ApiClient } from '../api/client.js';
import type { IocEvent, Page } from '../api/types.js';
import type { AlertView } from '../triage/alert-types.js';

export type LiveMessage = { type: 'event'; event: IocEvent } | { type: 'alert'; alert: AlertView };
export type LiveState = 'connecting' | 'open' | 'polling' | 'error';

export interface LiveFilter {
  site?: string;
  /** Record kinds (and alert kinds: alarm, camera_event, citizen_report). */
  kind?: string;
  min_severity?: string;
}

export interface LiveSourceOptions {
  api: ApiClient;
  filter: LiveFilter;
  /** The coordinator has GET /api/v1/live. */
  streaming: boolean;
  onMessage(message: LiveMessage): void;
  onState(state: LiveState): void;
  /** The stream could not replay everything missed: reload recent history through the REST API. */
  onReset(): void;
}

const POLL_MS = 3000;
/** After the stream gave up (refused, 503 when the replica is full), poll and try it again this often. */
const STREAM_RETRY_MS = 30_000;
/** A stream that was open and dropped is reopened (new ticket) after this long. */
const REOPEN_MS = 1_000;
/** SSE event names the feed understands; anything else is classified by its shape. */
const STREAM_EVENTS = ['message', 'record', 'alert', 'report'];

export class LiveSource {
  private stream: EventSource | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private polling = false;
  private closed = false;
  /** Newest event id seen: where a reopened stream resumes. */
  private lastEventId: string | undefined;
  private readonly seen = new Map<string, number>();

  constructor(private readonly options: LiveSourceOptions) {}

  start(): void {
    if (this.options.streaming) this.openStream();
    else void this.poll();
  }

  close(): void {
    this.closed = true;
    this.stream?.close();
    if (this.timer) clearTimeout(this.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private openStream(): void {
    this.options.onState('connecting');
    void this.options.api
      .post<{ ticket: string }>('/api/v1/live/ticket', {})
      .then(({ ticket }) => !this.closed && this.listen(ticket))
      .catch(() => this.streamFailed());
  }

  private listen(ticket: string): void {
    const { api, filter } = this.options;
    const stream = new EventSource(api.url('/api/v1/live', { topics: 'records,alerts', ...filter, ticket, last_event_id: this.lastEventId }));
    this.stream = stream;
    let opened = false;
    stream.onopen = () => {
      opened = true;
      this.polling = false;
      if (this.timer) clearTimeout(this.timer);
      this.options.onState('open');
    };
    // The ticket was used: EventSource's own retry would be refused, so reopen with a new one.
    // A stream that never opened (refused, replica full) falls back to polling for a while.
    stream.onerror = () => {
      stream.close();
      if (this.closed) return;
      if (opened) {
        this.options.onState('connecting');
        this.retryTimer = setTimeout(() => !this.closed && this.openStream(), REOPEN_MS);
        return;
      }
      this.streamFailed();
    };
    for (const name of STREAM_EVENTS) {
      stream.addEventListener(name, (e) => {
        const m = e as MessageEvent<string>;
        if (m.lastEventId) this.lastEventId = m.lastEventId;
        this.onStreamData(name, m.data);
      });
    }
    stream.addEventListener('reset', () => this.options.onReset());
  }

  private streamFailed(): void {
    if (this.closed) return;
    if (!this.polling) {
      this.polling = true;
      void this.poll();
    }
    this.retryTimer = setTimeout(() => !this.closed && this.openStream(), STREAM_RETRY_MS);
  }

  private onStreamData(name: string, raw: string): void {
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch {
      return;
    }
    const message = classify(name, data);
    if (message) this.options.onMessage(message);
  }

  private async poll(): Promise<void> {
    if (this.closed || (this.options.streaming && !this.polling)) return;
    const { api, filter } = this.options;
    try {
      const page = await api.get<Page<IocEvent>>('/api/v1/events', { site: filter.site, kind: filter.kind, min_severity: filter.min_severity, limit: 50 });
      this.options.onState('polling');
      // Oldest first, and only rows that are new or changed (camera events update in place).
      for (const event of [...page.items].reverse()) {
        const stamp = event.receivedMs;
        if (this.seen.get(event.id) === stamp) continue;
        this.seen.set(event.id, stamp);
        this.options.onMessage({ type: 'event', event });
      }
      if (this.seen.size > 5000) this.seen.clear();
    } catch {
      this.options.onState('error');
    }
    if (!this.closed) this.timer = setTimeout(() => void this.poll(), POLL_MS);
  }
}

/** An SSE payload may be the row itself or wrapped ({type, data} / {event} / {alert}). */
export function classify(name: string, data: unknown): LiveMessage | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const o = data as Record<string, unknown>;
  for (const key of ['data', 'event', 'record', 'alert', 'item']) {
    const inner = o[key];
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      const m = classify(typeof o.type === 'string' ? o.type : name, inner);
      if (m) return m;
    }
  }
  if (typeof o.state === 'string' && Array.isArray(o.eventIds)) return { type: 'alert', alert: o as unknown as AlertView };
  if (typeof o.kind === 'string' && typeof o.deviceId === 'string' && typeof o.timeMs === 'number') return { type: 'event', event: o as unknown as IocEvent };
  return undefined;
}
