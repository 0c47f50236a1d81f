// The edge-agent process around one EdgeAgent: arguments, config load, logging, the ready line,
// signals and exit statuses. edge/main.ts runs it as is; a test entry point may pass extensions.
// Exit status: 0 clean stop, 1 runtime failure, 2 invalid config.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { loadEdgeConfig } from '../common/config/edge-config.js';
import { ConfigError, IocError, errorMessage } from '../common/errors.js';
import { setRootLogger } from '../common/log.js';
import { EdgeAgent, type AgentOptions } from './agent.js';
import { openAgentLog } from './logging.js';
import { weakSensorSecrets } from './sensors/weak-secrets.js';

const STOP_TIMEOUT_MS = 20_000;

/** What a caller may add to the agent it runs (edge/main.ts adds nothing). */
export type AgentExtensions = Pick<AgentOptions, 'localRoutes' | 'extraAdminHandlers'>;

export function runAgentProcess(extensions: AgentExtensions = {}): void {
  main(extensions).catch((err: unknown) => {
    process.stderr.write(`edge-agent: ${errorMessage(err)}\n`);
    process.exit(1);
  });
}

async function main(extensions: AgentExtensions): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help || !values.config) {
    process.stdout.write('usage: edge-agent --config <site.yaml>\n');
    process.exit(values.help ? 0 : 2);
  }
  let loaded: ReturnType<typeof loadEdgeConfig>;
  try {
    loaded = loadEdgeConfig(values.config);
    // Guessable sensor passwords would let anyone on the sensor network forge readings.
    const weak = weakSensorSecrets(loaded.config.sensors);
    if (weak.length > 0) throw new ConfigError(values.config, weak);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const { config, revision, migrated } = loaded;
  process.env.LOG_LEVEL ??= config.log.level;
  const log = openAgentLog(config);
  const logger = log.logger.child({ device: config.device.id });
  setRootLogger(logger);
  if (migrated.length > 0) logger.warn({ migrated }, 'config migrated from an older schema version');

  let agent: EdgeAgent;
  try {
    agent = await EdgeAgent.start(config, { ...extensions, configRevision: revision, logger, drainOnStopMs: 5_000, configFile: resolve(values.config) });
  } catch (err) {
    if (err instanceof IocError && err.code === 'CONFIG_INVALID') {
      process.stderr.write(`${values.config}: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  // Tests and the demo read the bound ports from this line.
  process.stdout.write(`${JSON.stringify({ ready: true, device: config.device.id, ports: agent.ports })}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const force = setTimeout(() => {
      logger.error('graceful stop took too long; exiting');
      process.exit(1);
    }, STOP_TIMEOUT_MS);
    force.unref();
    agent.stop().then(
      () => {
        logger.info({ signal }, 'stopped');
        log.close();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err: errorMessage(err) }, 'stop failed');
        log.close();
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Bad input must never take the agent down; a bug that escapes is logged, not fatal.
  process.on('uncaughtException', (err) => logger.fatal({ err: err.message, stack: err.stack }, 'uncaught exception'));
  process.on('unhandledRejection', (err) => logger.error({ err: errorMessage(err) }, 'unhandled rejection'));
}
