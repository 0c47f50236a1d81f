// The admin socket over a real Unix socket: envelopes, errors with codes, streams, cancellation
// on hang-up, permissions, and what happens to a socket file left behind.
import t from 'tap';
import { connect } from 'node:net';
import { spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { AdminSocket, type AdminHandlers } from '../../../edge/admin/server.js';
import { AdminClient, AdminError, AgentNotRunningError } from '../../../edge/admin/client.js';
import { IocError } from '../../../common/errors.js';
import { tempDir } from '../../support/tmp.js';
import { waitFor } from '../../support/wait.js';

function handlers(log: string[]): AdminHandlers {
  return {
    echo: async (params) => ({ echoed: params }),
    missing: async () => {
      throw new IocError('NOT_FOUND', 'no such thing');
    },
    crash: async () => {
      throw new TypeError('a bug');
    },
    camera: async () => {
      throw new IocError('UNAVAILABLE', 'cannot open rtsp://admin:hunter2@10.0.0.5/ch1: 401 Unauthorized');
    },
    count: async (params, ctx) => {
      const n = Number(params.n);
      for (let i = 1; i <= n; i++) ctx.emit({ i });
      return { total: n };
    },
    hold: async (_params, ctx) => {
      log.push('held');
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      log.push('released');
      return null;
    },
  };
}

async function startSocket(t: { teardown(fn: () => unknown): void }, dir = tempDir(t)) {
  const log: string[] = [];
  const path = join(dir, 'run', 'edgectl.sock');
  const server = new AdminSocket({ path, handlers: handlers(log) });
  await server.start();
  t.teardown(() => server.stop());
  return { server, path, log, dir };
}

t.test('requests get ok and error envelopes with stable codes', async (t) => {
  const { path } = await startSocket(t);
  t.equal(statSync(path).mode & 0o777, 0o660, 'socket is owner+group read/write only');
  t.equal(statSync(join(path, '..')).mode & 0o777, 0o750, 'the directory it created is not world-readable');
  const client = await AdminClient.connect(path);
  t.teardown(() => client.close());
  t.same(await client.call('echo', { a: 1 }), { echoed: { a: 1 } });
  const notFound = await client.call('missing').catch((e: unknown) => e);
  t.ok(notFound instanceof AdminError);
  t.equal((notFound as AdminError).code, 'NOT_FOUND');
  const crash = await client.call('crash').catch((e: unknown) => e);
  t.equal((crash as AdminError).code, 'INTERNAL', 'an unexpected error is INTERNAL, and the server keeps going');
  const unknown = await client.call('nope').catch((e: unknown) => e);
  t.equal((unknown as AdminError).code, 'NOT_FOUND');
  t.match((unknown as Error).message, /unknown method "nope".*echo/);
  t.same(await client.call('echo', { b: 2 }), { echoed: { b: 2 } }, 'the connection survives errors');
});

t.test('answers leave with camera passwords masked', async (t) => {
  const { path } = await startSocket(t);
  const client = await AdminClient.connect(path);
  t.teardown(() => client.close());
  const err = await client.call('camera').catch((e: unknown) => e);
  t.equal((err as Error).message, 'cannot open rtsp://admin:***@10.0.0.5/ch1: 401 Unauthorized');
  t.same(await client.call('echo', { url: 'rtsp://admin:hunter2@cam/1', list: ['http://u:p@h/x'] }), {
    echoed: { url: 'rtsp://admin:***@cam/1', list: ['http://u:***@h/x'] },
  });
});

t.test('streamed items arrive in order before the final response', async (t) => {
  const { path } = await startSocket(t);
  const client = await AdminClient.connect(path);
  t.teardown(() => client.close());
  const items: unknown[] = [];
  const result = await client.call('count', { n: 3 }, { onItem: (i) => items.push(i) });
  t.same(items, [{ i: 1 }, { i: 2 }, { i: 3 }]);
  t.same(result, { total: 3 });
});

t.test('bad input gets an error envelope and never closes the server', async (t) => {
  const { path } = await startSocket(t);
  const raw = connect(path);
  await once(raw, 'connect');
  let text = '';
  raw.setEncoding('utf8');
  raw.on('data', (d: string) => (text += d));
  raw.write('this is not json\n{"id":7}\n[1,2]\n{"id":8,"method":"echo","params":{"ok":true}}\n');
  await waitFor('four answers', () => text.split('\n').filter(Boolean).length >= 4);
  const answers = text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: unknown; status: string; code?: string });
  t.same(
    answers.map((a) => [a.id, a.status, a.code]),
    [
      [null, 'error', 'BAD_REQUEST'],
      [7, 'error', 'BAD_REQUEST'],
      [null, 'error', 'BAD_REQUEST'],
      [8, 'ok', undefined],
    ],
  );
  raw.destroy();
});

t.test('hanging up aborts a running stream', async (t) => {
  const { path, log } = await startSocket(t);
  const client = await AdminClient.connect(path);
  const pending = client.call('hold').catch((e: unknown) => e);
  await waitFor('handler running', () => log.includes('held'));
  client.close();
  await waitFor('handler released by the hang-up', () => log.includes('released'));
  t.ok((await pending) instanceof Error, 'the caller sees the connection end');
});

t.test('a stale socket file is replaced; a live one is left to its owner', async (t) => {
  const dir = tempDir(t);
  const first = await startSocket(t, dir);
  const second = new AdminSocket({ path: first.path, handlers: {} });
  const err = await second.start().catch((e: unknown) => e);
  t.equal((err as IocError).code, 'CONFLICT', 'a second agent on the same socket is refused');
  const client = await AdminClient.connect(first.path);
  t.same(await client.call('echo', {}), { echoed: {} }, 'the first agent still answers');
  client.close();

  await first.server.stop();
  const gone = await AdminClient.connect(first.path).catch((e: unknown) => e);
  t.ok(gone instanceof AgentNotRunningError, 'after stop the socket is gone');
  t.match((gone as Error).message, /the agent is not running \(no socket at .*edgectl\.sock\); start it with: systemctl start ioc-edge/);

  // A socket left by a killed agent (SIGKILL: nobody unlinked it) is taken over.
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(first.path)}, () => console.log('up'))`], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await once(child.stdout!, 'data');
  child.kill('SIGKILL');
  await once(child, 'exit');
  t.ok(statSync(first.path).isSocket(), 'the killed process left its socket file');
  const third = new AdminSocket({ path: first.path, handlers: handlers([]) });
  await third.start();
  t.teardown(() => third.stop());
  const again = await AdminClient.connect(first.path);
  t.same(await again.call('echo', { n: 3 }), { echoed: { n: 3 } }, 'the new agent answers on the reclaimed path');
  again.close();

  writeFileSync(join(dir, 'plain-file'), 'x');
  const wrong = new AdminSocket({ path: join(dir, 'plain-file'), handlers: {} });
  t.equal(((await wrong.start().catch((e: unknown) => e)) as IocError).code, 'CONFLICT', 'a regular file in the way is not deleted');
});
