// The feature stores next to the coordinator store: on the level store's database (own key
// prefixes) or on the PostgreSQL store's pool (own tables, migrations 100–199).
import { IocError } from '../../common/errors.js';
import type { CoordinatorStore } from '../store/store.js';
import { LevelStore } from '../store/level/level-store.js';
import { PostgresStore } from '../store/postgres/postgres-store.js';
import type { TriageStore } from '../triage/triage-store.js';
import { LevelTriageStore } from '../triage/level-triage-store.js';
import { PgTriageStore } from '../triage/pg-triage-store.js';
import type { WebhookStore } from '../webhooks/webhook-store.js';
import { LevelWebhookStore } from '../webhooks/level-webhook-store.js';
import { PgWebhookStore } from '../webhooks/pg-webhook-store.js';

export interface FeatureStores {
  triage: TriageStore;
  webhooks: WebhookStore;
}

export function featureStoresFor(store: CoordinatorStore): FeatureStores {
  if (store instanceof LevelStore) {
    const db = store.database;
    return { triage: new LevelTriageStore(db), webhooks: new LevelWebhookStore(db) };
  }
  if (store instanceof PostgresStore) {
    const pool = store.pool;
    return { triage: new PgTriageStore(pool), webhooks: new PgWebhookStore(pool) };
  }
  throw new IocError('CONFIG_INVALID', `no feature stores for a ${store.kind} store`);
}

export async function initAll(stores: FeatureStores): Promise<void> {
  for (const s of Object.values(stores)) await s.init();
}

export async function closeAll(stores: FeatureStores): Promise<void> {
  for (const s of Object.values(stores)) await s.close();
}
