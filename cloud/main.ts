// ioc-coordinator: the central coordinator of the IOC.
//   ioc-coordinator --config coordinator.yaml
import { parseArgs } from 'node:util';
import { loadCoordinatorConfig } from './config.js';
import { ConfigError, errorMessage } from '../common/errors.js';
import { makeRootLogger, setRootLogger } from '../common/log.js';
import { startCoordinator } from './coordinator.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help || !values.config) {
    process.stdout.write('usage: ioc-coordinator --config <coordinator.yaml>\n');
    process.exit(values.help ? 0 : 2);
  }
  const logger = makeRootLogger('ioc-coordinator');
  setRootLogger(logger);
  let loaded: ReturnType<typeof loadCoordinatorConfig>;
  try {
    loaded = loadCoordinatorConfig(values.config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const coordinator = await startCoordinator(loaded.config, { logger });
  // The demo and tests read the bound ports from this line.
  process.stdout.write(`${JSON.stringify({ ready: true, httpPort: coordinator.httpPort, grpcPort: coordinator.grpcPort })}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    coordinator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err: errorMessage(err) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`ioc-coordinator: ${errorMessage(err)}\n`);
  process.exit(1);
});
