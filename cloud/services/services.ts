// The coordinator's feature services on top of its store and bus: triage (alerts, routing,
// dispatch, escalation), citizen reports, the live feed, webhooks, device provisioning, config
// pushes, commands, the API audit trail, open data and the standards feeds (CAP, Open311,
// SensorThings). Gives back the services (the API's route table uses them), the ingest hooks
// and one close(). Knows nothing of HTTP.
import { componentLogger, type Logger } from '../../common/log.js';
import { errorMessage } from '../../common/errors.js';
import type { CoordinatorConfig } from '../config.js';
import type { CoordinatorStore } from '../store/contract/store.js';
import type { FeatureStores } from '../store/contract/backend.js';
import type { CoordinatorMetrics } from '../metrics.js';
import type { Presence } from '../ingest/presence.js';
import type { IngestHooks } from '../ingest/edgelink-server.js';
import type { EventBus } from '../live/bus.js';
import type { CoordinatorMessage } from '../../proto/generated/ioc/edgelink/v1/CoordinatorMessage.js';
import { RoutingTable } from '../triage/routing.js';
import { TriageService } from '../triage/triage-service.js';
import { createTriageMetrics } from '../triage/metrics.js';
import { AlertIntake } from '../triage/intake.js';
import { WebhookService } from '../webhooks/webhook-service.js';
import { ReportService } from '../reports/report-service.js';
import { LiveFeed } from '../live/live-feed.js';
import { Provisioning, type DeviceBusMessage } from '../devices/provisioning.js';
import { ConfigVersions } from '../devices/config-versions.js';
import { CommandQueue } from '../devices/commands.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { OpenData } from '../opendata/open-data.js';
import { CapPublisher } from '../cap/cap-publisher.js';
import { Open311 } from '../open311/open311-service.js';
import { SensorThings } from '../sensorthings/service.js';

export interface ServicesDeps {
  config: CoordinatorConfig;
  store: CoordinatorStore;
  /** Opened and closed by their backend, with the store. */
  features: FeatureStores;
  bus: EventBus;
  presence: Presence;
  metrics: CoordinatorMetrics;
  /** Sends to a device connected to this replica; false when it is not. */
  sendTo: (deviceId: string, msg: CoordinatorMessage) => boolean;
  logger?: Logger;
}

export interface Services {
  config: CoordinatorConfig;
  triage: TriageService;
  routing: RoutingTable;
  reports: ReportService;
  live: LiveFeed;
  webhooks: WebhookService;
  provisioning: Provisioning;
  configs: ConfigVersions;
  commands: CommandQueue;
  audit: AuditTrail;
  openData: OpenData;
  cap: CapPublisher;
  open311: Open311;
  /** Absent when sensorthings.enabled is false. */
  sensorThings?: SensorThings;
  /** What ingest tells the services of each stored batch and session. */
  hooks: IngestHooks;
  /** The openData guards' counters, rate limits and the like register here. */
  registry: CoordinatorMetrics['registry'];
  close(): Promise<void>;
}

/** Escalations are a safety net: checked often enough, never busy-looping. */
const ESCALATION_MIN_INTERVAL_MS = 200;

