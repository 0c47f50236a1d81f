// The device admin store contract on level and PostgreSQL: config versions numbered without
// gaps or repeats (also concurrently), older unanswered versions superseded, commands with an
// open list that closes when a receipt arrives.
import t from 'tap';
import { forEachBackend } from '../../support/feature-stores.js';
import type { ConfigVersion, DeviceCommand } from '../../../cloud/devices/types.js';

const T0 = Date.UTC(2026, 10, 25, 4, 0, 0);
const version = (deviceId: string, v: number, yaml = `v${v}`): ConfigVersion => ({
  deviceId,
  version: v,
  revision: `rev${v}`,
  yaml,
  comment: null,
  createdAtMs: T0 + v,
  createdBy: 'admin',
  rollbackOf: null,
  status: 'pending',
  pushedAtMs: null,
  reportedAtMs: null,
  error: null,
});
const command = (id: string, deviceId: string, over: Partial<DeviceCommand> = {}): DeviceCommand => ({
  id,
  deviceId,
  name: 'ping',
  args: {},
  createdAtMs: T0,
  createdBy: 'op',
  expiresAtMs: T0 + 60_000,
  status: 'queued',
  sentAtMs: null,
  receipt: null,
  ...over,
});

await forEachBackend(t, (t, make) => {
  t.test('versions: numbered 1, 2, 3… even when added concurrently; unanswered older ones superseded', async (t) => {
    const { features } = await make(t);
    const added = await Promise.all(Array.from({ length: 5 }, () => features.devices.addConfigVersion('edge-a', (v) => version('edge-a', v))));
    t.same(added.map((v) => v.version).sort(), [1, 2, 3, 4, 5]);
    const list = await features.devices.listConfigVersions('edge-a');
    t.same(
      list.map((v) => v.version),
      [5, 4, 3, 2, 1],
      'newest first',
    );
    t.same(
      list.map((v) => v.status),
      ['pending', 'superseded', 'superseded', 'superseded', 'superseded'],
    );
    await features.devices.updateConfigVersion('edge-a', 5, (v) => ({ ...v, status: 'applied', reportedAtMs: T0 + 99 }));
    const six = await features.devices.addConfigVersion('edge-a', (v) => version('edge-a', v));
    t.equal(six.version, 6);
    t.equal((await features.devices.getConfigVersion('edge-a', 5))?.status, 'applied', 'an answered version keeps its status');
    t.equal(await features.devices.getConfigVersion('edge-b', 1), undefined, 'devices are separate');
    t.equal(await features.devices.updateConfigVersion('edge-a', 99, (v) => v), undefined);
    const same = await features.devices.updateConfigVersion('edge-a', 6, () => undefined);
    t.equal(same?.status, 'pending', 'undefined changes nothing');
  });

  t.test('commands: listed newest first, open until a receipt closes them', async (t) => {
    const { features } = await make(t);
    await features.devices.putCommand(command('01A', 'edge-a'));
    await features.devices.putCommand(command('01B', 'edge-a', { status: 'sent', sentAtMs: T0 + 1 }));
    await features.devices.putCommand(command('01C', 'edge-b'));
    t.same(
      (await features.devices.openCommands('edge-a')).map((c) => c.id),
      ['01A', '01B'],
      'oldest first',
    );
    await features.devices.updateCommand('01B', (c) => ({
      ...c,
      status: 'done',
      receipt: { status: 'done', detail: '{}', edgeTimeMs: T0, receivedAtMs: T0 + 2 },
    }));
    t.same(
      (await features.devices.openCommands('edge-a')).map((c) => c.id),
      ['01A'],
    );
    t.same(
      (await features.devices.listCommands('edge-a', 10)).map((c) => [c.id, c.status]),
      [
        ['01B', 'done'],
        ['01A', 'queued'],
      ],
    );
    t.same(
      (await features.devices.listCommands('edge-a', 1)).map((c) => c.id),
      ['01B'],
      'limit',
    );
    t.equal((await features.devices.getCommand('01C'))?.deviceId, 'edge-b');
    t.equal(await features.devices.updateCommand('nope', (c) => c), undefined);
  });
});
