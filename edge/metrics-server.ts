// The agent's local HTTP listener: Prometheus text on /metrics, plus any extra local routes the
// agent was started with (edge/main.ts adds none; test entry points add their hooks here).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { errorMessage } from '../common/errors.js';
import type { Logger } from '../common/log.js';

/** A handler for one exact request path. */
export type LocalRoute = (req: IncomingMessage, res: ServerResponse) => void;

export interface MetricsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  routes?: Readonly<Record<string, LocalRoute>>;
  logger: Logger;
}

export class MetricsServer {
  private constructor(private readonly server: Server) {}

  /** Undefined when it cannot listen: metrics are not worth failing the agent for (e.g. port taken). */
  static async start(options: MetricsServerOptions): Promise<MetricsServer | undefined> {
    const { registry, routes = {} } = options;
    const server = createServer((req, res) => {
      const route = req.url !== undefined && Object.hasOwn(routes, req.url) ? routes[req.url] : undefined;
      if (route) return route(req, res);
      if (req.url !== '/metrics') {
        res.writeHead(404).end('not found\n');
        return;
      }
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(errorMessage(err)),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    }).catch((err: unknown) => {
      options.logger.error({ err: errorMessage(err), port: options.port }, 'metrics endpoint not available');
    });
    return server.listening ? new MetricsServer(server) : undefined;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
