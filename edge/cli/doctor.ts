// `edgectl doctor`: every check a technician would do by hand, with a pass/fail line and a fix
// for each failure. Works when the agent is down: the checks that need it are listed as skipped.
import type { Command } from 'commander';
import { loadEdgeConfig } from '../../common/config/edge-config.js';
import type { EdgeConfig } from '../../common/config/edge-schema.js';
import { DEFAULT_SENSORS_ENV, envWithSensorSecrets } from './sensor-secrets.js';
import { ConfigError, errorMessage } from '../../common/errors.js';
import type { AgentStatus } from '../admin/handlers/status.js';
import { AdminClient, AgentNotRunningError } from '../admin/client.js';
import { action } from './command.js';
import { EXIT } from './exit-codes.js';
import type { Output } from './output.js';
import { configFile, socketPath, type GlobalOptions } from './target.js';
import {
  checkBroker,
  checkCamera,
  checkClock,
  checkCoordinator,
  checkDetector,
  checkDisk,
  checkFfmpeg,
  checkModel,
  type CheckResult,
  type DoctorContext,
} from './doctor-checks.js';

export async function runDoctor(
  ctx: DoctorContext,
  agentProblem: CheckResult,
  configResult: CheckResult,
  onResult: (r: CheckResult) => void,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const add = (r: CheckResult) => {
    results.push(r);
    onResult(r);
  };
  add(configResult);
  add(agentProblem);
  const ffmpeg = await checkFfmpeg(ctx);
  add(ffmpeg);
  for (const camera of ctx.config?.cameras.filter((c) => c.enabled) ?? []) add(await checkCamera(ctx, camera, ffmpeg.status === 'pass'));
  add(checkModel(ctx));
  add(await checkDetector(ctx));
  add(await checkDisk(ctx));
  const coordinator = await checkCoordinator(ctx);
  add(coordinator.result);
  add(checkClock(ctx, coordinator.offsetMs));
  add(await checkBroker(ctx));
  return results;
}

const MARK = { pass: '✔', warn: '!', fail: '✘', skip: '-' } as const;

function printResult(out: Output, r: CheckResult): void {
  const paint = r.status === 'pass' ? out.c.green : r.status === 'fail' ? out.c.red : r.status === 'warn' ? out.c.yellow : out.c.dim;
  out.line(`${paint(MARK[r.status])} ${out.c.bold(r.name.padEnd(22))} ${r.status === 'skip' ? out.c.dim(r.detail) : r.detail}`);
  if (r.hint && r.status !== 'pass') out.line(`  ${' '.repeat(22)} ${out.c.dim('fix:')} ${r.hint}`);
}

/**
 * The config to check: the one named on the command line or in $IOC_EDGE_CONFIG, else the file
 * the running agent was started with (a box reached with --socket may keep it anywhere), else
 * the installed default.
 */
export function doctorConfigFile(globals: GlobalOptions, status: AgentStatus | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (globals.config ?? env.IOC_EDGE_CONFIG) return configFile(globals, env);
  return status?.configFile ?? configFile(globals, env);
}

function loadForDoctor(file: string): { config: EdgeConfig | undefined; result: CheckResult } {
  try {
    const loaded = loadEdgeConfig(file, envWithSensorSecrets(DEFAULT_SENSORS_ENV));
    return { config: loaded.config, result: { name: 'config', status: 'pass', detail: `${file} is valid (revision ${loaded.revision})` } };
  } catch (err) {
    const issues = err instanceof ConfigError ? err.issues.join('; ') : errorMessage(err);
    return {
      config: undefined,
      result: { name: 'config', status: 'fail', detail: `${file}: ${issues}`, hint: `edgectl config validate ${file} shows each error with its path` },
    };
  }
}

async function askAgent(globals: GlobalOptions): Promise<{ agent: AdminClient | undefined; status: AgentStatus | undefined; result: CheckResult }> {
  let agent: AdminClient | undefined;
  try {
    agent = await AdminClient.connect(socketPath(globals));
    const status = await agent.call<AgentStatus>('status', {}, { timeoutMs: 15_000 });
    const down = status.components.filter((c) => c.state === 'down');
    const result: CheckResult =
      down.length > 0
        ? {
            name: 'agent',
            status: 'warn',
            detail: `running; down: ${down.map((c) => `${c.name} (${c.detail})`).join(', ')}`,
            hint: 'edgectl status; edgectl logs --component <name>',
          }
        : { name: 'agent', status: 'pass', detail: `running for ${Math.round(status.uptimeS / 60)} min, config ${status.versions.config}` };
    return { agent, status, result };
  } catch (err) {
    agent?.close();
    const result: CheckResult =
      err instanceof AgentNotRunningError
        ? { name: 'agent', status: 'fail', detail: err.message, hint: 'systemctl start ioc-edge; journalctl -u ioc-edge -n 50 shows why it stopped' }
        : { name: 'agent', status: 'fail', detail: errorMessage(err), hint: 'journalctl -u ioc-edge -n 50' };
    return { agent: undefined, status: undefined, result };
  }
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .option('--ffmpeg <path>', 'ffmpeg to check', 'ffmpeg')
    .option('--standalone-detector', 'when the agent is down, load the model here and time it (takes seconds)')
    .description('check everything the box needs, with a fix for each failure (also with the agent down)')
    .addHelpText(
      'after',
      '\nChecks: config, agent, ffmpeg, each camera decodes, model sha256, detector speed, disk\nbudget, coordinator and token, clock offset, broker port. Exit status 1 if any fails.\n\nExamples:\n  edgectl doctor\n  edgectl doctor --json | jq \'.checks[] | select(.status=="fail")\'',
    )
    .action(
      action(async ({ globals, out }, options: { ffmpeg: string; standaloneDetector?: boolean }) => {
        const { agent, status, result: agentResult } = await askAgent(globals);
        const file = doctorConfigFile(globals, status);
        const { config, result: configResult } = loadForDoctor(file);
        const ctx: DoctorContext = {
          configFile: file,
          config,
          agent,
          status,
          ffmpegPath: options.ffmpeg,
          standaloneDetector: options.standaloneDetector === true,
        };
        let results: CheckResult[];
        try {
          results = await runDoctor(ctx, agentResult, configResult, (r) => printResult(out, r));
        } finally {
          agent?.close();
        }
        const count = (s: CheckResult['status']) => results.filter((r) => r.status === s).length;
        const skipped = results.filter((r) => r.status === 'skip');
        out.result({
          agentRunning: status !== undefined,
          passed: count('pass'),
          warnings: count('warn'),
          failed: count('fail'),
          skipped: skipped.length,
          checks: results,
        });
        out.line();
        out.line(
          `${count('pass')} passed, ${count('warn')} warnings, ${count('fail')} failed, ${skipped.length} skipped${skipped.length ? ` (${skipped.map((r) => r.name).join(', ')})` : ''}`,
        );
        return count('fail') > 0 ? EXIT.FAILED : EXIT.OK;
      }),
    );
}
