// Config versions and commands on PostgreSQL (migration 104_device_admin.sql). Version numbers
// are taken under a per-device advisory lock, so two replicas never hand out the same one.
import type pg from 'pg';
import { asStorageError, inTransaction, lockKey } from './pool.js';
import type { DeviceAdminStore } from '../contract/device-admin-store.js';
import type { ConfigVersion, DeviceCommand } from '../../devices/types.js';

export class PgDeviceAdminStore implements DeviceAdminStore {
  readonly kind = 'postgres' as const;

  constructor(private readonly pool: pg.Pool) {}

  async init(): Promise<void> {}

  async close(): Promise<void> {}

  addConfigVersion(deviceId: string, make: (version: number) => ConfigVersion): Promise<ConfigVersion> {
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [lockKey('ioc:config-versions'), lockKey(deviceId)]);
      const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM device_config_versions WHERE device_id = $1', [deviceId]);
      const next = make((rows[0]?.v ?? 0) + 1);
      await client.query(
        `UPDATE device_config_versions SET status = 'superseded', data = jsonb_set(data, '{status}', '"superseded"')
          WHERE device_id = $1 AND status IN ('pending', 'pushed')`,
        [deviceId],
      );
      await client.query('INSERT INTO device_config_versions (device_id, version, status, data) VALUES ($1, $2, $3, $4::jsonb)', [
        deviceId,
        next.version,
        next.status,
        JSON.stringify(next),
      ]);
      return next;
    });
  }

  async getConfigVersion(deviceId: string, version: number): Promise<ConfigVersion | undefined> {
    const { rows } = await this.run<{ data: ConfigVersion }>('SELECT data FROM device_config_versions WHERE device_id = $1 AND version = $2', [
      deviceId,
      version,
    ]);
    return rows[0]?.data;
  }

  async listConfigVersions(deviceId: string): Promise<ConfigVersion[]> {
    const { rows } = await this.run<{ data: ConfigVersion }>('SELECT data FROM device_config_versions WHERE device_id = $1 ORDER BY version DESC', [deviceId]);
    return rows.map((r) => r.data);
  }

  updateConfigVersion(deviceId: string, version: number, mutate: (v: ConfigVersion) => ConfigVersion | undefined): Promise<ConfigVersion | undefined> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ data: ConfigVersion }>('SELECT data FROM device_config_versions WHERE device_id = $1 AND version = $2 FOR UPDATE', [
        deviceId,
        version,
      ]);
      const current = rows[0]?.data;
      if (!current) return undefined;
      const next = mutate(current);
      if (!next) return current;
      await client.query('UPDATE device_config_versions SET status = $3, data = $4::jsonb WHERE device_id = $1 AND version = $2', [
        deviceId,
        version,
        next.status,
        JSON.stringify(next),
      ]);
      return next;
    });
  }

  async putCommand(c: DeviceCommand): Promise<void> {
    await this.run(
      'INSERT INTO device_commands (id, device_id, status, data) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, data = EXCLUDED.data',
      [c.id, c.deviceId, c.status, JSON.stringify(c)],
    );
  }

  async getCommand(id: string): Promise<DeviceCommand | undefined> {
    const { rows } = await this.run<{ data: DeviceCommand }>('SELECT data FROM device_commands WHERE id = $1', [id]);
    return rows[0]?.data;
  }

  updateCommand(id: string, mutate: (c: DeviceCommand) => DeviceCommand | undefined): Promise<DeviceCommand | undefined> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ data: DeviceCommand }>('SELECT data FROM device_commands WHERE id = $1 FOR UPDATE', [id]);
      const current = rows[0]?.data;
      if (!current) return undefined;
      const next = mutate(current);
      if (!next) return current;
      await client.query('UPDATE device_commands SET status = $2, data = $3::jsonb WHERE id = $1', [id, next.status, JSON.stringify(next)]);
      return next;
    });
  }

  async listCommands(deviceId: string, limit: number): Promise<DeviceCommand[]> {
    const { rows } = await this.run<{ data: DeviceCommand }>('SELECT data FROM device_commands WHERE device_id = $1 ORDER BY id DESC LIMIT $2', [
      deviceId,
      limit,
    ]);
    return rows.map((r) => r.data);
  }

  async openCommands(deviceId: string): Promise<DeviceCommand[]> {
    const { rows } = await this.run<{ data: DeviceCommand }>(
      "SELECT data FROM device_commands WHERE device_id = $1 AND status IN ('queued', 'sent') ORDER BY id",
      [deviceId],
    );
    return rows.map((r) => r.data);
  }

  private async run<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (err) {
      throw asStorageError(err);
    }
  }
}
