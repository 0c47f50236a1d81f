// The device view the IOC sees: registry row + live presence + what the device reported +
// what the coordinator holds per lane (contiguous, drops) and "complete up to" per lane.
import { LANES, type LaneName } from '../../common/lanes.js';
import type { CoordinatorStore } from '../store/contract/store.js';
import type { DeviceRow, LaneState } from '../store/contract/types.js';
import type { Presence } from '../ingest/presence.js';

export interface LaneView {
  lane: LaneName;
  backlogRecords: number;
  backlogBytes: number;
  oldestAgeMs: number;
  receivedRecords: number;
  contiguousSeq: number;
  dropped: Record<string, number>;
  /**
   * Everything this lane produced before this (coordinator) time has arrived or is counted
   * dropped. From the device's last heartbeat, which it sends on the same ordered stream after
   * the records and drop reports it covers, so it never runs ahead of what is stored here.
   * null: no heartbeat yet, or a drop range of unknown time still unsettled.
   */
  completeUpToMs: number | null;
  /** The same on the device's own clock (edge wall time, uncorrected). */
  completeUpToEdgeMs: number | null;
  /**
   * Drops as the device counts them (cumulative, last heartbeat). `dropped` above is what the
   * coordinator counts from the reported ranges minus records that arrived anyway; once the
   * reports are settled the two agree.
   */
  deviceDropped: Record<string, number> | null;
}

export interface DeviceView {
  id: string;
  site: string;
  name: string | null;
  revoked: boolean;
  online: boolean;
  connectedSinceMs: number | null;
  lastSeenMs: number | null;
  lastHeartbeatMs: number | null;
  softwareVersion: string | null;
  configVersion: string | null;
  clockOffsetMs: number | null;
  backlog: { records: number; bytes: number; oldestAgeMs: number };
  dropped: Record<string, number>;
  completeUpToMs: number | null;
  completeUpToEdgeMs: number | null;
  lanes: LaneView[];
  health: {
    cpuPercent: number;
    rssBytes: number;
    diskFreeBytes: number;
    diskBudgetBytes: number;
    uptimeS: number;
    components: { name: string; state: string; detail: string; restarts: number; lastSeenMs: number }[];
  } | null;
}

export async function deviceView(store: CoordinatorStore, presence: Presence, device: DeviceRow): Promise<DeviceView> {
  const live = presence.view(device.id);
  const states = await store.laneStates(device.id);
  const hb = device.heartbeat;
  const lanes = LANES.map((lane) =>
    laneView(
      lane,
      states.find((s) => s.lane === lane),
      hb?.lanes.find((l) => l.lane === lane),
    ),
  );
  const dropped: Record<string, number> = {};
  for (const l of lanes) for (const [reason, n] of Object.entries(l.dropped)) dropped[reason] = (dropped[reason] ?? 0) + n;
  const complete = lanes.map((l) => l.completeUpToMs).filter((v): v is number => v !== null);
  const completeEdge = lanes.map((l) => l.completeUpToEdgeMs).filter((v): v is number => v !== null);
  return {
    id: device.id,
    site: device.site,
    name: device.name ?? null,
    revoked: device.revoked,
    online: live.online,
    connectedSinceMs: live.connectedAtMs ?? null,
    lastSeenMs: device.lastSeenMs ?? null,
    lastHeartbeatMs: hb?.receivedMs ?? null,
    softwareVersion: device.softwareVersion ?? null,
    configVersion: device.configVersion ?? null,
    clockOffsetMs: device.clockOffsetMs ?? null,
    backlog: { records: hb?.outboxRecords ?? 0, bytes: hb?.outboxBytes ?? 0, oldestAgeMs: hb?.oldestUnsentAgeMs ?? 0 },
    dropped,
    completeUpToMs: complete.length === LANES.length ? Math.min(...complete) : null,
    completeUpToEdgeMs: completeEdge.length === LANES.length ? Math.min(...completeEdge) : null,
    lanes,
    health: hb
      ? {
          cpuPercent: hb.cpuPercent,
          rssBytes: hb.rssBytes,
          diskFreeBytes: hb.diskFreeBytes,
          diskBudgetBytes: hb.diskBudgetBytes,
          uptimeS: hb.uptimeS,
          components: hb.components,
        }
      : null,
  };
}

function laneView(lane: LaneName, state: LaneState | undefined, hb: NonNullable<DeviceRow['heartbeat']>['lanes'][number] | undefined): LaneView {
  return {
    lane,
    backlogRecords: hb?.records ?? 0,
    backlogBytes: hb?.bytes ?? 0,
    oldestAgeMs: hb?.oldestAgeMs ?? 0,
    receivedRecords: state?.storedRecords ?? 0,
    contiguousSeq: state?.contiguousSeq ?? 0,
    dropped: state?.dropped ?? {},
    completeUpToMs: hb && hb.completeBeforeMs > 0 ? hb.completeBeforeMs : null,
    completeUpToEdgeMs: hb?.completeBeforeEdgeMs ? hb.completeBeforeEdgeMs : null,
    deviceDropped: hb
      ? { budget: hb.droppedBudget, ttl: hb.droppedTtl, dead_letter: hb.deadLettered, corrupt: hb.droppedCorrupt ?? 0, lost: hb.droppedLost ?? 0 }
      : null,
  };
}
