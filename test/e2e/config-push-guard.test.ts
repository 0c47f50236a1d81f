// A pushed config cannot change how the box reaches its coordinator (address, token, token_file,
// TLS, or the permission itself) unless the box's local config allows it: the edge rejects such
// a push with the paths, reported back to the coordinator, and keeps its link.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/tmp.js';
import { ADMIN_TOKEN, deviceToken, startAgent, startCoordinator } from '../support/system.js';
import { waitFor } from '../support/wait.js';

interface Version {
  version: number;
  status: string;
  error: string | null;
}

t.test('link settings in a push: rejected by default, applied where the box allows it', async (t) => {
  const dir = tempDir(t);
  const c = await startCoordinator(t, {
    dir,
    devices: [
      { id: 'edge-g', site: 'tua-chua' },
      { id: 'edge-h', site: 'tua-chua' },
    ],
  });
  const grpcAddress = `127.0.0.1:${c.grpcPort}`;
  const guarded = await startAgent(t, { dir, deviceId: 'edge-g', site: 'tua-chua', grpcAddress });
  const open = await startAgent(t, { dir, deviceId: 'edge-h', site: 'tua-chua', grpcAddress });
  // edge-h's technician allowed remote link changes in its local config.
  writeFileSync(
    open.configFile,
    readFileSync(open.configFile, 'utf8').replace('tls: { enabled: false } }', 'tls: { enabled: false }, allow_remote_change: true }'),
  );
  await open.restart();

  const admin = c.api.as(ADMIN_TOKEN);
  const submit = async (device: string, yaml: string) => {
    const res = await admin.raw(`/api/v1/devices/${device}/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ yaml }),
    });
    t.equal(res.status, 201, `${device}: accepted by the coordinator`);
    return ((await res.json()) as Version).version;
  };
  const settled = (device: string, version: number) =>
    waitFor(
      `${device} v${version} reported`,
      async () => {
        const overview = await admin.get<{ versions: Version[] }>(`/api/v1/devices/${device}/config`);
        const v = overview.versions.find((x) => x.version === version)!;
        return v.status === 'rejected' || v.status === 'applied' ? v : undefined;
      },
      { timeoutMs: 30_000 },
    );
  for (const device of ['edge-g', 'edge-h'])
    await waitFor(`${device} online`, async () => (await admin.get<{ online: boolean }>(`/api/v1/devices/${device}`)).online);

  const guardedBase = readFileSync(guarded.configFile, 'utf8');
  const moved = await settled('edge-g', await submit('edge-g', guardedBase.replace(grpcAddress, '203.0.113.9:50051')));
  t.equal(moved.status, 'rejected');
  t.match(
    moved.error,
    /^coordinator\.address: the coordinator link cannot change remotely unless this box's local config sets coordinator\.allow_remote_change: true/,
  );

  // The same token moved to a file, TLS switched on, and the permission itself: all refused, by path.
  const tokenFile = join(dir, 'edge-g.token');
  writeFileSync(tokenFile, deviceToken('edge-g'));
  const relinked = guardedBase.replace(
    `token: ${deviceToken('edge-g')}, tls: { enabled: false } }`,
    `token_file: ${tokenFile}, tls: { enabled: true }, allow_remote_change: true }`,
  );
  t.not(relinked, guardedBase);
  const refused = await settled('edge-g', await submit('edge-g', relinked));
  t.equal(refused.status, 'rejected');
  for (const path of ['coordinator.token', 'coordinator.token_file', 'coordinator.tls.enabled', 'coordinator.allow_remote_change'])
    t.match(refused.error, path);
  t.notMatch(refused.error, deviceToken('edge-g'), 'the token is not echoed');
  t.equal(readFileSync(guarded.configFile, 'utf8'), guardedBase, 'the running config file is untouched');
  t.ok((await admin.get<{ online: boolean }>('/api/v1/devices/edge-g')).online, 'edge-g keeps its link');

  // edge-h allows it: the token moves to a file (same token) and the link comes back with it.
  const openBase = readFileSync(open.configFile, 'utf8');
  const openTokenFile = join(dir, 'edge-h.token');
  writeFileSync(openTokenFile, deviceToken('edge-h'));
  const applied = await settled('edge-h', await submit('edge-h', openBase.replace(`token: ${deviceToken('edge-h')},`, `token_file: ${openTokenFile},`)));
  t.equal(applied.status, 'applied', applied.error ?? '');
  t.match(readFileSync(open.configFile, 'utf8'), `token_file: ${openTokenFile}`);
});
