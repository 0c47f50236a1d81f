// `edgectl provision --coordinator HOST:PORT --token T`: gives a box its identity — the token
// in a 0600 file and the coordinator address in the site config — after checking with a
// Register call that the coordinator accepts it — and a random secret for every sensor in a
// root-only env file. `--sensors-only` does just the sensors. Works without a running agent.
import type { Command } from 'commander';
import { chownSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { execFileSync } from 'node:child_process';
import YAML from 'yaml';
import { parseEdgeConfig } from '../../common/config/edge-config.js';
import { errorMessage } from '../../common/errors.js';
import { softwareVersion } from '../../common/paths.js';
import { ClockOffset, writeFileAtomic } from '../../common/time.js';
import { createEdgeLinkClient, isAuthFailure, linkTargetOf, register } from '../uplink/client.js';
import { action, UsageError } from './command.js';
import { EXIT } from './exit-codes.js';
import { configFile, socketPath } from './target.js';
import { DEFAULT_SENSORS_ENV, planSensorSecrets, readEnvFile, renderEnvFile, type SensorSecretsPlan } from './sensor-secrets.js';
import type { Output } from './output.js';

const DEFAULT_TOKEN_FILE = '/etc/ioc-edge/device.token';
const SERVICE_USER = 'ioc-edge';

export type VerifyOutcome = { ok: true; offsetMs: number; rttMs: number } | { ok: false; refused: boolean; error: string };

/** One Register call with the candidate identity: accepted, refused, or not reachable. */
export async function verifyIdentity(
  target: { address: string; tls: boolean; caFile?: string },
  identity: { deviceId: string; siteId: string; token: string },
  timeoutMs = 15_000,
): Promise<VerifyOutcome> {
  const client = createEdgeLinkClient(target);
  try {
    const hs = await register(client, { ...identity, softwareVersion: softwareVersion(), configVersion: () => 'provisioning' }, timeoutMs);
    const t3 = Number(hs.response.coordinator_time_ms);
    const offset = new ClockOffset();
    offset.update(hs.sentMs, Number(hs.response.coordinator_receive_time_ms) || t3, t3, hs.receivedMs);
    return { ok: true, offsetMs: offset.offsetMs, rttMs: hs.receivedMs - hs.sentMs };
  } catch (err) {
    return { ok: false, refused: isAuthFailure(err), error: errorMessage(err) };
  } finally {
    client.close();
  }
}

/** Created 0600 from the first byte (never readable by others, even briefly), then renamed into place. */
export function writeSecretFile(file: string, data: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o750 });
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** The service user owns its token (the agent reads it; nobody else may). */
function handToServiceUser(file: string): void {
  if (process.getuid?.() !== 0) return;
  try {
    const uid = Number(execFileSync('id', ['-u', SERVICE_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', SERVICE_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    chownSync(file, uid, gid);
  } catch {
    // no service user on this machine (a development box): root keeps it
  }
}

/** Generates the missing (or, rotating, all) sensor secrets and prints each new one once. */
function provisionSensors(out: Output, configText: string, envFile: string, rotate: boolean): SensorSecretsPlan {
  const plan = planSensorSecrets(configText, readEnvFile(envFile), rotate);
  if (plan.changed) writeSecretFile(envFile, renderEnvFile(plan.env));
  for (const s of plan.secrets) {
    if (s.password) out.line(`sensor ${s.sensor}: username ${s.username}  password ${s.password}  (${s.state}; shown once — set it on the sensor now)`);
    else out.line(out.c.dim(`sensor ${s.sensor}: secret kept (--rotate to replace it)`));
  }
  for (const id of plan.literal)
    out.line(out.c.yellow(`sensor ${id}: password written in the config itself, not managed here (use "\${VAR}" to have provision manage it)`));
  out.line(plan.changed ? `sensor secrets written to ${envFile} (mode 0600)` : `sensor secrets unchanged in ${envFile}`);
  return plan;
}

export function registerProvision(program: Command): void {
  program
    .command('provision')
    .option('--coordinator <host:port>', 'gRPC address of the coordinator')
    .option('--token <token>', "this device's token, from the IOC")
    .option('--token-file <file>', `where to keep the token (default: coordinator.token_file of the config, else ${DEFAULT_TOKEN_FILE})`)
    .option('--no-verify', 'write without checking with the coordinator (no link on site yet)')
    .option('--sensors-only', "only generate the sensors' MQTT secrets (no coordinator, no token)")
    .option('--sensors-env <file>', 'root-only env file with the sensor secrets, loaded by the service', DEFAULT_SENSORS_ENV)
    .option('--rotate', 'replace existing sensor secrets too (each sensor must then be given its new one)')
    .description("write this box's identity (token file 0600, coordinator address), check it with the coordinator, and give each sensor a random secret")
    .addHelpText(
      'after',
      '\nThe device id and site come from the site config. A token the coordinator refuses is not\nwritten. Each sensor password written as ${VAR} in the config gets a random secret in the\nsensors env file (0600); new secrets are printed once, existing ones kept unless --rotate.\nExit status 1 when the coordinator refuses the token or cannot be reached.\n\nExamples:\n  sudo edgectl provision --coordinator ioc-coordinator.dienbien.internal:50051 --token "$TOKEN"\n  sudo edgectl provision --coordinator 10.0.0.5:50051 --token "$TOKEN" --no-verify\n  sudo edgectl provision --sensors-only --rotate',
    )
    .action(
      action(
        async (
          { globals, out },
          options: { coordinator?: string; token?: string; tokenFile?: string; verify: boolean; sensorsOnly?: boolean; sensorsEnv: string; rotate?: boolean },
        ) => {
          const file = configFile(globals);
          const text = readFileSync(file, 'utf8');
          if (options.sensorsOnly) {
            const plan = provisionSensors(out, text, options.sensorsEnv, options.rotate === true);
            out.result({ written: plan.changed, sensorsEnv: options.sensorsEnv, sensors: plan.secrets, literal: plan.literal });
            out.line('restart the agent to use them: systemctl restart ioc-edge');
            return EXIT.OK;
          }
          if (!options.coordinator || !options.token) throw new UsageError('--coordinator and --token are required (or --sensors-only)');
          if (!/^[^\s:]+:\d{1,5}$/.test(options.coordinator))
            throw new UsageError('--coordinator must be host:port, e.g. ioc-coordinator.dienbien.internal:50051');
          const token = options.token.trim();
          if (token.length < 16) throw new UsageError('--token looks too short (at least 16 characters)');
          const doc = YAML.parseDocument(text);
          const tokenFile = options.tokenFile ?? (doc.getIn(['coordinator', 'token_file']) as string | undefined) ?? DEFAULT_TOKEN_FILE;
          doc.setIn(['coordinator', 'address'], options.coordinator);
          doc.setIn(['coordinator', 'token_file'], tokenFile);
          doc.deleteIn(['coordinator', 'token']);
          const nextText = doc.toString();
          // The edited config must still be valid (with the sensors' secrets) before anything is written.
          const sensors = planSensorSecrets(nextText, readEnvFile(options.sensorsEnv), options.rotate === true);
          const next = parseEdgeConfig(nextText, file, { ...process.env, ...sensors.env }).config;

          let verified: VerifyOutcome | undefined;
          if (options.verify) {
            out.note(out.c.dim(`checking the token with ${options.coordinator}…`));
            verified = await verifyIdentity(linkTargetOf(next.coordinator, options.coordinator!), {
              deviceId: next.device.id,
              siteId: next.device.site,
              token,
            });
            if (!verified.ok && verified.refused) {
              out.result({ written: false, verified: false, refused: true, error: verified.error });
              out.error(
                'UNAUTHENTICATED',
                `the coordinator refused this token for device ${next.device.id}: ${verified.error}`,
                'check the token and the device id with the IOC; nothing was written',
              );
              return EXIT.FAILED;
            }
          }
          provisionSensors(out, nextText, options.sensorsEnv, options.rotate === true);
          writeSecretFile(tokenFile, `${token}\n`);
          handToServiceUser(tokenFile);
          writeFileAtomic(`${file}.prev`, text);
          writeFileAtomic(file, nextText);

          const agentRunning = existsSync(socketPath(globals));
          out.result({
            written: true,
            tokenFile,
            configFile: file,
            device: next.device.id,
            coordinator: options.coordinator,
            verified: verified ?? null,
            agentRunning,
          });
          out.line(`token written to ${tokenFile} (mode 0600); coordinator ${options.coordinator} set in ${file}`);
          if (verified?.ok) out.line(`${out.c.green('accepted')} by the coordinator: RTT ${verified.rttMs} ms, clock offset ${verified.offsetMs} ms`);
          else if (verified) out.line(out.c.yellow(`not verified: coordinator not reachable (${verified.error}); the agent will keep trying`));
          out.line(agentRunning ? 'restart the agent to use it: systemctl restart ioc-edge' : 'start the agent: systemctl start ioc-edge');
          return verified && !verified.ok ? EXIT.FAILED : EXIT.OK;
        },
      ),
    );
}
