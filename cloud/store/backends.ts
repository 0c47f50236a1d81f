// The store backends, keyed by `store.kind` of the coordinator config. A new backend is one folder
// under cloud/store/ implementing cloud/store/contract/ and one line here.
import type { CoordinatorConfig } from '../config.js';
import type { StoreBackend } from './contract/backend.js';
import type { StoreKind } from './contract/store.js';
import { levelBackend } from './level/backend.js';
import { postgresBackend } from './postgres/backend.js';

type StoreSettings = CoordinatorConfig['store'];

const backends: { [K in StoreKind]: (settings: Extract<StoreSettings, { kind: K }>) => StoreBackend } = {
  level: levelBackend,
  postgres: postgresBackend,
};

/** Builds (does not open) the backend the settings name. */
export function createBackend(settings: StoreSettings): StoreBackend {
  // The mapped type above pairs each kind with its own settings; indexing by a union loses that.
  const create = backends[settings.kind] as (settings: StoreSettings) => StoreBackend;
  return create(settings);
}
