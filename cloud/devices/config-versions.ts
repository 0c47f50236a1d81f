// Versioned edge configs: an admin's YAML is validated with the edge's own schema before it is
// accepted, stored as the device's next version, and pushed when the device is connected (or
// as soon as it connects). The edge answers applied or rejected (with the config path); a
// rollback pushes an earlier version's YAML again as a new version, so history stays linear.
import { createHash } from 'node:crypto';
import { parseEdgeConfig } from '../../common/config/edge-config.js';
import { ConfigError, NotFoundError, ValidationError, errorMessage } from '../../common/errors.js';
import { RateLimitedLog, type Logger } from '../../common/log.js';
import type { CoordinatorStore } from '../store/contract/store.js';
import type { EventBus } from '../live/bus.js';
import type { CoordinatorMessage } from '../../proto/generated/ioc/edgelink/v1/CoordinatorMessage.js';
import type { ConfigReport__Output } from '../../proto/generated/ioc/edgelink/v1/ConfigReport.js';
import type { DeviceAdminStore } from '../store/contract/device-admin-store.js';
import type { DeviceBusMessage } from './provisioning.js';
import type { ConfigVersion } from './types.js';

export interface ConfigVersionsOptions {
  store: DeviceAdminStore;
  devices: CoordinatorStore;
  bus: EventBus;
  sendTo: (deviceId: string, msg: CoordinatorMessage) => boolean;
  logger: Logger;
}

export type ConfigVersionView = Omit<ConfigVersion, 'yaml'>;

/**
 * ${ENV} references are resolved on the edge, whose environment the coordinator does not know.
 * For validation each one stands in as a placeholder long enough for token and password rules.
 */
const PLACEHOLDER_ENV: NodeJS.ProcessEnv = new Proxy({}, { get: (_t, name) => (typeof name === 'string' ? `placeholder-for-${name}-0123456789` : undefined) });

/** Same revision as the edge computes for the file it runs (common/config/load.ts). */
export const configRevision = (yaml: string) => createHash('sha256').update(yaml).digest('hex').slice(0, 12);

const withoutYaml = ({ yaml: _yaml, ...rest }: ConfigVersion): ConfigVersionView => rest;

export class ConfigVersions {
  private readonly rateLimited: RateLimitedLog;

  constructor(private readonly o: ConfigVersionsOptions) {
    this.rateLimited = new RateLimitedLog(o.logger);
  }

  async overview(deviceId: string) {
    const device = await this.o.devices.getDevice(deviceId);
    if (!device) throw new NotFoundError(`device ${deviceId}`);
    const versions = await this.o.store.listConfigVersions(deviceId);
    const runningRevision = device.heartbeat?.configVersion || device.configVersion || null;
    return {
      deviceId,
      desiredVersion: versions[0]?.version ?? null,
      runningRevision,
      runningVersion:
        versions.find((v) => v.revision === runningRevision && v.status === 'applied')?.version ??
        versions.find((v) => v.revision === runningRevision)?.version ??
        null,
      versions: versions.map(withoutYaml),
    };
  }

  async version(deviceId: string, version: number): Promise<ConfigVersion> {
    const v = await this.o.store.getConfigVersion(deviceId, version);
    if (!v) throw new NotFoundError(`config version ${version} of device ${deviceId}`);
    return v;
  }

  async submit(deviceId: string, yaml: string, actor: string, comment?: string, rollbackOf: number | null = null): Promise<ConfigVersionView> {
    const device = await this.o.devices.getDevice(deviceId);
    if (!device) throw new NotFoundError(`device ${deviceId}`);
    const issues = await this.validate(deviceId, device.site, yaml);
    if (issues.length > 0) throw new ValidationError(`config for ${deviceId} is invalid: ${issues.join('; ')}`, issues);
    const now = Date.now();
    const added = await this.o.store.addConfigVersion(deviceId, (version) => ({
      deviceId,
      version,
      revision: configRevision(yaml),
      yaml,
      comment: comment ?? null,
      createdAtMs: now,
      createdBy: actor,
      rollbackOf,
      status: 'pending',
      pushedAtMs: null,
      reportedAtMs: null,
      error: null,
    }));
    this.o.logger.info({ device: deviceId, version: added.version, revision: added.revision, actor }, 'config version added');
    return withoutYaml((await this.push(deviceId, true)) ?? added);
  }

