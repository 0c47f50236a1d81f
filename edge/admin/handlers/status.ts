// `edgectl status`: everything a technician checks first, in one answer — identity, versions,
// uplink and backlog, cameras, sensors, components, box resources and clock.
import { loadavg } from 'node:os';
import type { LaneName } from '../../../common/lanes.js';
import type { DropReason } from '../../outbox/types.js';
import { softwareVersion } from '../../../common/paths.js';
import type { AdminHandlers } from '../server.js';
import type { CameraEventSeen } from '../camera-activity.js';
import type { AgentView } from '../agent-view.js';

export interface LaneStatus {
  lane: LaneName;
  records: number;
  bytes: number;
  oldestAgeMs: number;
  dropped: Record<DropReason, number>;
}

export interface CameraStatus {
  id: string;
  name: string;
  state: string;
  detail: string;
  online: boolean;
  decodeFps: number;
  detectFps: number;
  lastFrameMs: number;
  lastEvent: CameraEventSeen | null;
  restarts: number;
  reconnects: number;
}

export interface SensorStatus {
  id: string;
  name: string;
  type: string;
  metrics: { metric: string; unit: string; value: number | null; wallMs: number }[];
  lastSeenMs: number;
  stale: boolean;
}

export interface ComponentStatus {
  name: string;
  state: string;
  detail: string;
  restarts: number;
  lastError: string;
}

export interface AgentStatus {
  nowMs: number;
  device: { id: string; site: string; siteName: string; district: string };
  versions: { software: string; config: string; node: string; configSchema: number };
  uptimeS: number;
  configFile: string | null;
  uplink: {
    state: string;
    address: string;
    connectedSinceMs: number;
    lastAckMs: number;
    rttMs: number;
    throughputBytesPerSecond: number;
    reconnects: number;
    lastError: string;
    rateKbps: number;
    dailyBytesUsed: number;
  };
  backlog: { records: number; bytes: number; oldestAgeMs: number; budgetBytes: number; deadLetters: number; lanes: LaneStatus[] };
  cameras: CameraStatus[];
  detector: { state: string; detail: string; backend: string; restarts: number; model: string } | null;
  sensors: SensorStatus[];
  alarms: { key: string; alarmId: string; raisedAtMs: number }[];
  components: ComponentStatus[];
  system: { cpuPercent: number; rssBytes: number; diskFreeBytes: number; loadAverage: number[] };
  clock: { offsetMs: number; synced: boolean };
  ports: { broker: number; metrics: number | null; admin: string | null };
}

/** What `edgectl status` reads. */
export type StatusView = Pick<
  AgentView,
  | 'config'
  | 'configRevision'
  | 'configApplier'
  | 'startedAtMs'
  | 'outbox'
  | 'uplink'
  | 'sensors'
  | 'cameras'
  | 'cameraActivity'
  | 'detector'
  | 'models'
  | 'components'
  | 'metrics'
  | 'resources'
  | 'ports'
>;

export async function agentStatus(agent: StatusView): Promise<AgentStatus> {
  const config = agent.config();
  const box = agent.resources();
  const stats = agent.outbox.stats();
  const up = agent.uplink().status();
  const health = new Map(agent.components().map((h) => [h.name, h]));
  const reconnects = new Map((await agent.metrics.cameraReconnects.get()).values.map((v) => [String(v.labels.camera), v.value]));
  const sensors = agent.sensors();
  const readings = sensors.lastReadings();
  const nowMs = Date.now();
  const detectorHealth = health.get('detector');
  const ports = agent.ports();
  return {
    nowMs,
    device: { id: config.device.id, site: config.device.site, siteName: config.device.site_name, district: config.device.district ?? '' },
    versions: { software: softwareVersion(), config: agent.configRevision(), node: process.version, configSchema: config.version },
    uptimeS: Math.round((nowMs - agent.startedAtMs) / 1000),
    configFile: agent.configApplier()?.file ?? null,
    uplink: {
      state: up.state,
      address: up.address,
      connectedSinceMs: up.connectedSinceMs,
      lastAckMs: up.lastAckMs,
      rttMs: up.rttMs,
      throughputBytesPerSecond: up.throughputBytesPerSecond,
      reconnects: up.reconnects,
      lastError: up.lastError,
      rateKbps: config.uplink.rate_kbps,
      dailyBytesUsed: up.dailyBytesUsed,
    },
    backlog: {
      records: stats.records,
      bytes: stats.bytes,
      oldestAgeMs: stats.oldestAgeMs,
      budgetBytes: stats.budgetBytes,
      deadLetters: stats.deadLetters,
      lanes: stats.lanes.map((l) => ({ lane: l.lane, records: l.records, bytes: l.bytes, oldestAgeMs: l.oldestAgeMs, dropped: l.dropped })),
    },
    cameras: agent.cameras().map((camera) => {
      const h = health.get(camera.name);
      const info = h?.info ?? {};
      return {
        id: camera.config.id,
        name: camera.config.name ?? camera.config.id,
        state: h?.state ?? 'down',
        detail: h?.detail ?? '',
        online: h?.state === 'ok' || h?.state === 'degraded',
        decodeFps: Number(info.decodeFps ?? 0),
        detectFps: Number(info.detectFps ?? 0),
        lastFrameMs: h?.lastSeenMs ?? 0,
        lastEvent: agent.cameraActivity.lastEvent(camera.config.id) ?? null,
        restarts: h?.restarts ?? 0,
        reconnects: reconnects.get(camera.config.id) ?? 0,
      };
    }),
    detector: detectorHealth
      ? {
          state: detectorHealth.state,
          detail: detectorHealth.detail,
          backend: agent.detector()?.backend ?? '',
          restarts: detectorHealth.restarts,
          model: agent.models.active().id,
        }
      : null,
    sensors: config.sensors.map((sensor) => {
      const mine = readings.filter((r) => r.sensorId === sensor.id);
      const lastSeenMs = Math.max(0, ...mine.map((r) => r.wallMs));
      return {
        id: sensor.id,
        name: sensor.name ?? sensor.id,
        type: sensor.type,
        metrics: sensor.metrics.map((m) => {
          const r = mine.find((x) => x.metric === m.name);
          return { metric: m.name, unit: m.unit, value: r?.value ?? null, wallMs: r?.wallMs ?? 0 };
        }),
        lastSeenMs,
        stale: lastSeenMs === 0 || nowMs - lastSeenMs > sensor.stale_after_s * 1000,
      };
    }),
    alarms: sensors.activeAlarms(),
    components: [...health.values()].map((h) => ({ name: h.name, state: h.state, detail: h.detail, restarts: h.restarts, lastError: h.lastError })),
    system: { cpuPercent: box.cpuPercent, rssBytes: box.rssBytes, diskFreeBytes: box.diskFreeBytes, loadAverage: loadavg() },
    clock: { offsetMs: up.clockOffsetMs, synced: up.clockSynced },
    ports: { broker: ports.broker, metrics: ports.metrics ?? null, admin: ports.admin ?? null },
  };
}

export function statusHandlers(agent: StatusView): AdminHandlers {
  return {
    status: () => agentStatus(agent),
  };
}
