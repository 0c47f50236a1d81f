// A config pushed by the coordinator, applied on the edge: validated with the edge schema in
// this box's environment (${ENV} resolved here), checked for what may not change remotely,
// then applied by the same ConfigApplier as `edgectl config apply` — written atomically next
// to the running file (the previous one kept as <file>.prev) and reloaded in-process. Any
// failure is reported as rejected with the config path, and the old config keeps running.
// The coordinator link itself (address, token, TLS) is not changed by a push unless the box's
// local config allows it: a mistaken or malicious push could otherwise cut the box off or
// point it at another server.
//
// A push that changes coordinator or uplink settings restarts the uplink, which ends the stream
// that carried it before the report can go out. That is safe: the coordinator pushes the same
// version again on reconnect, this edge finds it already running and reports it applied.
import { parseEdgeConfig } from '../../common/config/edge-config.js';
import type { EdgeConfig } from '../../common/config/edge-schema.js';
import { ConfigError, errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { ConfigPush__Output } from '../../proto/generated/ioc/edgelink/v1/ConfigPush.js';
import type { ConfigReport } from '../../proto/generated/ioc/edgelink/v1/ConfigReport.js';
import { diffConfig, type ConfigApplier } from '../config-apply.js';

export interface PushTarget {
  readonly config: EdgeConfig;
  readonly configRevision: string;
  /** Undefined when the agent was started without a config file it may replace. */
  readonly configApplier: ConfigApplier | undefined;
}

export class ConfigPushHandler {
  constructor(
    private readonly agent: PushTarget,
    private readonly logger: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async handle(push: ConfigPush__Output): Promise<ConfigReport> {
    const reject = (error: string): ConfigReport => {
      this.logger.warn({ version: push.version, error }, 'pushed config rejected; the running config stays');
      return { version: push.version, applied: false, error };
    };
    const applier = this.agent.configApplier;
    if (!applier) return reject('(root): this agent runs without a config file it may replace (start it with --config)');
    let next: EdgeConfig;
    let revision: string;
    try {
      ({ config: next, revision } = parseEdgeConfig(push.yaml, `pushed config v${push.version}`, this.env));
    } catch (err) {
      return reject(err instanceof ConfigError ? err.issues.join('; ') : errorMessage(err));
    }
    // Already running (a re-push after a reconnect): nothing to restart.
    if (revision === this.agent.configRevision) return { version: push.version, applied: true, error: '' };
    const current = this.agent.config;
    if (next.device.id !== current.device.id) return reject(`device.id: "${next.device.id}" is not this device (${current.device.id})`);
    if (next.device.site !== current.device.site)
      return reject(`device.site: "${next.device.site}" cannot change remotely (this device is at ${current.device.site})`);
    if (next.data_dir !== current.data_dir) return reject(`data_dir: cannot change remotely (the outbox lives in ${current.data_dir})`);
    const link = linkChanges(current, next);
    if (link.length > 0 && !current.coordinator.allow_remote_change) {
      return reject(
        `${link.join(', ')}: the coordinator link cannot change remotely unless this box's local config sets coordinator.allow_remote_change: true`,
      );
    }
    try {
      const result = await applier.apply(push.yaml, 'coordinator');
      this.logger.info({ version: push.version, revision, restarted: result.restarted, restartRequired: result.restartRequired }, 'pushed config applied');
      return {
        version: push.version,
        applied: true,
        error: result.restartRequired.length > 0 ? `applied; takes effect after an agent restart: ${result.restartRequired.join(', ')}` : '',
      };
    } catch (err) {
      return reject(errorMessage(err));
    }
  }
}

/** Settings that decide whether and how the box reaches its coordinator (a wrong push could strand it). */
const LINK_KEYS = ['address', 'token', 'token_file', 'tls', 'allow_remote_change'] as const;

/** Paths of the link settings a pushed config changes (values are not listed: tokens are secret). */
export function linkChanges(current: EdgeConfig, next: EdgeConfig): string[] {
  return LINK_KEYS.flatMap((key) => diffConfig(current.coordinator[key], next.coordinator[key], `coordinator.${key}`).map((c) => c.path));
}
