// The feature stores next to the coordinator store: on the level store's database (own key
// prefixes) or on the PostgreSQL store's pool (own tables, migrations 100–199).
import { IocError } from '../../common/errors.js';
import type { CoordinatorStore } from '../store/contract/store.js';
import { LevelStore } from '../store/level/level-store.js';
import { PostgresStore } from '../store/postgres/postgres-store.js';
import type { TriageStore } from '../store/contract/triage-store.js';
import { LevelTriageStore } from '../store/level/level-triage-store.js';
import { PgTriageStore } from '../store/postgres/pg-triage-store.js';
import type { WebhookStore } from '../store/contract/webhook-store.js';
import { LevelWebhookStore } from '../store/level/level-webhook-store.js';
import { PgWebhookStore } from '../store/postgres/pg-webhook-store.js';
import type { ReportStore } from '../store/contract/report-store.js';
import { LevelReportStore } from '../store/level/level-report-store.js';
import { PgReportStore } from '../store/postgres/pg-report-store.js';
import type { DeviceAdminStore } from '../store/contract/device-admin-store.js';
import { LevelDeviceAdminStore } from '../store/level/level-device-admin-store.js';
import { PgDeviceAdminStore } from '../store/postgres/pg-device-admin-store.js';
import type { AuditStore } from '../store/contract/audit-store.js';
import { LevelAuditStore } from '../store/level/level-audit-store.js';
import { PgAuditStore } from '../store/postgres/pg-audit-store.js';

export interface FeatureStores {
  triage: TriageStore;
  webhooks: WebhookStore;
  reports: ReportStore;
  devices: DeviceAdminStore;
  audit: AuditStore;
}

export function featureStoresFor(store: CoordinatorStore): FeatureStores {
  if (store instanceof LevelStore) {
    const db = store.database;
    return {
      triage: new LevelTriageStore(db, store.journal), webhooks: new LevelWebhookStore(db), reports: new LevelReportStore(db),
      devices: new LevelDeviceAdminStore(db), audit: new LevelAuditStore(db),
    };
  }
  if (store instanceof PostgresStore) {
    const pool = store.pool;
    return {
      triage: new PgTriageStore(pool, store.journal), webhooks: new PgWebhookStore(pool), reports: new PgReportStore(pool),
      devices: new PgDeviceAdminStore(pool), audit: new PgAuditStore(pool),
    };
  }
  throw new IocError('CONFIG_INVALID', `no feature stores for a ${store.kind} store`);
}

export async function initAll(stores: FeatureStores): Promise<void> {
  for (const s of Object.values(stores)) await s.init();
}

export async function closeAll(stores: FeatureStores): Promise<void> {
  for (const s of Object.values(stores)) await s.close();
}
