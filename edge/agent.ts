// The edge agent: wires the stages (broker → sensor pipeline → outbox → uplink, cameras →
// outbox) under one supervisor. Nothing else lives here.
import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { EdgeConfig } from '../common/config/edge-schema.js';
import { AgentClock, ClockOffset } from '../common/time.js';
import { componentLogger, rootLogger, type Logger } from '../common/log.js';
import { softwareVersion } from '../common/paths.js';
import { laneToProto } from '../common/lanes.js';
import { IocError, errorMessage } from '../common/errors.js';
import type { Component } from './component.js';
import type { Heartbeat } from '../proto/generated/ioc/edgelink/v1/Heartbeat.js';
import { createEdgeMetrics, type EdgeMetrics } from './metrics.js';
import { Outbox } from './outbox/outbox.js';
import { handleInjectRequest, testInjectorEnabled, TEST_INJECTOR_ENV, TEST_INJECTOR_PATH } from './outbox/test-injector.js';
import { SensorBroker } from './sensors/broker.js';
import { resolveBrokerHost } from './sensors/broker-address.js';
import { SensorPipeline } from './sensors/sensor-pipeline.js';
import { Uplink } from './uplink/link.js';
import { linkTargetOf } from './uplink/client.js';
import { Supervisor } from './supervisor.js';
import { CpuMeter, diskFreeBytes } from './system-stats.js';
import { createCameraComponents, type Camera, type Detector } from './camera/index.js';
import { AdminSocket } from './admin/server.js';
import { adminHandlers } from './admin/handlers/index.js';
import { CameraActivity } from './admin/camera-activity.js';
import { ReadingFeed } from './admin/reading-feed.js';
import { ModelStore, type ModelLocation } from './admin/model-store.js';
import { ConfigApplier, type ReloadPart } from './config-apply.js';
import { createRemoteControl, type RemoteControl } from './remote/remote-control.js';

export interface AgentOptions {
  configRevision: string;
  logger?: Logger;
  /** Bounded graceful shutdown: how long to try delivering the backlog on stop. */
  drainOnStopMs?: number;
  /** The config file the agent runs; `edgectl config apply` replaces it (none: no apply). */
  configFile?: string;
}

export interface AgentPorts {
  broker: number;
  metrics: number | undefined;
  /** The edgectl socket. */
  admin: string | undefined;
}

export class EdgeAgent {
  readonly metrics: EdgeMetrics;
  readonly clock: AgentClock;
  readonly clockOffset = new ClockOffset();
  readonly supervisor: Supervisor;
  readonly startedAtMs = Date.now();
  /** Live sensor readings for `edgectl sensors tail`. */
  readonly readingFeed = new ReadingFeed();
  readonly models: ModelStore;
  configRevision: string;
  configApplier: ConfigApplier | undefined;
  cameraActivity!: CameraActivity;
  cameras: Camera[] = [];
  detector: Detector | undefined;
  private currentConfig: EdgeConfig;
  private admin: AdminSocket | undefined;
  private readonly log: Logger;
  private readonly cpu = new CpuMeter();
  private diskFree = 0;
  private timers: NodeJS.Timeout[] = [];
  private metricsServer: Server | undefined;
  private stopping: Promise<void> | undefined;
  private remote: RemoteControl | undefined;
  outbox!: Outbox;
  broker!: SensorBroker;
  sensors!: SensorPipeline;
  uplink!: Uplink;

  private constructor(
    config: EdgeConfig,
    private readonly options: AgentOptions,
  ) {
    this.currentConfig = config;
    this.configRevision = options.configRevision;
    this.models = new ModelStore(config.data_dir);
    this.log = options.logger ?? rootLogger();
    this.metrics = createEdgeMetrics({ defaultMetrics: true });
    mkdirSync(config.data_dir, { recursive: true });
    this.clock = new AgentClock(join(config.data_dir, 'clock.json'));
    this.supervisor = new Supervisor(this.metrics, componentLogger('supervisor', this.log));
  }

  /** The running config; replaced by `reconfigure` when a new one is applied. */
  /** The remote-control handler, made on the first config push or command. */
  private remoteControl(): RemoteControl {
    if (this.remote === undefined) this.remote = createRemoteControl(this, this.log);
    return this.remote;
  }

  get config(): EdgeConfig {
    return this.currentConfig;
  }

