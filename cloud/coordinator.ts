// Wires the coordinator: store, EdgeLink gRPC ingest, presence, HTTP API. Nothing else.
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { componentLogger, type Logger } from '../common/log.js';
import { hashToken } from '../common/secrets.js';
import type { CoordinatorConfig } from './config.js';
import type { CoordinatorStore } from './store/contract/store.js';
import type { StoreBackend } from './store/contract/backend.js';
import { createBackend } from './store/backends.js';
import type { EventBus } from './live/bus.js';
import { createCoordinatorMetrics, type CoordinatorMetrics } from './metrics.js';
import type { Presence } from './ingest/presence.js';
import { EdgeLinkServer } from './ingest/edgelink-server.js';
import { createApp } from './api/app.js';
import { ApiTokens } from './api/auth.js';
import { startServices } from './services/services.js';
import { JetStreamPublisher } from './jetstream/publisher.js';

export interface CoordinatorHandle {
  httpPort: number;
  grpcPort: number;
  store: CoordinatorStore;
  presence: Presence;
  /** In-memory with the level store; LISTEN/NOTIFY across replicas with PostgreSQL. */
  bus: EventBus;
  metrics: CoordinatorMetrics;
  edgeLink: EdgeLinkServer;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** A backend built by the caller (e.g. around a store a test prepared); default: the one `store.kind` names. */
  backend?: StoreBackend;
}

export async function startCoordinator(config: CoordinatorConfig, options: StartOptions = {}): Promise<CoordinatorHandle> {
  const logger = options.logger ?? componentLogger('coordinator');
  const metrics = createCoordinatorMetrics({ defaultMetrics: true });
  const backend = options.backend ?? createBackend(config.store);
  const { store } = backend;
  await backend.open();
  await bootstrapDevices(store, config, logger);

  const sharing = await backend.startSharing({ offlineAfterMs: config.presence.offline_after_s * 1000, metrics, logger });
  const { bus, presence } = sharing;
  const tokens = new ApiTokens(config.api_tokens.map((t) => ({ name: t.name, role: t.role, tokenSha256: t.token_sha256 ?? hashToken(t.token!) })));
  // Before ingest starts, so every stored record is journaled for JetStream.
  const jetstream = config.nats.enabled
    ? new JetStreamPublisher({ config: config.nats, store, bus, registry: metrics.registry, logger: componentLogger('jetstream', logger) })
    : undefined;
  jetstream?.start();
  const services = await startServices({
    config,
    store,
    features: backend.features,
    bus,
    presence,
    metrics,
    sendTo: (id, msg) => edgeLink.sendTo(id, msg),
    logger,
  });
  const edgeLink = new EdgeLinkServer({
    host: config.grpc.host,
    port: config.grpc.port,
    tls: config.grpc.tls ? { certFile: config.grpc.tls.cert_file, keyFile: config.grpc.tls.key_file, clientCaFile: config.grpc.tls.client_ca_file } : undefined,
    store,
    presence,
    metrics,
    maxBatchBytes: config.grpc.max_batch_bytes,
    maxBatchRecords: config.grpc.max_batch_records,
    ingestBudget: { batches: config.grpc.ingest_inflight_batches, bytes: config.grpc.ingest_inflight_bytes },
    logger: componentLogger('edgelink', logger),
    hooks: services.hooks,
  });
  const grpcPort = await edgeLink.start();

  const app = createApp({
    deps: { store, presence, metrics, config, startedAtMs: Date.now() },
    tokens,
    logger: componentLogger('api', logger),
    services,
    onWrite: (write) => services.audit.record(write),
  });
  const http: ServerType = await new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: config.http.port, hostname: config.http.host, ...httpsOptions(config.http.tls) }, () => resolve(server));
  });
  const httpPort = (http.address() as AddressInfo).port;
  logger.info({ httpPort, grpcPort, store: store.kind }, 'coordinator ready');

  return {
    httpPort,
    grpcPort,
    store,
    presence,
    bus,
    metrics,
    edgeLink,
    async close() {
      await edgeLink.stop();
      await jetstream?.close();
      await sharing.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        (http as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await services.close();
      await backend.close();
    },
  };
}

/** HTTPS for the API when http.tls is set (node-server then builds the server with node:https). */
function httpsOptions(tls: CoordinatorConfig['http']['tls']): Partial<Parameters<typeof serve>[0]> {
  if (!tls) return {};
  return { createServer: createHttpsServer, serverOptions: { cert: readFileSync(tls.cert_file), key: readFileSync(tls.key_file) } };
}

/**
 * Devices listed in the config exist at start. Their config token only seeds the first start:
 * afterwards the stored token is the valid one, so a token rotated through the API survives a
 * restart and the old config token stays refused. `token_source: config` makes the config
 * authoritative instead (its token is reset at every start; the API refuses to rotate it).
 */
async function bootstrapDevices(store: CoordinatorStore, config: CoordinatorConfig, logger: Logger): Promise<void> {
  for (const d of config.devices) {
    const tokenSha256 = d.token_sha256 ?? hashToken(d.token!);
    const existing = await store.getDevice(d.id);
    if (!existing) {
      await store.putDevice({ id: d.id, site: d.site, name: d.name, tokenSha256, revoked: false, createdAtMs: Date.now() });
      continue;
    }
    const authoritative = d.token_source === 'config';
    if (!authoritative && existing.tokenSha256 !== tokenSha256)
      logger.info({ device: d.id }, 'device token in the config only seeds the first start; the stored (rotated) token stays valid');
    const token = authoritative ? tokenSha256 : existing.tokenSha256;
    if (existing.tokenSha256 === token && existing.site === d.site && existing.name === d.name) continue;
    await store.putDevice({ ...existing, site: d.site, name: d.name, tokenSha256: token });
  }
}
