// A StoreBackend from its parts: the open and close order every backend follows, written once.
import type { FeatureStores, Sharing, SharingOptions, StoreBackend } from './contract/backend.js';
import type { CoordinatorStore } from './contract/store.js';

export interface BackendParts {
  store: CoordinatorStore;
  features: FeatureStores;
  startSharing(options: SharingOptions): Promise<Sharing>;
}

export function assembleBackend({ store, features, startSharing }: BackendParts): StoreBackend {
  return {
    store,
    features,
    startSharing,
    async open() {
      await store.open();
      for (const feature of Object.values(features)) await feature.init();
    },
    async close() {
      for (const feature of Object.values(features)) await feature.close();
      await store.close();
    },
  };
}
