// The edge agent: wires the stages (broker → sensor pipeline → outbox → uplink, cameras →
// outbox) under one supervisor. Nothing else lives here.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EdgeConfig } from '../common/config/edge-schema.js';
import { AgentClock, ClockOffset } from '../common/time.js';
import { componentLogger, rootLogger, type Logger } from '../common/log.js';
import { softwareVersion } from '../common/paths.js';
import { errorMessage } from '../common/errors.js';
import type { Component } from './component.js';
import { createEdgeMetrics, type EdgeMetrics } from './metrics.js';
import { MetricsServer, type LocalRoute } from './metrics-server.js';
import { buildHeartbeat } from './heartbeat.js';
import { readDeviceToken } from './device-token.js';
import { Outbox } from './outbox/outbox.js';
import type { RecordSink } from './outbox/types.js';
import { SensorBroker } from './sensors/broker.js';
import { resolveBrokerHost } from './sensors/broker-address.js';
import { SensorPipeline } from './sensors/sensor-pipeline.js';
import { Uplink } from './uplink/link.js';
import { linkTargetOf } from './uplink/client.js';
import { Supervisor } from './supervisor.js';
import { BoxResources } from './system-stats.js';
import { createCameraComponents, type Camera, type Detector } from './camera/index.js';
import { AdminSocket, type AdminHandlers } from './admin/server.js';
import { adminHandlers } from './admin/handlers/index.js';
import type { AgentPorts, AgentView } from './admin/agent-view.js';
import { CameraActivity } from './admin/camera-activity.js';
import { ReadingFeed } from './admin/reading-feed.js';
import { ModelStore, type ModelLocation } from './admin/model-store.js';
import { ConfigApplier, type ReloadPart } from './config-apply.js';
import { createRemoteControl, type RemoteAgent, type RemoteControl } from './remote/remote-control.js';

export type { AgentPorts } from './admin/agent-view.js';

/** What an extra local route may use: it runs inside the agent, beside /metrics. */
export interface LocalRouteContext {
  metricsHost: string;
  sink: RecordSink;
  logger: Logger;
}

export interface AgentOptions {
  configRevision: string;
  logger?: Logger;
  /** Bounded graceful shutdown: how long to try delivering the backlog on stop. */
  drainOnStopMs?: number;
  /** The config file the agent runs; `edgectl config apply` replaces it (none: no apply). */
  configFile?: string;
  /** Extra routes on the local metrics listener (edge/main.ts adds none; test entry points do). */
  localRoutes?: (context: LocalRouteContext) => Readonly<Record<string, LocalRoute>>;
  /** Extra admin socket methods; they cannot replace the built-in ones (edge/main.ts adds none). */
  extraAdminHandlers?: (agent: AgentView) => AdminHandlers;
}

export class EdgeAgent {
  readonly metrics: EdgeMetrics;
  readonly clock: AgentClock;
  readonly clockOffset = new ClockOffset();
  readonly supervisor: Supervisor;
  readonly startedAtMs = Date.now();
  /** Live sensor readings for `edgectl sensors tail`. */
  private readonly readingFeed = new ReadingFeed();
  private readonly models: ModelStore;
  private readonly resources: BoxResources;
  private revision: string;
  private currentConfig: EdgeConfig;
  private configApplier: ConfigApplier | undefined;
  private cameraActivity!: CameraActivity;
  private cameras: Camera[] = [];
  private detector: Detector | undefined;
  private admin: AdminSocket | undefined;
  private readonly log: Logger;
  private ttlTimer: NodeJS.Timeout | undefined;
  private metricsServer: MetricsServer | undefined;
  private stopping: Promise<void> | undefined;
  private remote: RemoteControl | undefined;
  private outbox!: Outbox;
  private broker!: SensorBroker;
  private sensors!: SensorPipeline;
  private uplink!: Uplink;

  private constructor(
    config: EdgeConfig,
    private readonly options: AgentOptions,
  ) {
    this.currentConfig = config;
    this.revision = options.configRevision;
    this.models = new ModelStore(config.data_dir);
    this.log = options.logger ?? rootLogger();
    this.metrics = createEdgeMetrics({ defaultMetrics: true });
    mkdirSync(config.data_dir, { recursive: true });
    this.clock = new AgentClock(join(config.data_dir, 'clock.json'));
    this.supervisor = new Supervisor(this.metrics, componentLogger('supervisor', this.log));
    this.resources = new BoxResources(() => this.config.data_dir);
  }

  static async start(config: EdgeConfig, options: AgentOptions): Promise<EdgeAgent> {
    const agent = new EdgeAgent(config, options);
    await agent.startStages();
    return agent;
  }

  /** The running config; replaced by `reconfigure` when a new one is applied. */
  get config(): EdgeConfig {
    return this.currentConfig;
  }

  get configRevision(): string {
    return this.revision;
  }

  get ports(): AgentPorts {
    return { broker: this.broker.port, metrics: this.metricsServer?.port, admin: this.admin?.path };
  }

