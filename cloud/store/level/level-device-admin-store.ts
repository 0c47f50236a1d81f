// Config versions and commands on the coordinator's LevelDB (key prefix "dv!").
import { LevelFeatureStore, pad, scanJson, writeBatch } from './level-records.js';
import { EMPTY, decodeJson, encodeJson, type LevelOp } from './codec.js';
import type { DeviceAdminStore } from '../contract/device-admin-store.js';
import type { ConfigVersion, DeviceCommand } from '../../devices/types.js';

const versionKey = (deviceId: string, v: number) => `dv!cfg!${deviceId}!${pad(v, 8)}`;
const versionRange = (deviceId: string) => ({ gte: `dv!cfg!${deviceId}!`, lt: `dv!cfg!${deviceId}"` });
const commandKey = (id: string) => `dv!cmd!${id}`;
const byDeviceKey = (deviceId: string, id: string) => `dv!dc!${deviceId}!${id}`;
const byDeviceRange = (deviceId: string) => ({ gte: `dv!dc!${deviceId}!`, lt: `dv!dc!${deviceId}"` });
const openKey = (deviceId: string, id: string) => `dv!open!${deviceId}!${id}`;
const openRange = (deviceId: string) => ({ gte: `dv!open!${deviceId}!`, lt: `dv!open!${deviceId}"` });

const isOpen = (c: DeviceCommand) => c.status === 'queued' || c.status === 'sent';

export class LevelDeviceAdminStore extends LevelFeatureStore implements DeviceAdminStore {
  addConfigVersion(deviceId: string, make: (version: number) => ConfigVersion): Promise<ConfigVersion> {
    return this.lock.run(`cfg:${deviceId}`, async () => {
      const existing = await this.listConfigVersions(deviceId);
      const next = make((existing[0]?.version ?? 0) + 1);
      const ops: LevelOp[] = [{ type: 'put', key: versionKey(deviceId, next.version), value: encodeJson(next) }];
      for (const v of existing) {
        if (v.status === 'pending' || v.status === 'pushed')
          ops.push({ type: 'put', key: versionKey(deviceId, v.version), value: encodeJson({ ...v, status: 'superseded' }) });
      }
      await writeBatch(this.db, ops);
      return next;
    });
  }

  async getConfigVersion(deviceId: string, version: number): Promise<ConfigVersion | undefined> {
    return decodeJson<ConfigVersion>(await this.db.get(versionKey(deviceId, version)));
  }

  listConfigVersions(deviceId: string): Promise<ConfigVersion[]> {
    return scanJson<ConfigVersion>(this.db, { ...versionRange(deviceId), reverse: true });
  }

  updateConfigVersion(deviceId: string, version: number, mutate: (v: ConfigVersion) => ConfigVersion | undefined): Promise<ConfigVersion | undefined> {
    return this.lock.run(`cfg:${deviceId}`, async () => {
      const current = await this.getConfigVersion(deviceId, version);
      if (!current) return undefined;
      const next = mutate(current);
      if (!next) return current;
      await writeBatch(this.db, [{ type: 'put', key: versionKey(deviceId, version), value: encodeJson(next) }]);
      return next;
    });
  }

  async putCommand(command: DeviceCommand): Promise<void> {
    await writeBatch(this.db, this.commandOps(command));
  }

  private commandOps(c: DeviceCommand): LevelOp[] {
    return [
      { type: 'put', key: commandKey(c.id), value: encodeJson(c) },
      { type: 'put', key: byDeviceKey(c.deviceId, c.id), value: EMPTY },
      isOpen(c) ? { type: 'put', key: openKey(c.deviceId, c.id), value: EMPTY } : { type: 'del', key: openKey(c.deviceId, c.id) },
    ];
  }

  async getCommand(id: string): Promise<DeviceCommand | undefined> {
    return decodeJson<DeviceCommand>(await this.db.get(commandKey(id)));
  }

  updateCommand(id: string, mutate: (c: DeviceCommand) => DeviceCommand | undefined): Promise<DeviceCommand | undefined> {
    return this.lock.run(`cmd:${id}`, async () => {
      const current = await this.getCommand(id);
      if (!current) return undefined;
      const next = mutate(current);
      if (!next) return current;
      await writeBatch(this.db, this.commandOps(next));
      return next;
    });
  }

  async listCommands(deviceId: string, limit: number): Promise<DeviceCommand[]> {
    return this.byKeys(this.db.keys({ ...byDeviceRange(deviceId), reverse: true, limit }));
  }

  async openCommands(deviceId: string): Promise<DeviceCommand[]> {
    return this.byKeys(this.db.keys(openRange(deviceId)));
  }

  private async byKeys(keys: AsyncIterable<string>): Promise<DeviceCommand[]> {
    const out: DeviceCommand[] = [];
    for await (const key of keys) {
      const c = await this.getCommand(key.slice(key.lastIndexOf('!') + 1));
      if (c) out.push(c);
    }
    return out;
  }
}
