// Remote management of devices: versioned configs pushed to them and commands sent to them.

export type ConfigVersionStatus = 'pending' | 'pushed' | 'applied' | 'rejected' | 'superseded';

export interface ConfigVersion {
  deviceId: string;
  /** 1, 2, 3… per device. The latest is the one the device should run. */
  version: number;
  /** Content hash, as the edge reports the config it runs (heartbeat config_version). */
  revision: string;
  yaml: string;
  comment: string | null;
  createdAtMs: number;
  createdBy: string;
  /** Set for a rollback: the version whose YAML this one repeats. */
  rollbackOf: number | null;
  status: ConfigVersionStatus;
  pushedAtMs: number | null;
  reportedAtMs: number | null;
  /** The edge's reason for a rejection, with the config path. */
  error: string | null;
}

export const COMMAND_NAMES = ['ping', 'snapshot', 'restart_camera', 'resend_range'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export type CommandStatus = 'queued' | 'sent' | 'done' | 'failed' | 'expired' | 'unknown_command';

export interface DeviceCommand {
  /** ULID; the edge answers with it. */
  id: string;
  deviceId: string;
  name: CommandName;
  args: Record<string, unknown>;
  createdAtMs: number;
  createdBy: string;
  /** Coordinator clock; the edge converts it with its clock offset. */
  expiresAtMs: number;
  status: CommandStatus;
  sentAtMs: number | null;
  receipt: { status: string; detail: string; edgeTimeMs: number; receivedAtMs: number } | null;
}
