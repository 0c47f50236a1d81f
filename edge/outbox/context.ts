// What the outbox's parts share: its options, lanes, drop ledger and database handle. Each part
// (group commit, drain, TTL sweep, dead letters) is handed this instead of the whole outbox.
import type { LaneName, RecordKind } from '../../common/lanes.js';
import type { Logger, RateLimitedLog } from '../../common/log.js';
import type { EdgeMetrics } from '../metrics.js';
import type { OutboxDatabase } from './database.js';
import type { DropLedger } from './drop-ledger.js';
import type { Lanes } from './lanes.js';

export interface OutboxOptions {
  dir: string;
  diskBudgetBytes: number;
  ttlMs: Record<LaneName, number>;
  kindLanes?: Partial<Record<RecordKind, LaneName>>;
  maxRejections?: number;
  /** Agent clock (monotonic, survives restarts): record ages for TTL. */
  agentNow: () => number;
  /** Coordinator-minus-edge clock offset, stamped on each record at production. */
  clockOffset?: () => { offsetMs: number; synced: boolean };
  wallNow?: () => number;
  logger?: Logger;
  metrics?: EdgeMetrics;
  /** Largest group commit; producers awaiting append share one fsync. */
  maxGroupCommit?: number;
  /**
   * How long before appending a producer may stamp a record (a sensor window carries its end
   * time and closes on a 1 s tick): "complete before" of an idle lane stays this far behind now.
   */
  productionLagMs?: number;
  /** Disk space to leave free; below it the budget in force shrinks (0: trust the budget). */
  minFreeDiskBytes?: number;
}

export interface OutboxContext {
  readonly options: OutboxOptions;
  readonly kindLanes: Record<RecordKind, LaneName>;
  readonly lanes: Lanes;
  readonly ledger: DropLedger;
  readonly database: OutboxDatabase;
  readonly log: Logger;
  readonly rateLimited: RateLimitedLog;
  readonly wallNow: () => number;
  /** The disk budget in force (the configured one, or less while the disk is short). */
  budgetBytes(): number;
  /** Lane gauges after a change. */
  publishGauges(): void;
}