  private async startStages(): Promise<void> {
    const { config } = this;
    this.clock.startPersisting();
    this.outbox = await Outbox.open({
      dir: join(config.data_dir, 'outbox'),
      diskBudgetBytes: config.outbox.disk_budget_mb * 1024 * 1024,
      ttlMs: {
        alarm: config.outbox.ttl_s.alarm * 1000,
        event: config.outbox.ttl_s.event * 1000,
        telemetry: config.outbox.ttl_s.telemetry * 1000,
        thumbnail: config.outbox.ttl_s.thumbnail * 1000,
      },
      kindLanes: config.outbox.kind_lanes as never,
      maxRejections: config.outbox.max_rejections,
      minFreeDiskBytes: config.outbox.min_free_disk_mb * 1024 * 1024,
      agentNow: () => this.clock.now(),
      clockOffset: () => ({ offsetMs: this.clockOffset.offsetMs, synced: this.clockOffset.synced }),
      logger: componentLogger('outbox', this.log),
      metrics: this.metrics,
    });
    await this.reportRecovery();

    this.buildSensorPath(config);
    this.uplink = this.buildUplink(config);
    this.supervisor.add(this.broker);
    this.supervisor.add(this.uplink);
    this.cameraActivity = new CameraActivity(this.outbox);
    for (const component of this.buildCameras(config)) this.supervisor.add(component);
    const configFile = this.options.configFile;
    if (configFile) this.configApplier = new ConfigApplier(configFile, this, componentLogger('config', this.log));
    const view = this.adminView();
    this.admin = new AdminSocket({
      path: config.admin.socket ?? join(config.data_dir, 'edgectl.sock'),
      handlers: { ...this.options.extraAdminHandlers?.(view), ...adminHandlers(view) },
      logger: componentLogger('admin', this.log),
    });
    this.supervisor.add(this.admin);
    await this.supervisor.startAll();

    await this.resources.start();
    this.ttlTimer = setInterval(
      () => void this.outbox.sweepExpired().catch((err: unknown) => this.log.error({ err: errorMessage(err) }, 'TTL sweep failed')),
      config.outbox.ttl_sweep_s * 1000,
    );
    if (config.admin.metrics_enabled) await this.startMetricsServer(config);
  }

  private buildSensorPath(config: EdgeConfig): void {
    this.sensors = new SensorPipeline({
      sensors: config.sensors,
      sink: this.outbox,
      metrics: this.metrics,
      alarmStateFile: join(config.data_dir, 'alarms.json'),
      logger: componentLogger('sensors', this.log),
      onReading: (r) => this.readingFeed.publish(r),
    });
    this.sensors.start();
    this.broker = new SensorBroker({
      host: resolveBrokerHost(config.broker),
      port: config.broker.port,
      websocketPort: config.broker.websocket_port,
      maxPayloadBytes: config.broker.max_payload_bytes,
      sensors: config.sensors,
      metrics: this.metrics,
      maxUnauthenticated: config.broker.max_unauthenticated,
      connectTimeoutMs: config.broker.connect_timeout_s * 1000,
      logger: componentLogger('broker', this.log),
      onReading: (r) => this.sensors.handle(r),
      onFailure: (err) => this.supervisor.failed('broker', err),
    });
  }

  private buildUplink(config: EdgeConfig): Uplink {
    return new Uplink({
      target: linkTargetOf(config.coordinator),
      identity: {
        deviceId: config.device.id,
        siteId: config.device.site,
        token: readDeviceToken(config),
        softwareVersion: softwareVersion(),
        configVersion: () => this.revision,
      },
      outbox: this.outbox,
      clockOffset: this.clockOffset,
      settings: config.uplink,
      metrics: this.metrics,
      heartbeat: () =>
        buildHeartbeat({
          outbox: this.outbox,
          components: () => this.supervisor.health(),
          resources: () => this.resources.sample(),
          clockOffsetMs: () => this.clockOffset.offsetMs,
          configRevision: () => this.revision,
          startedAtMs: this.startedAtMs,
        }),
      // Built on first use: the outbox and the config applier exist by then.
      onConfigPush: (push) => this.remoteControl().onConfigPush(push),
      onCommand: (command) => this.remoteControl().onCommand(command),
      logger: componentLogger('uplink', this.log),
      backoff: { initialMs: config.uplink.reconnect_initial_s * 1000, maxMs: config.uplink.reconnect_max_s * 1000 },
      dailyBudgetFile: join(config.data_dir, 'uplink-daily.json'),
    });
  }

  /** The detector (shared, loading the active model) and one component per enabled camera. */
  private buildCameras(config: EdgeConfig): Component[] {
    const model = this.models.active();
    const parts = createCameraComponents(config.cameras, {
      sink: this.cameraActivity,
      metrics: this.metrics,
      logger: this.log,
      onFailure: (component, err) => this.supervisor.failed(component.name, err),
      detector: { manifestPath: model.manifestPath, modelRoot: model.modelRoot },
    });
    this.detector = parts.detector;
    this.cameras = parts.cameras;
    return parts.components;
  }

