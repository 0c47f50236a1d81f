// Device provisioning: an admin creates a device for a site and gets its token once (only the
// SHA-256 is stored), rotates it, or revokes the device. Rotation and revocation close the
// device's stream at once, on whichever replica holds it (through the bus).
import { IocError, NotFoundError, ValidationError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { hashToken, newToken } from '../../common/secrets.js';
import type { CoordinatorStore } from '../store/contract/store.js';
import type { DeviceRow } from '../store/contract/types.js';
import type { EventBus } from '../live/bus.js';
import type { AlertNotifier } from '../triage/triage-service.js';

export interface ProvisionedDevice {
  id: string;
  site: string;
  name: string | null;
  revoked: boolean;
  createdAtMs: number;
}

/** Published on the bus topic `devices`. */
export interface DeviceBusMessage {
  type: 'device.revoked' | 'device.token_rotated' | 'device.created' | 'device.pending';
  deviceId: string;
  site?: string;
  reason?: string;
}

export interface ProvisioningOptions {
  store: CoordinatorStore;
  bus: EventBus;
  notifier: AlertNotifier;
  /** Configured site ids; empty: any site id is accepted. */
  sites: readonly string[];
  /** Devices whose token the coordinator config sets at every start (token_source: config). */
  configTokens?: ReadonlySet<string>;
  /** Closes the device's stream on this replica (Presence.disconnect). */
  disconnect: (deviceId: string, reason: string, code: string) => boolean;
  logger: Logger;
}

const view = (d: DeviceRow): ProvisionedDevice => ({ id: d.id, site: d.site, name: d.name ?? null, revoked: d.revoked, createdAtMs: d.createdAtMs });

export class Provisioning {
  constructor(private readonly o: ProvisioningOptions) {}

  async create(input: { id: string; site: string; name?: string }, actor: string): Promise<{ device: ProvisionedDevice; token: string }> {
    if (this.o.sites.length > 0 && !this.o.sites.includes(input.site)) {
      throw new ValidationError(`site: "${input.site}" is not a configured site (${this.o.sites.join(', ')})`);
    }
    if (await this.o.store.getDevice(input.id)) throw new IocError('CONFLICT', `device ${input.id} exists already; rotate its token instead`);
    const token = newToken('dev');
    const device: DeviceRow = { id: input.id, site: input.site, name: input.name, tokenSha256: hashToken(token), revoked: false, createdAtMs: Date.now() };
    await this.o.store.putDevice(device);
    this.o.logger.info({ device: device.id, site: device.site, actor }, 'device provisioned');
    await this.o.bus.publish<DeviceBusMessage>('devices', { type: 'device.created', deviceId: device.id, site: device.site });
    return { device: view(device), token };
  }

  /** A new token; the old one stops working now. Also lets a revoked device back in. */
  async rotate(id: string, actor: string): Promise<{ device: ProvisionedDevice; token: string }> {
    const current = await this.device(id);
    // The next start would put the config token back: a rotation here would silently not last.
    if (this.o.configTokens?.has(id))
      throw new IocError('CONFLICT', `device ${id} takes its token from the coordinator config (token_source: config); change it there`);
    const token = newToken('dev');
    const device: DeviceRow = { ...current, tokenSha256: hashToken(token), revoked: false };
    await this.o.store.putDevice(device);
    this.o.logger.warn({ device: id, actor }, 'device token rotated');
    await this.cutOff({ type: 'device.token_rotated', deviceId: id, site: device.site, reason: 'device token rotated' }, 'TOKEN_ROTATED');
    return { device: view(device), token };
  }

  async revoke(id: string, actor: string, reason?: string): Promise<{ device: ProvisionedDevice; disconnected: boolean }> {
    const current = await this.device(id);
    const device: DeviceRow = { ...current, revoked: true };
    await this.o.store.putDevice(device);
    const why = `device revoked by ${actor}${reason ? `: ${reason}` : ''}`;
    this.o.logger.warn({ device: id, actor, reason }, 'device revoked');
    const disconnected = await this.cutOff({ type: 'device.revoked', deviceId: id, site: device.site, reason: why }, 'REVOKED');
    await this.o.notifier.notify('device.revoked', { device: view(device), reason: reason ?? null, by: actor });
    return { device: view(device), disconnected };
  }

  /** Closes the stream here, and asks the other replicas to do the same. */
  private async cutOff(message: DeviceBusMessage, code: string): Promise<boolean> {
    const here = this.o.disconnect(message.deviceId, message.reason ?? code, code);
    await this.o.bus.publish<DeviceBusMessage>('devices', message);
    return here;
  }

  /** Bus handler on every replica: another replica revoked or rotated a device it may hold here. */
  onBusMessage(message: DeviceBusMessage): void {
    if (message.type === 'device.revoked') this.o.disconnect(message.deviceId, message.reason ?? 'device revoked', 'REVOKED');
    if (message.type === 'device.token_rotated') this.o.disconnect(message.deviceId, message.reason ?? 'device token rotated', 'TOKEN_ROTATED');
  }

  private async device(id: string): Promise<DeviceRow> {
    const device = await this.o.store.getDevice(id);
    if (!device) throw new NotFoundError(`device ${id}`);
    return device;
  }
}
