// Maps an edge heartbeat to the stored device status, correcting edge times by the offset.
import { laneFromProto } from '../../common/lanes.js';
import type { Heartbeat__Output } from '../../proto/generated/ioc/edgelink/v1/Heartbeat.js';
import type { HeartbeatRow } from '../store/contract/types.js';

export function heartbeatRow(hb: Heartbeat__Output, receivedMs: number): HeartbeatRow {
  return {
    receivedMs,
    edgeTimeMs: hb.edge_time_ms,
    uptimeS: hb.uptime_s,
    outboxRecords: hb.outbox_records,
    outboxBytes: hb.outbox_bytes,
    oldestUnsentAgeMs: hb.oldest_unsent_age_ms,
    cpuPercent: hb.cpu_percent,
    rssBytes: hb.rss_bytes,
    diskFreeBytes: hb.disk_free_bytes,
    diskBudgetBytes: hb.disk_budget_bytes,
    clockOffsetMs: hb.clock_offset_ms,
    configVersion: hb.config_version,
    softwareVersion: hb.software_version,
    lanes: hb.lanes.flatMap((l) => {
      const lane = laneFromProto(l.lane);
      if (!lane) return [];
      return [
        {
          lane,
          records: l.records,
          bytes: l.bytes,
          oldestAgeMs: l.oldest_age_ms,
          droppedBudget: l.dropped_budget,
          droppedTtl: l.dropped_ttl,
          deadLettered: l.dead_lettered,
          droppedCorrupt: l.dropped_corrupt,
          droppedLost: l.dropped_lost,
          // 0 from the edge means unknown (a drop range of unknown time is still unsettled).
          completeBeforeMs: l.complete_before_ms > 0 ? l.complete_before_ms + hb.clock_offset_ms : 0,
          completeBeforeEdgeMs: l.complete_before_ms,
        },
      ];
    }),
    components: hb.components.map((c) => ({ name: c.name, state: c.state, detail: c.detail, restarts: c.restarts, lastSeenMs: c.last_seen_ms })),
  };
}
