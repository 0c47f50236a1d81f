// Types shared by the outbox, its producers (sensors, cameras) and the uplink.
import type { LaneName, RecordKind } from '../../common/lanes.js';
import type { ProtoRecord } from '../../common/proto.js';

/** The typed body of a record: exactly one member of the Record oneof. */
export type RecordBody = Pick<ProtoRecord, 'telemetry' | 'alarm' | 'camera_event' | 'thumbnail' | 'traffic_count' | 'notice'>;

export interface OutboxInput {
  kind: RecordKind;
  body: RecordBody;
  /** Keep the original production time (dead-letter resend); default: now. */
  edgeTimeMs?: number;
}

export interface AppendResult {
  lane: LaneName;
  seq: number;
  /** Set when the record could not be kept (it was larger than the whole disk budget). */
  dropped?: DropReason;
}

/** Anything that accepts records for delivery: the outbox, or a test double around it. */
export interface RecordSink {
  append(input: OutboxInput): Promise<AppendResult>;
}

export type DropReason = 'budget' | 'ttl' | 'dead_letter' | 'corrupt' | 'lost';

export interface OutboundRecord {
  lane: LaneName;
  seq: number;
  /** The encoded protobuf Record, ready to go into a batch body. */
  record: Uint8Array;
  size: number;
  edgeTimeMs: number;
}

export interface DropRangeOut {
  lane: LaneName;
  firstSeq: number;
  lastSeq: number;
  reason: DropReason;
  firstEdgeTimeMs: number;
  lastEdgeTimeMs: number;
  /** Earliest edge time of any record in the range (edge times need not follow seq); 0 = unknown. */
  minEdgeTimeMs?: number;
}

export interface DropReportOut {
  id: number;
  ranges: DropRangeOut[];
}

export interface LaneStatsOut {
  lane: LaneName;
  records: number;
  bytes: number;
  oldestAgeMs: number;
  nextSeq: number;
  ackedSeq: number;
  dropped: Record<DropReason, number>;
  /** Sequence numbers handed to the uplink and not yet settled by an ack (never evicted or expired). */
  inFlight: number;
  /**
   * Edge wall time T such that every record of this lane stamped before T has been acknowledged
   * by the coordinator or is covered by a drop report it has acknowledged. 0 = unknown (a drop
   * range of unknown time is still waiting for the coordinator).
   */
  completeBeforeMs: number;
}

export interface OutboxStats {
  lanes: LaneStatsOut[];
  records: number;
  bytes: number;
  oldestAgeMs: number;
  budgetBytes: number;
  /** The budget in force: lower than the configured one while the disk itself is short of space. */
  effectiveBudgetBytes: number;
  deadLetters: number;
  pendingDropReports: number;
  /** True while the database refuses writes (disk full, I/O error) and is being reopened. */
  stalled: boolean;
  writeErrors: number;
}

export interface DeadLetter {
  lane: LaneName;
  seq: number;
  kind: string;
  code: string;
  reason: string;
  rejections: number;
  deadLetteredAtMs: number;
  edgeTimeMs: number;
  bytes: number;
}

export interface RecoveryReport {
  repaired: boolean;
  quarantinedTo?: string;
  corruptRecords: number;
  missingRecords: number;
  scannedRecords: number;
  uncleanShutdown: boolean;
  /** Bytes after the last intact record of LevelDB's logs: a torn write or garbage, discarded. */
  walTailBytes: number;
  /** Log records with a bad checksum before the tail (LevelDB drops them). */
  walCorruptRecords: number;
}
