// A Server-Sent Events client for tests: reads the raw stream (comments too), parses events
// the way browsers do (event, data, id), and can be closed at any point.
export interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
  /** When the event was read (epoch ms): latency measurements. */
  at: number;
}

export class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  /** The id a browser would send as Last-Event-ID after what was read so far. */
  lastEventId: string | undefined;
  raw = '';
  status = 0;
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();

  static async connect(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient();
    const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: client.abort.signal });
    client.status = res.status;
    client.contentType = res.headers.get('content-type') ?? '';
    if (res.status !== 200 || !res.body) {
      client.raw = await res.text();
      return client;
    }
    client.done = client.read(res.body);
    return client;
  }

  contentType = '';

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    let event = { event: 'message', data: [] as string[], id: undefined as string | undefined };
    try {
      for await (const chunk of body) {
        const text = decoder.decode(chunk, { stream: true });
        this.raw += text;
        buffer += text;
        for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
          const line = buffer.slice(0, nl).replace(/\r$/, '');
          buffer = buffer.slice(nl + 1);
          if (line === '') {
            if (event.id !== undefined) this.lastEventId = event.id;
            if (event.data.length > 0) this.events.push({ event: event.event, data: event.data.join('\n'), id: event.id, at: Date.now() });
            event = { event: 'message', data: [], id: undefined };
          } else if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
          else {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') event.event = value;
            else if (field === 'data') event.data.push(value);
            else if (field === 'id') event.id = value;
          }
        }
      }
    } catch {
      // aborted by close()
    }
  }

  json<T = Record<string, unknown>>(): T[] {
    return this.events.map((e) => JSON.parse(e.data) as T);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}
