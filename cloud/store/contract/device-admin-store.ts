// Storage contract of remote device management: config versions per device and commands.
// Level and PostgreSQL pass the same contract test (test/cloud/devices/device-admin-store.test.ts).
import type { ConfigVersion, DeviceCommand } from '../../devices/types.js';
import type { StoreKind } from './store.js';

export interface DeviceAdminStore {
  readonly kind: StoreKind;
  init(): Promise<void>;
  close(): Promise<void>;
  /**
   * Adds the device's next version (numbered after the newest, atomically) and marks older
   * versions still pending or pushed as superseded.
   */
  addConfigVersion(deviceId: string, make: (version: number) => ConfigVersion): Promise<ConfigVersion>;
  getConfigVersion(deviceId: string, version: number): Promise<ConfigVersion | undefined>;
  /** Newest first. */
  listConfigVersions(deviceId: string): Promise<ConfigVersion[]>;
  /** Read-modify-write of one version; undefined from `mutate` changes nothing. */
  updateConfigVersion(deviceId: string, version: number, mutate: (v: ConfigVersion) => ConfigVersion | undefined): Promise<ConfigVersion | undefined>;

  putCommand(command: DeviceCommand): Promise<void>;
  getCommand(id: string): Promise<DeviceCommand | undefined>;
  updateCommand(id: string, mutate: (c: DeviceCommand) => DeviceCommand | undefined): Promise<DeviceCommand | undefined>;
  /** Newest first. */
  listCommands(deviceId: string, limit: number): Promise<DeviceCommand[]>;
  /** Commands of the device still queued or sent without a receipt, oldest first. */
  openCommands(deviceId: string): Promise<DeviceCommand[]>;
}