  /** What edgectl's handlers see: accessors, since reconfigure replaces the parts they read. */
  private adminView(): AgentView {
    return {
      config: () => this.config,
      configRevision: () => this.revision,
      configApplier: () => this.configApplier,
      startedAtMs: this.startedAtMs,
      outbox: this.outbox,
      uplink: () => this.uplink,
      sensors: () => this.sensors,
      readingFeed: this.readingFeed,
      cameras: () => this.cameras,
      cameraActivity: this.cameraActivity,
      detector: () => this.detector,
      models: this.models,
      swapModel: (model) => this.swapModel(model),
      components: () => this.supervisor.health(),
      metrics: this.metrics,
      resources: () => this.resources.sample(),
      ports: () => this.ports,
    };
  }

  /** The remote-control handler, made on the first config push or command. */
  private remoteControl(): RemoteControl {
    if (this.remote === undefined) this.remote = createRemoteControl(this.remoteView(), this.log);
    return this.remote;
  }

  private remoteView(): RemoteAgent {
    const agent = this;
    return {
      get config() {
        return agent.config;
      },
      get configRevision() {
        return agent.revision;
      },
      get configApplier() {
        return agent.configApplier;
      },
      get cameras() {
        return agent.cameras;
      },
      supervisor: this.supervisor,
      outbox: this.outbox,
      metrics: this.metrics,
      startedAtMs: this.startedAtMs,
    };
  }

  /**
   * Runs a newly applied config (edge/config-apply.ts): only the named parts are rebuilt and
   * restarted; the outbox, the admin socket and the other parts keep running.
   */
  async reconfigure(next: EdgeConfig, revision: string, parts: ReadonlySet<ReloadPart>): Promise<void> {
    this.currentConfig = next;
    this.revision = revision;
    if (parts.has('sensors')) {
      await this.supervisor.remove(this.broker.name);
      await this.sensors.stop();
      this.buildSensorPath(next);
      await this.supervisor.replace(this.broker);
    }
    if (parts.has('uplink')) {
      this.uplink = this.buildUplink(next);
      await this.supervisor.replace(this.uplink);
    }
    if (parts.has('cameras')) {
      for (const name of this.supervisor.names()) if (name === 'detector' || name.startsWith('camera:')) await this.supervisor.remove(name);
      for (const component of this.buildCameras(next)) await this.supervisor.addAndStart(component);
    }
  }

  /**
   * Loads a verified model into the running detector without touching the cameras (they run
   * motion-only meanwhile); the detector falls back to the previous model if it fails to load.
   * Without a detecting camera there is nothing to load now: the model is used at next start.
   */
  private async swapModel(model: ModelLocation): Promise<{ loaded: boolean; backend?: string }> {
    if (!this.detector) return { loaded: false };
    await this.detector.swapModel({ manifestPath: model.manifestPath, modelRoot: model.modelRoot });
    return { loaded: true, backend: this.detector.backend };
  }

  /** A damaged outbox found at start-up becomes a notice to the IOC, not just a log line. */
  private async reportRecovery(): Promise<void> {
    const r = this.outbox.recovery;
    if (r.corruptRecords + r.missingRecords + r.walTailBytes + r.walCorruptRecords === 0 && !r.repaired && !r.quarantinedTo) return;
    this.log.error({ recovery: r }, 'outbox recovered from damage');
    await this.outbox.append({
      kind: 'notice',
      body: {
        notice: {
          code: 'OUTBOX_RECOVERED',
          severity: 'SEVERITY_MEDIUM',
          message: `outbox recovered after damage: ${r.corruptRecords} corrupt, ${r.missingRecords} missing, ${r.walTailBytes} log bytes discarded${r.quarantinedTo ? ', database quarantined' : ''}`,
          detail_json: JSON.stringify(r),
        },
      },
    });
  }

  private async startMetricsServer(config: EdgeConfig): Promise<void> {
    const { metrics_host: host, metrics_port: port } = config.admin;
    const routes = this.options.localRoutes?.({ metricsHost: host, sink: this.outbox, logger: this.log }) ?? {};
    this.metricsServer = await MetricsServer.start({ host, port, registry: this.metrics.registry, routes, logger: this.log });
  }

  /**
   * Graceful stop: no new readings, partial windows flushed to the outbox, a bounded attempt to
   * deliver the backlog, then every component and the outbox closed.
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopOnce();
    return this.stopping;
  }

  private async stopOnce(): Promise<void> {
    this.resources.stop();
    clearInterval(this.ttlTimer);
    // Stop accepting first (edgectl, sensors), then let the cameras close their events and the
    // sensor windows flush, so everything produced is in the outbox before the drain.
    await this.admin?.stop().catch(() => undefined);
    await this.broker.stop().catch(() => undefined);
    for (const camera of this.cameras) await camera.stop().catch(() => undefined);
    await this.sensors.stop();
    const drainMs = this.options.drainOnStopMs ?? 0;
    if (drainMs > 0 && this.uplink.status().state === 'connected') {
      const drained = await this.uplink.drain(drainMs);
      this.log.info({ drained, backlog: this.outbox.stats().records }, 'shutdown drain finished');
    }
    await this.supervisor.stopAll();
    await this.metricsServer?.close();
    await this.outbox.close();
    this.clock.close();
  }
}
