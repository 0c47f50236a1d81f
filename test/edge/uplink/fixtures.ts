// What the uplink tests share: quick uplink settings and an outbox that keeps a day of records.
import type { EdgeConfig } from '../../../common/config/edge-schema.js';
import { Outbox } from '../../../edge/outbox/outbox.js';

const DAY = 86_400_000;

export const UPLINK_SETTINGS: EdgeConfig['uplink'] = {
  rate_kbps: 0,
  daily_budget_mb: 0,
  batch_max_records: 50,
  batch_max_bytes: 256 * 1024,
  inflight_batches: 4,
  compression: 'gzip',
  heartbeat_s: 1,
  connect_timeout_s: 5,
  ack_timeout_s: 10,
  reconnect_initial_s: 0.2,
  reconnect_max_s: 1,
};

export function openDayOutbox(dir: string, options: { maxRejections?: number } = {}): Promise<Outbox> {
  return Outbox.open({
    dir,
    diskBudgetBytes: 64 * 1024 * 1024,
    minFreeDiskBytes: 0,
    ttlMs: { alarm: DAY, event: DAY, telemetry: DAY, thumbnail: DAY },
    agentNow: () => performance.now(),
    ...options,
  });
}
