// Commands to devices: checked, stored with an expiry, sent at once when the device is connected
// (to this replica, or another one through the bus) or when it connects; the receipt closes
// them. A command whose expiry passes before it could be sent is marked expired, never sent:
// a `restart_camera` an hour late would be worse than none.
import { z } from 'zod';
import { newId } from '../../common/ids.js';
import { IocError, NotFoundError, ValidationError } from '../../common/errors.js';
import { LANES } from '../../common/lanes.js';
import { formatZodIssues } from '../../common/config/load.js';
import { RateLimitedLog, type Logger } from '../../common/log.js';
import type { CoordinatorStore } from '../store/contract/store.js';
import { cameraRowId } from '../store/contract/types.js';
import type { EventBus } from '../live/bus.js';
import type { CoordinatorMessage } from '../../proto/generated/ioc/edgelink/v1/CoordinatorMessage.js';
import type { CommandReceipt__Output } from '../../proto/generated/ioc/edgelink/v1/CommandReceipt.js';
import type { DeviceAdminStore } from '../store/contract/device-admin-store.js';
import type { DeviceBusMessage } from './provisioning.js';
import type { CommandName, CommandStatus, DeviceCommand } from './types.js';

/** Arguments of each command: checked here so a typo fails at the API, not on a box 300 km away. */
export const COMMAND_ARGS: Record<CommandName, z.ZodType<Record<string, unknown>>> = {
  ping: z.object({}).strict(),
  snapshot: z.object({ camera: z.string().min(1).max(64) }).strict(),
  restart_camera: z.object({ camera: z.string().min(1).max(64) }).strict(),
  resend_range: z
    .object({ lane: z.enum(LANES as unknown as [string, ...string[]]), from_seq: z.number().int().min(1), to_seq: z.number().int().min(1) })
    .strict()
    .refine((a) => a.to_seq >= a.from_seq && a.to_seq - a.from_seq < 100_000, {
      message: 'to_seq must be ≥ from_seq and the range under 100 000',
      path: ['to_seq'],
    }),
};

const RECEIPT_STATUSES: readonly CommandStatus[] = ['done', 'failed', 'expired', 'unknown_command'];

export type CommandView = DeviceCommand & { snapshotUrl: string | null };

export interface CommandQueueOptions {
  store: DeviceAdminStore;
  devices: CoordinatorStore;
  bus: EventBus;
  sendTo: (deviceId: string, msg: CoordinatorMessage) => boolean;
  logger: Logger;
  now?: () => number;
}

export class CommandQueue {
  private readonly now: () => number;
  private readonly rateLimited: RateLimitedLog;

  constructor(private readonly o: CommandQueueOptions) {
    this.now = o.now ?? Date.now;
    this.rateLimited = new RateLimitedLog(o.logger);
  }

  async issue(deviceId: string, name: CommandName, args: Record<string, unknown>, ttlS: number, actor: string): Promise<CommandView> {
    const device = await this.o.devices.getDevice(deviceId);
    if (!device) throw new NotFoundError(`device ${deviceId}`);
    if (device.revoked) throw new IocError('CONFLICT', `device ${deviceId} is revoked`);
    const parsed = COMMAND_ARGS[name].safeParse(args);
    if (!parsed.success) {
      const issues = formatZodIssues(parsed.error).map((i) => `args.${i}`);
      throw new ValidationError(`${name}: ${issues.join('; ')}`, issues);
    }
    const now = this.now();
    const command: DeviceCommand = {
      id: newId(now),
      deviceId,
      name,
      args: parsed.data,
      createdAtMs: now,
      createdBy: actor,
      expiresAtMs: now + ttlS * 1000,
      status: 'queued',
      sentAtMs: null,
      receipt: null,
    };
    await this.o.store.putCommand(command);
    this.o.logger.info({ device: deviceId, command: command.id, name, actor }, 'command queued');
    const sent = await this.trySend(command, (msg) => this.o.sendTo(deviceId, msg));
    if (sent.status === 'queued') await this.o.bus.publish<DeviceBusMessage>('devices', { type: 'device.pending', deviceId });
    return view(sent);
  }

  async list(deviceId: string, limit: number): Promise<CommandView[]> {
    if (!(await this.o.devices.getDevice(deviceId))) throw new NotFoundError(`device ${deviceId}`);
    return (await this.o.store.listCommands(deviceId, limit)).map((c) => view(this.expiredView(c)));
  }

  async get(id: string): Promise<CommandView> {
    const c = await this.o.store.getCommand(id);
    if (!c) throw new NotFoundError(`command ${id}`);
    return view(this.expiredView(c));
  }

  /** A queued command past its expiry reads as expired even before anything stored it so. */
  private expiredView(c: DeviceCommand): DeviceCommand {
    return c.status === 'queued' && this.now() > c.expiresAtMs ? { ...c, status: 'expired' } : c;
  }

  /** Sends the device's open commands (those never sent, and sent ones without a receipt). */
  async sendOpen(deviceId: string, send: (msg: CoordinatorMessage) => boolean): Promise<void> {
    for (const c of await this.o.store.openCommands(deviceId)) await this.trySend(c, send);
  }

  private async trySend(command: DeviceCommand, send: (msg: CoordinatorMessage) => boolean): Promise<DeviceCommand> {
    if (this.now() > command.expiresAtMs) {
      return (
        (await this.o.store.updateCommand(command.id, (c) =>
          c.status === 'queued' || c.status === 'sent'
            ? {
                ...c,
                status: 'expired',
                receipt: { status: 'expired', detail: 'expired before it could be delivered; never sent', edgeTimeMs: 0, receivedAtMs: this.now() },
              }
            : undefined,
        )) ?? command
      );
    }
    const ok = send({ command: { id: command.id, name: command.name, args_json: JSON.stringify(command.args), expires_at_ms: command.expiresAtMs } });
    if (!ok) return command;
    return (
      (await this.o.store.updateCommand(command.id, (c) =>
        c.status === 'queued' || c.status === 'sent' ? { ...c, status: 'sent', sentAtMs: this.now() } : undefined,
      )) ?? command
    );
  }

  /** IngestHooks.onCommandReceipt. */
  async onReceipt(deviceId: string, receipt: CommandReceipt__Output): Promise<void> {
    const current = await this.o.store.getCommand(receipt.command_id);
    if (!current || current.deviceId !== deviceId) {
      this.rateLimited.warn(`receipt:${deviceId}`, { device: deviceId, command: receipt.command_id }, 'receipt for an unknown command');
      return;
    }
    const status: CommandStatus = RECEIPT_STATUSES.includes(receipt.status as CommandStatus) ? (receipt.status as CommandStatus) : 'failed';
    await this.o.store.updateCommand(current.id, (c) => ({
      ...c,
      status,
      receipt: { status: receipt.status, detail: receipt.detail.slice(0, 4000), edgeTimeMs: receipt.edge_time_ms, receivedAtMs: this.now() },
    }));
    this.o.logger.info({ device: deviceId, command: current.id, name: current.name, status }, 'command receipt');
  }
}

/** The snapshot's JPEG comes back as a thumbnail record; the receipt names its event id. */
function view(c: DeviceCommand): CommandView {
  let snapshotUrl: string | null = null;
  if (c.name === 'snapshot' && c.status === 'done' && c.receipt) {
    try {
      const detail = JSON.parse(c.receipt.detail) as { eventId?: string };
      if (detail.eventId) snapshotUrl = `/api/v1/events/${cameraRowId(c.deviceId, detail.eventId)}/thumbnail`;
    } catch {
      // a receipt from an older edge: no event id to point at
    }
  }
  return { ...c, snapshotUrl };
}
