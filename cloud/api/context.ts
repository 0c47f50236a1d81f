// What route handlers get from the coordinator: services, never raw infrastructure.
import type { RoleName } from '../../common/config/coordinator-schema.js';
import type { CoordinatorStore } from '../store/contract/store.js';
import type { Presence } from '../ingest/presence.js';
import type { CoordinatorMetrics } from '../metrics.js';
import type { CoordinatorConfig } from '../config.js';

export interface ApiDeps {
  store: CoordinatorStore;
  presence: Presence;
  metrics: CoordinatorMetrics;
  config: CoordinatorConfig;
  startedAtMs: number;
}

export interface Principal {
  name: string;
  role: RoleName;
}

export type ApiEnv = { Variables: { principal: Principal } };
