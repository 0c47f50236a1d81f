// The PostgreSQL backend: the coordinator store and the feature stores share one schema (feature
// tables from migrations 100–199). Replicas on it share the bus (LISTEN/NOTIFY) and presence
// (device_sessions) through it too.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { IocError } from '../../../common/errors.js';
import { componentLogger } from '../../../common/log.js';
import type { CoordinatorConfig } from '../../config.js';
import { PgBus } from '../../live/pg-bus.js';
import { SharedPresence } from '../../ingest/pg-presence.js';
import type { StoreBackend } from '../contract/backend.js';
import { assembleBackend } from '../assemble.js';
import { PostgresStore } from './postgres-store.js';
import { PgTriageStore } from './pg-triage-store.js';
import { PgWebhookStore } from './pg-webhook-store.js';
import { PgReportStore } from './pg-report-store.js';
import { PgDeviceAdminStore } from './pg-device-admin-store.js';
import { PgAuditStore } from './pg-audit-store.js';

export type PostgresSettings = Extract<CoordinatorConfig['store'], { kind: 'postgres' }>;

export function postgresBackend(settings: PostgresSettings): StoreBackend {
  const url = settings.url ?? process.env.DATABASE_URL;
  if (!url) throw new IocError('CONFIG_INVALID', 'store.url: set it, or the DATABASE_URL environment variable, for store.kind postgres');
  return postgresBackendOf(new PostgresStore({ url, schema: settings.schema, poolSize: settings.pool_size, logger: componentLogger('pg-store') }));
}

/** The backend around a PostgreSQL store built elsewhere (tests, tools). */
export function postgresBackendOf(store: PostgresStore): StoreBackend {
  const pool = store.pool;
  return assembleBackend({
    store,
    features: {
      triage: new PgTriageStore(pool, store.journal),
      webhooks: new PgWebhookStore(pool),
      reports: new PgReportStore(pool),
      devices: new PgDeviceAdminStore(pool),
      audit: new PgAuditStore(pool),
    },
    async startSharing({ offlineAfterMs, metrics, logger }) {
      const bus = new PgBus({ pool, connect: () => store.dedicatedClient(), schema: store.schema, logger: componentLogger('pg-bus', logger) });
      await bus.start();
      const replicaId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
      const presence = new SharedPresence({ offlineAfterMs, pool, replicaId, metrics, logger: componentLogger('presence', logger) });
      await presence.start();
      return {
        bus,
        presence,
        async close() {
          await presence.close();
          await bus.close();
        },
      };
    },
  });
}
