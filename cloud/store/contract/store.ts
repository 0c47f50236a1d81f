// The coordinator's storage contract. Two implementations (embedded level, PostgreSQL) pass the
// same conformance suite (test/cloud/store/contract.ts).
import type { LaneName } from '../../../common/lanes.js';
import type { CoordinatorConfig } from '../../config.js';
import type {
  DeviceRow,
  DropRangeRow,
  EventPage,
  EventQuery,
  EventRow,
  HeartbeatRow,
  IngestItem,
  LaneState,
  SeriesBucket,
  SeriesKey,
  SeriesQuery,
  ThumbnailRow,
} from './types.js';
import type { RecordJournal } from './journal.js';

export interface DeviceStore {
  putDevice(device: DeviceRow): Promise<void>;
  getDevice(id: string): Promise<DeviceRow | undefined>;
  listDevices(): Promise<DeviceRow[]>;
  /** Merge fields reported by the device (versions, last seen, heartbeat). */
  updateDeviceStatus(
    id: string,
    patch: Partial<Pick<DeviceRow, 'softwareVersion' | 'configVersion' | 'lastSeenMs' | 'clockOffsetMs' | 'heartbeat'>>,
  ): Promise<void>;
}

export interface IngestResult {
  acked: { lane: LaneName; seq: number }[];
  /** Items stored by this call (duplicates left out), with camera event rows as merged. */
  stored: IngestItem[];
}

export interface IngestStore {
  /**
   * Stores records durably and idempotently on (device, lane, seq): a record seen before is not
   * stored again. Resolves only after the write is durable; returns each touched lane's
   * contiguous seq, which is what the coordinator acknowledges.
   */
  ingest(deviceId: string, items: readonly IngestItem[]): Promise<IngestResult>;
  /** Records drop ranges reported by the edge (idempotent) and returns the new contiguous seqs. */
  recordDrops(deviceId: string, ranges: readonly DropRangeRow[]): Promise<{ lane: LaneName; seq: number }[]>;
  /** Per lane: contiguous seq, stored count and drops not covered by received records. */
  laneStates(deviceId: string): Promise<LaneState[]>;
}

export interface EventStore {
  queryEvents(query: EventQuery): Promise<EventPage>;
  getEvent(id: string): Promise<EventRow | undefined>;
  getThumbnail(eventId: string): Promise<ThumbnailRow | undefined>;
  querySeries(query: SeriesQuery): Promise<SeriesBucket[]>;
  /** Every stored (device, sensor, metric, window size). */
  listSeries(): Promise<SeriesKey[]>;
}

/** A backend's name: what `store.kind` in the coordinator config selects. */
export type StoreKind = CoordinatorConfig['store']['kind'];

export interface CoordinatorStore extends DeviceStore, IngestStore, EventStore, RecordJournal {
  readonly kind: StoreKind;
  open(): Promise<void>;
  close(): Promise<void>;
}

export type { HeartbeatRow };