  async rollback(deviceId: string, version: number, actor: string, comment?: string): Promise<ConfigVersionView> {
    const earlier = await this.version(deviceId, version);
    return this.submit(deviceId, earlier.yaml, actor, comment ?? `rollback to version ${version}`, version);
  }

  /** Edge schema errors with their paths, plus what may not change remotely. */
  private async validate(deviceId: string, site: string, yaml: string): Promise<string[]> {
    let config: ReturnType<typeof parseEdgeConfig>['config'];
    try {
      config = parseEdgeConfig(yaml, 'config', PLACEHOLDER_ENV).config;
    } catch (err) {
      if (err instanceof ConfigError) return err.issues;
      return [errorMessage(err)];
    }
    const issues: string[] = [];
    if (config.device.id !== deviceId) issues.push(`device.id: must stay "${deviceId}" (a config cannot move to another device)`);
    if (config.device.site !== site) issues.push(`device.site: must stay "${site}" (the device is provisioned for that site)`);
    const previous = (await this.o.store.listConfigVersions(deviceId))[0];
    if (previous) {
      try {
        const before = parseEdgeConfig(previous.yaml, 'previous', PLACEHOLDER_ENV).config;
        if (before.data_dir !== config.data_dir) issues.push(`data_dir: must stay "${before.data_dir}" (the outbox lives there)`);
      } catch {
        // the previous version no longer validates (schema changed): nothing to compare with
      }
    }
    return issues;
  }

  /**
   * Sends the desired version if it has not been answered yet. Returns it after the attempt.
   * When the device is not connected here, `announce` asks the other replicas on the bus.
   */
  async push(deviceId: string, announce: boolean): Promise<ConfigVersion | undefined> {
    const desired = (await this.o.store.listConfigVersions(deviceId))[0];
    if (!desired || (desired.status !== 'pending' && desired.status !== 'pushed')) return desired;
    return this.sendVersion(deviceId, desired, (msg) => this.o.sendTo(deviceId, msg), announce);
  }

  private async sendVersion(deviceId: string, v: ConfigVersion, send: (msg: CoordinatorMessage) => boolean, announce: boolean): Promise<ConfigVersion> {
    if (!send({ config_push: { version: String(v.version), yaml: v.yaml } })) {
      if (announce) await this.o.bus.publish<DeviceBusMessage>('devices', { type: 'device.pending', deviceId });
      return v;
    }
    this.o.logger.info({ device: deviceId, version: v.version }, 'config pushed');
    return (
      (await this.o.store.updateConfigVersion(deviceId, v.version, (c) =>
        c.status === 'pending' || c.status === 'pushed' ? { ...c, status: 'pushed', pushedAtMs: Date.now() } : undefined,
      )) ?? v
    );
  }

  /** IngestHooks.onSessionOpen: a device that connects gets its unanswered version. */
  async onSessionOpen(deviceId: string, send: (msg: CoordinatorMessage) => void): Promise<void> {
    const desired = (await this.o.store.listConfigVersions(deviceId))[0];
    if (!desired || (desired.status !== 'pending' && desired.status !== 'pushed')) return;
    await this.sendVersion(deviceId, desired, (msg) => (send(msg), true), false);
  }

  /** IngestHooks.onConfigReport: the edge applied or rejected a version. */
  async onReport(deviceId: string, report: ConfigReport__Output): Promise<void> {
    const version = Number(report.version);
    if (!Number.isInteger(version) || version < 1) {
      this.rateLimited.warn(`badreport:${deviceId}`, { device: deviceId, version: report.version }, 'config report for an unknown version');
      return;
    }
    const updated = await this.o.store.updateConfigVersion(deviceId, version, (v) => ({
      ...v,
      status: report.applied ? 'applied' : 'rejected',
      reportedAtMs: Date.now(),
      error: report.applied ? null : report.error || 'rejected without a reason',
    }));
    if (!updated) return;
    const log = report.applied ? this.o.logger.info.bind(this.o.logger) : this.o.logger.warn.bind(this.o.logger);
    log(
      { device: deviceId, version, applied: report.applied, error: report.error || undefined },
      report.applied ? 'config applied by the edge' : 'config rejected by the edge',
    );
  }
}
