// The level backend: one LevelDB directory holds the coordinator store and the feature stores
// (each under its own key prefix). One process owns it, so the bus and presence stay in memory.
import type { CoordinatorConfig } from '../../config.js';
import { InMemoryBus } from '../../live/bus.js';
import { Presence } from '../../ingest/presence.js';
import type { StoreBackend } from '../contract/backend.js';
import { assembleBackend } from '../assemble.js';
import { LevelStore } from './level-store.js';
import { LevelTriageStore } from './level-triage-store.js';
import { LevelWebhookStore } from './level-webhook-store.js';
import { LevelReportStore } from './level-report-store.js';
import { LevelDeviceAdminStore } from './level-device-admin-store.js';
import { LevelAuditStore } from './level-audit-store.js';

export type LevelSettings = Extract<CoordinatorConfig['store'], { kind: 'level' }>;

export function levelBackend(settings: LevelSettings): StoreBackend {
  return levelBackendOf(new LevelStore(settings.dir));
}

/** The backend around a level store built elsewhere (tests, tools). */
export function levelBackendOf(store: LevelStore): StoreBackend {
  const db = store.database;
  return assembleBackend({
    store,
    features: {
      triage: new LevelTriageStore(db, store.journal),
      webhooks: new LevelWebhookStore(db),
      reports: new LevelReportStore(db),
      devices: new LevelDeviceAdminStore(db),
      audit: new LevelAuditStore(db),
    },
    async startSharing({ offlineAfterMs, metrics }) {
      const bus = new InMemoryBus();
      return { bus, presence: new Presence(offlineAfterMs, metrics), close: () => bus.close() };
    },
  });
}
