// A device token from the coordinator config only seeds the first start: once rotated through
// the API, the new token is the valid one after a restart and the config's token stays refused,
// on both stores. A device marked `token_source: config` keeps the config's token and cannot be
// rotated through the API (the next start would silently undo it).
import t from 'tap';
import { tempDir } from '../support/tmp.js';
import { ADMIN_TOKEN, deviceToken, startCoordinator, type RunningCoordinator } from '../support/system.js';
import { postgresProblem, TEST_DATABASE_URL, testSchema } from '../support/pg.js';
import { createEdgeLinkClient, register } from '../../edge/uplink/client.js';

const problem = await postgresProblem();
if (problem && process.env.CI === 'true') t.fail(`${problem}: the PostgreSQL restart case is mandatory under CI`);

type TapTest = Parameters<Parameters<typeof t.test>[0]>[0];

async function rotateSurvivesRestart(t: TapTest, storeYaml: string | undefined): Promise<void> {
  const dir = tempDir(t);
  const devices = [
    { id: 'edge-seed', site: 'tua-chua' },
    { id: 'edge-cfg', site: 'tua-chua', tokenSource: 'config' as const },
  ];
  const c: RunningCoordinator = await startCoordinator(t, { dir, devices, storeYaml });
  const post = (path: string) => c.api.as(ADMIN_TOKEN).raw(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

  const rotated = await post('/api/v1/devices/edge-seed/token');
  t.equal(rotated.status, 200, 'a seeded device is rotated through the API');
  const { token: newToken } = (await rotated.json()) as { token: string };
  const refused = await post('/api/v1/devices/edge-cfg/token');
  t.equal(refused.status, 409, 'a device whose token the config sets is not rotated through the API');
  t.match(await refused.text(), /token_source: config/, 'saying where its token comes from');

  await c.restart();
  const client = createEdgeLinkClient({ address: `127.0.0.1:${c.grpcPort}`, tls: false });
  t.teardown(() => client.close());
  const identity = (deviceId: string, token: string) => ({ deviceId, siteId: 'tua-chua', token, softwareVersion: 'test', configVersion: () => 'x' });
  await t.rejects(
    register(client, identity('edge-seed', deviceToken('edge-seed')), 5000),
    /unknown device or wrong token/,
    'after the restart the config token of a rotated device is refused',
  );
  t.ok(await register(client, identity('edge-seed', newToken), 5000), 'and the rotated token is accepted');
  t.ok(await register(client, identity('edge-cfg', deviceToken('edge-cfg')), 5000), 'a config-sourced device keeps its config token');
}

t.test('level store: a rotated device token is the valid one after a restart', { timeout: 240_000 }, (t) => rotateSurvivesRestart(t, undefined));

t.test(
  'PostgreSQL store: a rotated device token is the valid one after a restart',
  { skip: problem && process.env.CI !== 'true' ? problem : false, timeout: 240_000 },
  (t) => {
    const schema = testSchema(t, 'ioc_e2e');
    return rotateSurvivesRestart(t, `store: { kind: postgres, url: "${TEST_DATABASE_URL}", schema: ${schema}, pool_size: 4 }`);
  },
);
