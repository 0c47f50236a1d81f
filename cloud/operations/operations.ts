// The IOC's operations features on top of the coordinator: triage (alerts, routing, dispatch,
// escalation), citizen reports, the live feed, webhooks, device provisioning, config pushes,
// commands, the API audit trail and open data. Built from the store and the bus the coordinator
// already has; gives back the ingest hooks, the API routes and one close().
import type { OpenAPIHono } from '@hono/zod-openapi';
import { componentLogger, type Logger } from '../../common/log.js';
import type { CoordinatorConfig } from '../config.js';
import type { CoordinatorStore } from '../store/store.js';
import type { CoordinatorMetrics } from '../metrics.js';
import type { Presence } from '../ingest/presence.js';
import type { IngestHooks } from '../ingest/edgelink-server.js';
import type { EventBus } from '../live/bus.js';
import type { ApiEnv } from '../api/context.js';
import type { ApiWrite } from '../api/app.js';
import type { CoordinatorMessage } from '../../proto/generated/ioc/edgelink/v1/CoordinatorMessage.js';
import { closeAll, featureStoresFor, initAll } from './feature-stores.js';
import { RoutingTable } from '../triage/routing.js';
import { TriageService } from '../triage/triage-service.js';
import { createTriageMetrics } from '../triage/metrics.js';
import { WebhookService } from '../webhooks/webhook-service.js';
import { ReportService } from '../reports/report-service.js';
import { LiveFeed } from '../live/sse.js';
import { Provisioning } from '../devices/provisioning.js';
import { ConfigVersions } from '../devices/config-versions.js';
import { CommandQueue } from '../devices/commands.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { OpenData } from '../opendata/open-data.js';
import { alertRoutes } from '../api/routes/alerts.js';
import { routingRoutes } from '../api/routes/routing.js';
import { reportRoutes } from '../api/routes/reports.js';
import { liveRoutes } from '../api/routes/live.js';
import { webhookRoutes } from '../api/routes/webhooks.js';
import { adminDeviceRoutes } from '../api/routes/admin-devices.js';
import { configRoutes } from '../api/routes/config.js';
import { commandRoutes } from '../api/routes/commands.js';
import { auditRoutes } from '../api/routes/audit.js';
import { openDataRoutes } from '../api/routes/opendata.js';

export interface OperationsDeps {
  config: CoordinatorConfig;
  store: CoordinatorStore;
  bus: EventBus;
  presence: Presence;
  metrics: CoordinatorMetrics;
  /** Sends to a device connected to this replica; false when it is not. */
  sendTo: (deviceId: string, msg: CoordinatorMessage) => boolean;
  logger?: Logger;
}

export interface Operations {
  hooks: IngestHooks;
  routes: ((app: OpenAPIHono<ApiEnv>) => void)[];
  onWrite: (write: ApiWrite) => void;
  close(): Promise<void>;
}

export async function startOperations(deps: OperationsDeps): Promise<Operations> {
  const logger = deps.logger ?? componentLogger('operations');
  const { config } = deps;
  const stores = featureStoresFor(deps.store);
  await initAll(stores);
  const triageStore = stores.triage;
  const webhooks = new WebhookService({ store: stores.webhooks, settings: config.webhooks, registry: deps.metrics.registry, logger: componentLogger('webhooks', logger) });
  webhooks.start();
  const routing = new RoutingTable(triageStore, config.routing, config.agencies);
  const triage = new TriageService({
    store: triageStore, routing, bus: deps.bus, notifier: webhooks, escalation: config.escalation,
    metrics: createTriageMetrics(deps.metrics.registry, () => triageStore.countByState()), logger: componentLogger('triage', logger),
  });
  const reports = new ReportService();
  const live = new LiveFeed();
  const provisioning = new Provisioning();
  const configs = new ConfigVersions();
  const commands = new CommandQueue();
  const audit = new AuditTrail();
  const open = new OpenData();
  return {
    hooks: {},
    routes: [
      alertRoutes(triage),
      routingRoutes(routing, config.webhooks.endpoints.map((e) => e.name)),
      reportRoutes(reports),
      liveRoutes(live),
      webhookRoutes(webhooks),
      adminDeviceRoutes(provisioning),
      configRoutes(configs),
      commandRoutes(commands),
      auditRoutes(audit),
      openDataRoutes(open),
    ],
    onWrite: () => undefined,
    async close() {
      await webhooks.close();
      await closeAll(stores);
    },
  };
}
