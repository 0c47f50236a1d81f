// `edgectl config validate | diff | apply | rollback`. Validation is offline and shows every
// error with its path; apply and rollback go through the agent, which reloads in-process.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { loadEdgeConfig, parseEdgeConfig } from '../../common/config/edge-config.js';
import { weakSensorSecrets } from '../sensors/weak-secrets.js';
import { DEFAULT_SENSORS_ENV, envWithSensorSecrets } from './sensor-secrets.js';
import { ConfigError } from '../../common/errors.js';
import { diffConfig, type ConfigApplyResult, type ConfigChange } from '../config-apply.js';
import { action } from './command.js';
import { AgentNotRunningError } from '../admin/client.js';
import { EXIT } from './exit-codes.js';
import { configFile, withAgent } from './target.js';
import type { Output } from './output.js';

function show(value: unknown): string {
  if (value === undefined) return '(unset)';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function printChanges(out: Output, changes: ConfigChange[]): void {
  if (changes.length === 0) {
    out.line('no changes');
    return;
  }
  for (const ch of changes) {
    if (ch.before === undefined) out.line(out.c.green(`+ ${ch.path}: ${show(ch.after)}`));
    else if (ch.after === undefined) out.line(out.c.red(`- ${ch.path}: ${show(ch.before)}`));
    else out.line(`${out.c.yellow('~')} ${ch.path}: ${show(ch.before)} → ${show(ch.after)}`);
  }
}

function printApplied(out: Output, result: ConfigApplyResult, verb: string): void {
  out.line(`${verb} config ${out.c.bold(result.revision)} (was ${result.previousRevision})`);
  printChanges(out, result.changes);
  if (result.restarted.length > 0) out.line(`restarted in place: ${result.restarted.join(', ')}`);
  if (result.restartRequired.length > 0) {
    out.line(out.c.yellow(`takes effect after a restart: ${result.restartRequired.join(', ')}`));
    out.line(out.c.dim('  systemctl restart ioc-edge'));
  }
}

export function registerConfig(program: Command): void {
  const config = program.command('config').description('validate, compare, apply and roll back the site config');

  config
    .command('validate')
    .argument('<file>', 'site config YAML')
    .description('check a config file offline; every error is shown with its path')
    .addHelpText(
      'after',
      '\nExit status 2 when the file is invalid.\n\nExamples:\n  edgectl config validate /tmp/new.yaml\n  edgectl config validate new.yaml --json | jq .issues',
    )
    .action(
      action(async ({ out }, file: string) => {
        try {
          const loaded = loadEdgeConfig(file, envWithSensorSecrets(DEFAULT_SENSORS_ENV));
          const weak = weakSensorSecrets(loaded.config.sensors);
          if (weak.length > 0) throw new ConfigError(file, weak);
          const c = loaded.config;
          out.result({ valid: true, file, revision: loaded.revision, migrated: loaded.migrated, issues: [] });
          out.line(
            `${out.c.green('valid')}: ${file} (revision ${loaded.revision}; ${c.sensors.length} sensors, ${c.cameras.length} cameras, device ${c.device.id})`,
          );
          for (const m of loaded.migrated) out.line(out.c.yellow(`migrated on load: ${m}`));
          return EXIT.OK;
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          out.result({ valid: false, file, issues: err.issues });
          out.line(`${out.c.red('invalid')}: ${file}`);
          for (const issue of err.issues) out.line(`  ${issue}`);
          return EXIT.USAGE;
        }
      }),
    );

  config
    .command('diff')
    .argument('<file>', 'candidate config YAML')
    .description('settings that differ from the running config (from the config on disk if the agent is down)')
    .addHelpText('after', "\nExamples:\n  edgectl config diff /tmp/new.yaml\n  edgectl config diff /tmp/new.yaml --json | jq '.changes[].path'")
    .action(
      action(async ({ globals, out }, file: string) => {
        const yaml = readFileSync(file, 'utf8');
        let result: { changes: ConfigChange[]; against: string };
        try {
          const answer = await withAgent(globals, (client) => client.call<{ changes: ConfigChange[]; runningRevision: string }>('config.diff', { yaml, file }));
          result = { changes: answer.changes, against: `running config ${answer.runningRevision}` };
        } catch (err) {
          if (!(err instanceof AgentNotRunningError)) throw err;
          const onDisk = configFile(globals);
          result = { changes: diffConfig(loadEdgeConfig(onDisk).config, parseEdgeConfig(yaml, file).config), against: `${onDisk} (agent not running)` };
        }
        out.result(result);
        out.line(out.c.dim(`compared with ${result.against}`));
        printChanges(out, result.changes);
        return EXIT.OK;
      }),
    );

  config
    .command('apply')
    .argument('<file>', 'new config YAML')
    .description('validate, install next to the running config (keeping the previous one) and reload')
    .addHelpText(
      'after',
      '\nOnly the changed parts restart (sensors/broker, cameras, uplink); device, data_dir,\noutbox, admin and log settings take effect at the next restart. If the new config does\nnot start, the previous one is put back.\n\nExamples:\n  edgectl config apply /tmp/new.yaml\n  edgectl config rollback',
    )
    .action(
      action(async ({ globals, out }, file: string) => {
        const yaml = readFileSync(file, 'utf8');
        parseEdgeConfig(yaml, file);
        const result = await withAgent(globals, (client) => client.call<ConfigApplyResult>('config.apply', { yaml, file }, { timeoutMs: 120_000 }));
        out.result(result);
        printApplied(out, result, 'applied');
        return EXIT.OK;
      }),
    );

  config
    .command('rollback')
    .description('put the previous config back (a second rollback undoes the first)')
    .addHelpText('after', '\nExamples:\n  edgectl config rollback')
    .action(
      action(async ({ globals, out }) => {
        const result = await withAgent(globals, (client) => client.call<ConfigApplyResult>('config.rollback', {}, { timeoutMs: 120_000 }));
        out.result(result);
        printApplied(out, result, 'rolled back to');
        return EXIT.OK;
      }),
    );
}
