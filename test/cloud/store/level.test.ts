// The store contract against the embedded level store.
import t from 'tap';
import { join } from 'node:path';
import { LevelStore } from '../../../cloud/store/level/level-store.js';
import { tempDir } from '../../support/tmp.js';
import { runStoreContract } from './contract.js';

runStoreContract(t, async (t) => {
  const store = new LevelStore(join(tempDir(t), 'store'));
  await store.open();
  t.teardown(() => store.close());
  return store;
});