export async function startServices(deps: ServicesDeps): Promise<Services> {
  const logger = deps.logger ?? componentLogger('services');
  const { config, bus } = deps;
  const registry = deps.metrics.registry;
  const stores = deps.features;

  const cap = new CapPublisher({ store: stores.triage, settings: config.cap, sites: config.sites });
  const webhooks = new WebhookService({ store: stores.webhooks, settings: config.webhooks, cap, registry, logger: componentLogger('webhooks', logger) });
  const routing = new RoutingTable(stores.triage, config.routing, config.agencies);
  const triage = new TriageService({
    store: stores.triage,
    routing,
    bus,
    notifier: webhooks,
    escalation: config.escalation,
    metrics: createTriageMetrics(registry, () => stores.triage.countByState()),
    logger: componentLogger('triage', logger),
  });
  const siteLocation = (site: string) => config.sites.find((s) => s.id === site)?.location ?? null;
  const intake = new AlertIntake({
    triage,
    minSeverity: config.triage.min_severity,
    kinds: config.triage.kinds,
    siteLocation,
    logger: componentLogger('triage', logger),
  });
  const reports = new ReportService({
    store: stores.reports,
    triage,
    bus,
    notifier: webhooks,
    settings: config.reports,
    sites: config.sites,
    registry,
    logger: componentLogger('reports', logger),
  });
  const live = new LiveFeed({
    bus,
    replayBuffer: config.live.replay_buffer,
    heartbeatS: config.live.heartbeat_s,
    maxClients: config.live.max_clients,
    registry,
    logger: componentLogger('live', logger),
  });
  const provisioning = new Provisioning({
    store: deps.store,
    bus,
    notifier: webhooks,
    sites: config.sites.map((s) => s.id),
    configTokens: new Set(config.devices.filter((d) => d.token_source === 'config').map((d) => d.id)),
    disconnect: (id, reason, code) => deps.presence.disconnect(id, reason, code),
    logger: componentLogger('provisioning', logger),
  });
  const configs = new ConfigVersions({ store: stores.devices, devices: deps.store, bus, sendTo: deps.sendTo, logger: componentLogger('config-push', logger) });
  const commands = new CommandQueue({ store: stores.devices, devices: deps.store, bus, sendTo: deps.sendTo, logger: componentLogger('commands', logger) });
  const audit = new AuditTrail(stores.audit, componentLogger('audit', logger));
  const openData = new OpenData(deps.store, config.sites, config.opendata, registry);
  const sensorThings = config.sensorthings.enabled
    ? new SensorThings(deps.store, config.sites, config.opendata, {
        result: config.sensorthings.result,
        maxTop: config.sensorthings.max_top,
        maxRangeDays: config.opendata.max_range_days,
      })
    : undefined;
  const open311 = new Open311({ reports, triage, categories: config.reports.categories });

  const failed = (what: string) => (err: unknown) => logger.error({ err: errorMessage(err) }, `${what} failed`);
  // Other replicas ask here for devices they cannot reach (revocations, pending config and commands).
  const unsubscribe = bus.subscribe<DeviceBusMessage>('devices', (m) => {
    provisioning.onBusMessage(m.data);
    if (m.data.type === 'device.pending') {
      void configs.push(m.data.deviceId, false).catch(failed('config push'));
      void commands.sendOpen(m.data.deviceId, (msg) => deps.sendTo(m.data.deviceId, msg)).catch(failed('command send'));
    }
  });
  live.start();
  webhooks.start();
  const escalation = setInterval(
    () => void triage.escalateDue().catch(failed('escalation check')),
    Math.max(ESCALATION_MIN_INTERVAL_MS, config.escalation.check_interval_s * 1000),
  );
  escalation.unref();
  if (config.triage.catch_up_h > 0) {
    const since = Date.now() - config.triage.catch_up_h * 3_600_000;
    void intake.catchUp(deps.store, since).then((n) => logger.info({ records: n }, 'alert catch-up done'), failed('alert catch-up'));
  }

  const hooks: IngestHooks = {
    onStored(deviceId, items) {
      const rows = items.flatMap((i) => (i.event ? [i.event] : []));
      if (rows.length === 0) return;
      void intake.onStored(rows);
      void bus.publish('records', { deviceId, rows }).catch(failed('records publish'));
    },
    onConfigReport: (deviceId, report) => void configs.onReport(deviceId, report).catch(failed('config report')),
    onCommandReceipt: (deviceId, receipt) => void commands.onReceipt(deviceId, receipt).catch(failed('command receipt')),
    onSessionOpen(deviceId, send) {
      void configs.onSessionOpen(deviceId, send).catch(failed('config push on connect'));
      void commands.sendOpen(deviceId, (msg) => (send(msg), true)).catch(failed('commands on connect'));
    },
  };

  return {
    config,
    triage,
    routing,
    reports,
    live,
    webhooks,
    provisioning,
    configs,
    commands,
    audit,
    openData,
    cap,
    open311,
    sensorThings,
    hooks,
    registry,
    async close() {
      clearInterval(escalation);
      unsubscribe();
      await intake.close(5_000);
      await live.close();
      await webhooks.close();
      await audit.settle(5_000);
    },
  };
}
