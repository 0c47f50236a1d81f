// The API's route table: every route group the coordinator serves, in one list, each built from
// the services it uses. Adding a group is one factory in this folder and one line here. Order
// matters at the ends: the health routes first, then the API, its OpenAPI document, and the
// console's catch-all last.
import { componentLogger, type Logger } from '../../../common/log.js';
import type { Services } from '../../services/services.js';
import type { ApiTokens } from '../auth.js';
import type { ApiDeps } from '../context.js';
import type { RouteModule } from '../route-module.js';
import type { LiveTickets } from '../tickets.js';
import { openDataGuards } from '../open-data-guards.js';
import { healthRoutes } from './health.js';
import { siteRoutes } from './sites.js';
import { deviceRoutes } from './devices.js';
import { eventRoutes } from './events.js';
import { sensorRoutes } from './sensors.js';
import { meRoutes } from './me.js';
import { liveTicketRoutes } from './live-ticket.js';
import { alertRoutes } from './alerts.js';
import { routingRoutes } from './routing.js';
import { reportRoutes } from './reports.js';
import { liveRoutes } from './live.js';
import { webhookRoutes } from './webhooks.js';
import { adminDeviceRoutes } from './admin-devices.js';
import { configRoutes } from './config.js';
import { commandRoutes } from './commands.js';
import { auditRoutes } from './audit.js';
import { openDataRoutes } from './opendata.js';
import { capRoutes } from './cap.js';
import { open311Routes } from './open311.js';
import { sensorThingsRoutes } from './sensorthings.js';
import { openApiDocumentRoutes } from './openapi-document.js';
import { consoleRoutes } from './console.js';

export interface RouteTableDeps {
  core: ApiDeps;
  services: Services;
  tickets: LiveTickets;
  /** The API tokens: /metrics needs one, Open311 clients send one as api_key. */
  tokens: ApiTokens;
  logger: Logger;
}

export function routeTable({ core, services: s, tickets, tokens, logger }: RouteTableDeps): RouteModule[] {
  const { config } = core;
  const resolveToken = (token: string) => tokens.resolve(token);
  return [
    healthRoutes(core, tokens),
    siteRoutes(core),
    deviceRoutes(core),
    eventRoutes(core),
    sensorRoutes(core),
    meRoutes(),
    liveTicketRoutes(tickets),
    alertRoutes(s.triage),
    routingRoutes(
      s.routing,
      config.webhooks.endpoints.map((e) => e.name),
    ),
    reportRoutes(s.reports),
    liveRoutes(s.live, componentLogger('live', logger)),
    webhookRoutes(s.webhooks),
    adminDeviceRoutes(s.provisioning),
    configRoutes(s.configs),
    commandRoutes(s.commands),
    auditRoutes(s.audit),
    openDataRoutes(s.openData, openDataGuards(config.opendata, s.registry)),
    capRoutes(s.cap, config.cap.public_url),
    open311Routes({ open311: s.open311, reports: s.reports, resolveToken, logger: componentLogger('open311', logger) }),
    ...(s.sensorThings ? [sensorThingsRoutes(s.sensorThings, { baseUrl: config.sensorthings.base_url, cacheTtlS: config.opendata.cache_ttl_s })] : []),
    openApiDocumentRoutes(),
    consoleRoutes(config.console.tile_url),
  ];
}
