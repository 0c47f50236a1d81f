// HTTPS for tests against a server whose certificate comes from a test CA (fetch cannot be given
// a CA): one-shot requests, and a live-feed reader that keeps the ids of `record` events.
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';

export interface HttpsAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface HttpsOptions {
  ca: Buffer;
  token?: string;
  method?: string;
  timeoutMs?: number;
}

function open(url: string, o: HttpsOptions): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = o.token ? { authorization: `Bearer ${o.token}` } : {};
    const req = request(url, { method: o.method ?? 'GET', ca: o.ca, headers }, resolve);
    req.setTimeout(o.timeoutMs ?? 5000, () => req.destroy(new Error(`${o.method ?? 'GET'} ${url}: no answer in ${o.timeoutMs ?? 5000} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export async function httpsRequest(url: string, o: HttpsOptions): Promise<HttpsAnswer> {
  const res = await open(url, o);
  res.setEncoding('utf8');
  let body = '';
  for await (const chunk of res) body += chunk as string;
  return { status: res.statusCode ?? 0, headers: res.headers, body };
}

/** A live-feed stream: ids of `record` events, in order, until the server or close() ends it. */
export class HttpsLiveFeed {
  readonly ids: string[] = [];
  replica: string | undefined;
  private res: IncomingMessage | undefined;
  ended: Promise<void> = Promise.resolve();

  static async open(url: string, ca: Buffer): Promise<HttpsLiveFeed> {
    const feed = new HttpsLiveFeed();
    const res = await open(url, { ca, timeoutMs: 120_000 });
    if (res.statusCode !== 200) {
      res.resume();
      throw new Error(`live feed answered ${res.statusCode}`);
    }
    feed.res = res;
    feed.replica = res.headers['x-ioc-replica'] as string | undefined;
    feed.ended = feed.read(res);
    return feed;
  }

  private async read(res: IncomingMessage): Promise<void> {
    res.setEncoding('utf8');
    let buffer = '';
    try {
      for await (const chunk of res) {
        buffer += chunk as string;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (/^event: record$/m.test(block) && data) this.ids.push((JSON.parse(data) as { id: string }).id);
        }
      }
    } catch {
      // cut by the server's death or by close()
    } finally {
      this.finished = true;
    }
  }

  /** True once the stream ended (its replica died, or close()). */
  finished = false;

  async close(): Promise<void> {
    this.res?.destroy();
    await this.ended;
  }
}
