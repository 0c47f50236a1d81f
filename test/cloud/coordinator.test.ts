// A coordinator started on a backend the caller built: it serves from that backend's store
// (not one of its own from the config) and closes it on close().
import t from 'tap';
import { join } from 'node:path';
import { parseCoordinatorConfig } from '../../cloud/config.js';
import { startCoordinator } from '../../cloud/coordinator.js';
import { LevelStore } from '../../cloud/store/level/level-store.js';
import { levelBackendOf } from '../../cloud/store/level/backend.js';
import { makeRootLogger } from '../../common/log.js';
import { inProcessYaml } from '../support/in-process.js';
import { tempDir } from '../support/tmp.js';

t.test('the backend option replaces the one store.kind names', async (t) => {
  const dir = tempDir(t);
  const { config } = parseCoordinatorConfig(inProcessYaml(dir), 'coordinator.yaml', {});
  const logger = makeRootLogger('coordinator');
  logger.level = process.env.LOG_LEVEL ?? 'error';
  const storeDir = join(dir, 'prepared-store');
  const backend = levelBackendOf(new LevelStore(storeDir));

  const handle = await startCoordinator(config, { logger, backend });
  t.equal(handle.store, backend.store, 'the coordinator uses the given store');
  const health = (await (await fetch(`http://127.0.0.1:${handle.httpPort}/healthz`)).json()) as { store: string };
  t.equal(health.store, 'level');
  t.ok(await backend.store.getDevice('edge-a'), 'the configured devices are bootstrapped into it');
  await handle.close();

  const reopened = new LevelStore(storeDir);
  await reopened.open();
  t.ok(await reopened.getDevice('edge-a'), 'closed with the coordinator, so the directory opens again');
  await reopened.close();
});