  static async start(config: EdgeConfig, options: AgentOptions): Promise<EdgeAgent> {
    const agent = new EdgeAgent(config, options);
    await agent.startStages();
    return agent;
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
    this.admin = new AdminSocket({
      path: config.admin.socket ?? join(config.data_dir, 'edgectl.sock'),
      handlers: adminHandlers(this),
      logger: componentLogger('admin', this.log),
    });
    this.supervisor.add(this.admin);
    await this.supervisor.startAll();

    await this.refreshDiskFree();
    this.timers.push(setInterval(() => void this.refreshDiskFree(), 30_000));
    this.timers.push(setInterval(() => void this.outbox.sweepExpired().catch((err: unknown) => this.log.error({ err: errorMessage(err) }, 'TTL sweep failed')), config.outbox.ttl_sweep_s * 1000));
    await this.startMetricsServer();
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
      host: resolveBrokerHost(config.broker), port: config.broker.port, websocketPort: config.broker.websocket_port,
      maxPayloadBytes: config.broker.max_payload_bytes, sensors: config.sensors, metrics: this.metrics,
      maxUnauthenticated: config.broker.max_unauthenticated, connectTimeoutMs: config.broker.connect_timeout_s * 1000,
      logger: componentLogger('broker', this.log), onReading: (r) => this.sensors.handle(r),
      onFailure: (err) => this.supervisor.failed('broker', err),
    });
  }

  private buildUplink(config: EdgeConfig): Uplink {
    return new Uplink({
      target: linkTargetOf(config.coordinator),
      identity: {
        deviceId: config.device.id, siteId: config.device.site, token: readDeviceToken(config),
        softwareVersion: softwareVersion(), configVersion: () => this.configRevision,
      },
      outbox: this.outbox,
      clockOffset: this.clockOffset,
      settings: config.uplink,
      metrics: this.metrics,
      heartbeat: () => this.heartbeat(),
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

  /**
   * Runs a newly applied config (edge/config-apply.ts): only the named parts are rebuilt and
   * restarted; the outbox, the admin socket and the other parts keep running.
   */
  async reconfigure(next: EdgeConfig, revision: string, parts: ReadonlySet<ReloadPart>): Promise<void> {
    this.currentConfig = next;
    this.configRevision = revision;
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
  async swapModel(model: ModelLocation): Promise<{ loaded: boolean; backend?: string }> {
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
          code: 'OUTBOX_RECOVERED', severity: 'SEVERITY_MEDIUM',
          message: `outbox recovered after damage: ${r.corruptRecords} corrupt, ${r.missingRecords} missing, ${r.walTailBytes} log bytes discarded${r.quarantinedTo ? ', database quarantined' : ''}`,
          detail_json: JSON.stringify(r),
        },
      },
    });
  }

  private async startMetricsServer(): Promise<void> {
    const admin = this.config.admin;
    if (!admin.metrics_enabled) return;
    const injector = testInjectorEnabled(admin.metrics_host);
    if (process.env[TEST_INJECTOR_ENV] === '1' && !injector) this.log.error({ host: admin.metrics_host }, 'test injector refused: the metrics port is not on loopback');
    const server = createServer((req, res) => {
      if (injector && req.url === TEST_INJECTOR_PATH) return handleInjectRequest(req, res, this.outbox);
      if (req.url !== '/metrics') {
        res.writeHead(404).end('not found\n');
        return;
      }
      this.metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(errorMessage(err)),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(admin.metrics_port, admin.metrics_host, () => resolve());
    }).catch((err: unknown) => {
      // Metrics are not worth failing the agent for (e.g. port taken): log and go on.
      this.log.error({ err: errorMessage(err), port: admin.metrics_port }, 'metrics endpoint not available');
    });
    if (server.listening) this.metricsServer = server;
  }

  private async refreshDiskFree(): Promise<void> {
    this.diskFree = await diskFreeBytes(this.config.data_dir);
  }

  get ports(): AgentPorts {
    return { broker: this.broker.port, metrics: (this.metricsServer?.address() as AddressInfo | null)?.port, admin: this.admin?.path };
  }

  heartbeat(): Heartbeat {
    const stats = this.outbox.stats();
    const mem = process.memoryUsage();
    return {
      edge_time_ms: Date.now(),
      uptime_s: Math.round((Date.now() - this.startedAtMs) / 1000),
      lanes: stats.lanes.map((l) => ({
        lane: laneToProto(l.lane), records: l.records, bytes: l.bytes, oldest_age_ms: l.oldestAgeMs,
        dropped_budget: l.dropped.budget, dropped_ttl: l.dropped.ttl, dead_lettered: l.dropped.dead_letter,
        complete_before_ms: l.completeBeforeMs, dropped_corrupt: l.dropped.corrupt, dropped_lost: l.dropped.lost,
      })),
      outbox_records: stats.records,
      outbox_bytes: stats.bytes,
      oldest_unsent_age_ms: stats.oldestAgeMs,
      components: [...this.supervisor.health(), this.outbox.health()].map((h) => ({ name: h.name, state: h.state, detail: h.detail, restarts: h.restarts, last_seen_ms: h.lastSeenMs })),
      cpu_percent: this.cpu.sample(),
      rss_bytes: mem.rss,
      disk_free_bytes: this.diskFree,
      clock_offset_ms: this.clockOffset.offsetMs,
      config_version: this.configRevision,
      software_version: softwareVersion(),
      disk_budget_bytes: stats.budgetBytes,
    };
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
    for (const t of this.timers) clearInterval(t);
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
    await new Promise<void>((resolve) => (this.metricsServer ? this.metricsServer.close(() => resolve()) : resolve()));
    await this.outbox.close();
    this.clock.close();
  }
}

export function readDeviceToken(config: EdgeConfig): string {
  if (config.coordinator.token) return config.coordinator.token;
  const file = config.coordinator.token_file!;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new IocError('CONFIG_INVALID', `coordinator.token_file: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}); run edgectl provision`);
  }
}
