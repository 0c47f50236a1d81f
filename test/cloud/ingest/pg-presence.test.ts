// Presence across replicas: a device streaming to replica A is online on replica B, goes offline
// on B when it leaves A, and a killed replica's rows turn offline by age.
import t from 'tap';
import { PostgresStore } from '../../../cloud/store/postgres/postgres-store.js';
import { SharedPresence } from '../../../cloud/ingest/pg-presence.js';
import type { LiveSession } from '../../../cloud/ingest/presence.js';
import { postgresProblem, TEST_DATABASE_URL, testSchema } from '../../support/pg.js';
import { waitFor } from '../../support/wait.js';

const problem = await postgresProblem();
if (problem && process.env.CI === 'true') t.fail(`${problem}: PostgreSQL tests are mandatory under CI`);
const needsPg = { skip: problem ?? false };

type Teardown = { teardown(fn: () => unknown): void };
const OFFLINE_AFTER_MS = 3000;

async function replicas(t: Teardown): Promise<[SharedPresence, SharedPresence, PostgresStore]> {
  const store = new PostgresStore({ url: TEST_DATABASE_URL, schema: testSchema(t), poolSize: 4 });
  t.teardown(() => store.close());
  await store.open();
  const make = async (replicaId: string) => {
    const p = new SharedPresence({ offlineAfterMs: OFFLINE_AFTER_MS, pool: store.pool, replicaId, refreshMs: 100 });
    t.teardown(() => p.close());
    await p.start();
    return p;
  };
  return [await make('replica-a'), await make('replica-b'), store];
}

function session(deviceId: string, sessionId: string): LiveSession & { closedWith?: string } {
  const s: LiveSession & { closedWith?: string } = {
    deviceId,
    sessionId,
    connectedAtMs: Date.now(),
    lastMessageMs: Date.now(),
    close: (_reason, code) => {
      s.closedWith = code;
    },
  };
  return s;
}

t.test('online on the other replica while streaming, offline once the stream ends', needsPg, async (t) => {
  const [a, b] = await replicas(t);
  t.equal(b.view('edge-a').online, false);
  const s = session('edge-a', 's1');
  a.attach(s);
  const seen = await waitFor('edge-a online on B', () => (b.view('edge-a').online ? b.view('edge-a') : undefined));
  t.equal(seen.sessionId, 's1');
  t.equal(b.onlineCount(), 1);
  t.equal(a.onlineCount(), 1, 'counted once on the replica holding it');
  a.detach(s);
  await waitFor('edge-a offline on B', () => !b.view('edge-a').online);
  t.equal(b.onlineCount(), 0);
});

t.test('a device that moved to the other replica stays online; the old stream leaving does not hide it', needsPg, async (t) => {
  const [a, b] = await replicas(t);
  const old = session('edge-a', 'old');
  a.attach(old);
  await waitFor('on B', () => b.view('edge-a').online);
  const moved = session('edge-a', 'new');
  b.attach(moved);
  a.detach(old); // the half-open stream on A is noticed late
  await waitFor('A sees the new session', () => a.view('edge-a').sessionId === 'new');
  await new Promise((r) => setTimeout(r, 400));
  t.equal(a.view('edge-a').online, true, 'A answers online through B');
  t.equal(b.view('edge-a').sessionId, 'new');
});

t.test('a replica that died without a word: its devices turn offline by age', needsPg, async (t) => {
  const [a, b] = await replicas(t);
  a.attach(session('edge-a', 's1'));
  await waitFor('on B', () => b.view('edge-a').online);
  await a.close(); // no detach, no closeAll: like SIGKILL (the row stays, its time stops moving)
  t.equal(b.view('edge-a').online, true);
  await waitFor('offline by age', () => !b.view('edge-a').online, { timeoutMs: OFFLINE_AFTER_MS + 5000 });
  t.pass(`offline within ${OFFLINE_AFTER_MS} ms of the last message`);
});

t.test("touch keeps a remote device fresh; closeAll removes this replica's rows", needsPg, async (t) => {
  const [a, b, store] = await replicas(t);
  const s = session('edge-a', 's1');
  a.attach(s);
  const started = Date.now();
  while (Date.now() - started < OFFLINE_AFTER_MS + 1500) {
    a.touch('edge-a');
    await new Promise((r) => setTimeout(r, 200));
  }
  t.equal(b.view('edge-a').online, true, 'still online on B well after offlineAfter, thanks to touches');
  a.closeAll('shutdown');
  t.equal(s.closedWith, 'SHUTDOWN');
  await waitFor('rows gone', async () => (await store.pool.query('SELECT 1 FROM device_sessions')).rows.length === 0);
  await waitFor('offline on B', () => !b.view('edge-a').online);
});
