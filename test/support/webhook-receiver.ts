// A real HTTP server standing in for an agency's system: records every webhook it gets with the
// headers and raw body, answers with a chosen status, can go down and come back on its port.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  event: string;
  delivery: string;
  timestamp: string;
  signature: string;
  contentType: string;
  body: string;
  json: { id: string; event: string; createdAtMs: number; data: Record<string, unknown> };
}

export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** Status to answer with; 'hang' never answers. */
  answer: number | 'hang' = 200;
  hits = 0;
  private server: Server | undefined;
  port = 0;

  async start(port = 0): Promise<this> {
    const server = createServer(
      (req, res) =>
        void this.handle(req).then((status) => {
          if (status === 'hang') return;
          res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
        }),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  private async handle(req: IncomingMessage): Promise<number | 'hang'> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    this.hits++;
    const answer = this.answer;
    if (answer === 200 || answer === 204) {
      const body = Buffer.concat(chunks).toString('utf8');
      this.received.push({
        event: String(req.headers['x-ioc-event']),
        delivery: String(req.headers['x-ioc-delivery']),
        timestamp: String(req.headers['x-ioc-timestamp']),
        signature: String(req.headers['x-ioc-signature']),
        contentType: String(req.headers['content-type']),
        body,
        // CAP endpoints receive XML: their json is empty.
        json: (body.startsWith('<') ? {} : JSON.parse(body)) as ReceivedWebhook['json'],
      });
    }
    return answer;
  }

  /** Goes down (connections refused) until start(port) again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
