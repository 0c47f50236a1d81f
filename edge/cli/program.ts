// The edgectl command tree: global options, help with examples and exit statuses, and one
// registered group per file (status, doctor, cameras, sensors, outbox, config, link, logs,
// provision, model).
import { Command } from 'commander';
import { softwareVersion } from '../../common/paths.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { DEFAULT_CONFIG_FILE } from './target.js';
import { registerStatus } from './status.js';
import { registerDoctor } from './doctor.js';
import { registerCameras } from './cameras.js';
import { registerSensors } from './sensors.js';
import { registerOutbox } from './outbox.js';
import { registerConfig } from './config.js';
import { registerLink } from './link.js';
import { registerLogs } from './logs.js';
import { registerProvision } from './provision.js';
import { registerModel } from './model.js';

export function buildProgram(): Command {
  const program = new Command('edgectl')
    .description('Inspect and operate the ioc-edge agent on this box')
    .version(softwareVersion(), '-V, --version')
    .option('-c, --config <file>', `site config (default: $IOC_EDGE_CONFIG or ${DEFAULT_CONFIG_FILE})`)
    .option('--socket <path>', 'admin socket (default: admin.socket of the config, else <data_dir>/edgectl.sock)')
    .option('--json', 'machine-readable output: one JSON document (streams: one JSON object per line)')
    .option('--no-color', 'no colours (also: NO_COLOR=1; colours are only used on a terminal)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  edgectl status                      what the box is doing
  edgectl doctor                      every check, with a fix for each failure
  edgectl sensors tail river-mn-01    live readings of one sensor
  edgectl outbox drain --wait         watch the backlog go up the link
  edgectl config validate new.yaml    check a config before applying it
${EXIT_CODES_HELP}`,
    );
  for (const register of [
    registerStatus,
    registerDoctor,
    registerCameras,
    registerSensors,
    registerOutbox,
    registerConfig,
    registerLink,
    registerLogs,
    registerProvision,
    registerModel,
  ]) {
    register(program);
  }
  return program;
}
