// One connection attempt per handshake: a refused connection fails at once (the uplink's jittered
// backoff then decides when to try again) instead of grpc-js retrying until the deadline; a
// coordinator that comes up is reached on the next attempt.
import t from 'tap';
import { createServer } from 'node:net';
import { connect, createEdgeLinkClient } from '../../../edge/uplink/client.js';
import { EdgeLinkServer } from '../../../cloud/ingest/edgelink-server.js';
import { Presence } from '../../../cloud/ingest/presence.js';
import { createCoordinatorMetrics } from '../../../cloud/metrics.js';
import { LevelStore } from '../../../cloud/store/level/level-store.js';
import { join } from 'node:path';
import { tempDir } from '../../support/tmp.js';

/** A port nothing listens on (bound, read, released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

t.test('a refused connection fails the attempt at once; the next attempt reaches a coordinator that came up', async (t) => {
  const port = await freePort();
  const clients: ReturnType<typeof createEdgeLinkClient>[] = [];
  t.teardown(() => {
    for (const c of clients) c.close();
  });
  const freshClient = () => {
    clients.push(createEdgeLinkClient({ address: `127.0.0.1:${port}`, tls: false }));
    return clients.at(-1)!;
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    const client = freshClient();
    const started = performance.now();
    await t.rejects(connect(client, 20_000), { code: 'UPLINK_UNREACHABLE', message: /cannot connect/ });
    t.ok(performance.now() - started < 5_000, `attempt ${attempt} failed in ${Math.round(performance.now() - started)} ms, not at the 20 s deadline`);
  }

  const store = new LevelStore(join(tempDir(t), 'store'));
  await store.open();
  const metrics = createCoordinatorMetrics();
  const server = new EdgeLinkServer({
    host: '127.0.0.1',
    port,
    store,
    presence: new Presence(30_000, metrics),
    metrics,
    maxBatchBytes: 1 << 20,
    maxBatchRecords: 1000,
  });
  await server.start();
  t.teardown(async () => {
    await server.stop();
    await store.close();
  });
  await connect(freshClient(), 20_000);
  t.pass('connected once the coordinator listens');
});
