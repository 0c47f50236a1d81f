// The heartbeat the uplink sends: backlog and drops per lane, component health, box resources,
// clock offset and versions, read from the running parts at the moment it is sent.
import { laneToProto } from '../common/lanes.js';
import { softwareVersion } from '../common/paths.js';
import type { Heartbeat } from '../proto/generated/ioc/edgelink/v1/Heartbeat.js';
import type { ComponentHealthReport } from './component.js';
import type { OutboxStats } from './outbox/types.js';
import type { BoxSample } from './system-stats.js';

export interface HeartbeatSources {
  outbox: { stats(): OutboxStats; health(): ComponentHealthReport & { restarts: number } };
  /** The supervised components (broker, cameras, detector, uplink, admin socket). */
  components(): (ComponentHealthReport & { restarts: number })[];
  resources(): BoxSample;
  clockOffsetMs(): number;
  configRevision(): string;
  startedAtMs: number;
}

export function buildHeartbeat(sources: HeartbeatSources): Heartbeat {
  const stats = sources.outbox.stats();
  const box = sources.resources();
  return {
    edge_time_ms: Date.now(),
    uptime_s: Math.round((Date.now() - sources.startedAtMs) / 1000),
    lanes: stats.lanes.map((l) => ({
      lane: laneToProto(l.lane),
      records: l.records,
      bytes: l.bytes,
      oldest_age_ms: l.oldestAgeMs,
      dropped_budget: l.dropped.budget,
      dropped_ttl: l.dropped.ttl,
      dead_lettered: l.dropped.dead_letter,
      complete_before_ms: l.completeBeforeMs,
      dropped_corrupt: l.dropped.corrupt,
      dropped_lost: l.dropped.lost,
    })),
    outbox_records: stats.records,
    outbox_bytes: stats.bytes,
    oldest_unsent_age_ms: stats.oldestAgeMs,
    components: [...sources.components(), sources.outbox.health()].map((h) => ({
      name: h.name,
      state: h.state,
      detail: h.detail,
      restarts: h.restarts,
      last_seen_ms: h.lastSeenMs,
    })),
    cpu_percent: box.cpuPercent,
    rss_bytes: box.rssBytes,
    disk_free_bytes: box.diskFreeBytes,
    clock_offset_ms: sources.clockOffsetMs(),
    config_version: sources.configRevision(),
    software_version: softwareVersion(),
    disk_budget_bytes: stats.budgetBytes,
  };
}
