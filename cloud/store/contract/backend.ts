// What a store backend plugs into the coordinator: its coordinator store, the five IOC feature
// stores on the same database, and how the live bus and presence are shared through it. A backend
// is one folder under cloud/store/ building this, plus one line in cloud/store/backends.ts.
import type { Logger } from '../../../common/log.js';
import type { EventBus } from '../../live/bus.js';
import type { Presence } from '../../ingest/presence.js';
import type { CoordinatorMetrics } from '../../metrics.js';
import type { AuditStore } from './audit-store.js';
import type { DeviceAdminStore } from './device-admin-store.js';
import type { ReportStore } from './report-store.js';
import type { CoordinatorStore } from './store.js';
import type { TriageStore } from './triage-store.js';
import type { WebhookStore } from './webhook-store.js';

export interface FeatureStores {
  triage: TriageStore;
  webhooks: WebhookStore;
  reports: ReportStore;
  devices: DeviceAdminStore;
  audit: AuditStore;
}

export interface SharingOptions {
  offlineAfterMs: number;
  metrics: CoordinatorMetrics;
  logger: Logger;
}

/** The coordinator's live bus and device presence; close() ends what starting them began. */
export interface Sharing {
  bus: EventBus;
  presence: Presence;
  close(): Promise<void>;
}

export interface StoreBackend {
  readonly store: CoordinatorStore;
  readonly features: FeatureStores;
  /** Opens the coordinator store (migrations, layout upgrades), then the feature stores. */
  open(): Promise<void>;
  /** Closes the feature stores (waiting for their writes), then the coordinator store. */
  close(): Promise<void>;
  /**
   * After open(): in memory when one process owns the store; through the database when several
   * coordinator replicas share it.
   */
  startSharing(options: SharingOptions): Promise<Sharing>;
}
