// The fault proxy itself: each mode does what the link tests rely on, over real sockets.
import t from 'tap';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { FaultProxy } from './fault-proxy.js';

type TapTest = Parameters<Parameters<typeof t.test>[0]>[0];

interface Target {
  server: Server;
  port: number;
  sockets: Set<Socket>;
}

/** Echoes what it receives; on "S<n>\n" it sends n bytes down instead. */
async function startTarget(t: TapTest): Promise<Target> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    let first = true;
    s.on('data', (chunk: Buffer) => {
      const text = first ? chunk.toString('latin1') : '';
      first = false;
      const m = /^S(\d+)\n$/.exec(text);
      if (m) s.write(Buffer.alloc(Number(m[1]), 0x61));
      else s.write(chunk);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { server, port: (server.address() as { port: number }).port, sockets };
}

async function startProxy(t: TapTest, target: Target, bufferBytes?: number): Promise<FaultProxy> {
  const proxy = await FaultProxy.start({ targetPort: target.port, bufferBytes });
  t.teardown(() => proxy.close());
  return proxy;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Reads until `bytes` arrived; resolves with the elapsed ms. */
function receive(s: Socket, bytes: number, timeoutMs = 30_000): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let got = 0;
    const timer = setTimeout(() => reject(new Error(`only ${got} of ${bytes} bytes after ${timeoutMs} ms`)), timeoutMs);
    s.on('data', (c: Buffer) => {
      got += c.length;
      if (got >= bytes) {
        clearTimeout(timer);
        resolve(performance.now() - started);
      }
    });
  });
}

function closed(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    let code = 'close';
    s.once('error', (err: NodeJS.ErrnoException) => (code = err.code ?? 'error'));
    s.once('close', () => resolve(code));
  });
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('passes bytes both ways and counts them', async (t) => {
  const target = await startTarget(t);
  const proxy = await startProxy(t, target);
  const s = await open(proxy.port);
  t.teardown(() => s.destroy());
  const got = receive(s, 50_000);
  s.write(Buffer.alloc(50_000, 1));
  await got;
  t.equal(proxy.stats.bytesUp, 50_000);
  t.equal(proxy.stats.bytesDown, 50_000);
  t.equal(proxy.stats.connections, 1);
});

t.test('latency delays each direction', async (t) => {
  const target = await startTarget(t);
  const proxy = await startProxy(t, target);
  const s = await open(proxy.port);
  t.teardown(() => s.destroy());
  let got = receive(s, 4);
  s.write('ping');
  const base = await got;
  s.removeAllListeners('data');
  proxy.setLatency(150);
  got = receive(s, 4);
  s.write('ping');
  const slow = await got;
  t.ok(slow >= 290, `round trip with 150 ms each way took ${slow.toFixed(0)} ms (no latency: ${base.toFixed(0)} ms)`);
  t.ok(slow < 2000, 'and not much more');
});

t.test('throttle paces the upstream direction to the configured rate', async (t) => {
  const target = await startTarget(t);
  const proxy = await startProxy(t, target, 4096);
  proxy.setThrottle(80); // 10 000 B/s each way
  const s = await open(proxy.port);
  t.teardown(() => s.destroy());
  const bytes = 30_000;
  const got = receive(s, bytes);
  s.write(Buffer.alloc(bytes, 2));
  // Echo: the same bytes cross up then down, each direction paced, pipelined.
  const ms = await got;
  const rate = (bytes * 1000) / ms;
  t.ok(rate <= 10_000 * 1.15, `echo throughput ${rate.toFixed(0)} B/s ≤ the 10 000 B/s throttle`);
  t.ok(rate >= 10_000 * 0.6, `echo throughput ${rate.toFixed(0)} B/s close to the throttle`);
});

t.test('throttle paces the downstream direction too', async (t) => {
  const target = await startTarget(t);
  const proxy = await startProxy(t, target, 4096);
  proxy.setThrottle(80);
  const s = await open(proxy.port);
  t.teardown(() => s.destroy());
  const bytes = 25_000;
  const got = receive(s, bytes);
  s.write(`S${bytes}\n`);
  const ms = await got;
  const rate = (bytes * 1000) / ms;
  t.ok(rate <= 10_000 * 1.15 && rate >= 10_000 * 0.6, `download ${rate.toFixed(0)} B/s at a 10 000 B/s throttle`);
});

t.test('throttle with small buffers pushes back on the sender', async (t) => {
  const target = await startTarget(t);
  const proxy = await startProxy(t, target, 2048);
  proxy.setThrottle(16); // 2 000 B/s
  const s = await open(proxy.port);
  t.teardown(() => s.destroy());
  s.on('data', () => undefined);
  // Write far more than the link can carry in a second: most of it must wait at the sender.
  s.write(Buffer.alloc(4 * 1024 * 1024, 3));
  await delay(1000);
  t.ok(proxy.stats.bytesUp < 20_000, `only ${proxy.stats.bytesUp} bytes crossed in 1 s`);
  t.ok(proxy.stats.bytesUp > 1000, 'but the link kept moving at about its rate');
  t.ok(s.writableLength > 0, 'the sender still holds data: the proxy did not swallow it');
});

t.test('cut closes open connections and refuses new ones until restored', async (t) => {
  const target = await startTarget(t);
  const proxy = await startProxy(t, target);
  const s = await open(proxy.port);
  const ended = closed(s);
  await proxy.cut();
  t.ok(['close', 'ECONNRESET'].includes(await ended), 'open connection closed');
  await t.rejects(open(proxy.port), { code: 'ECONNREFUSED' }, 'new connection refused');
  await proxy.restore();
  const again = await open(proxy.port);
  t.teardown(() => again.destroy());
  const got = receive(again, 5);
  again.write('hello');
  await got;
  t.pass('after restore traffic flows on the same port');
});

t.test('blackhole accepts and then says nothing, with no RST', async (t) => {
  const target = await startTarget(t);
  const proxy = await startProxy(t, target);
  const before = await open(proxy.port);
  proxy.blackhole();
  const during = await open(proxy.port);
  t.pass('a connection is still accepted');
  let received = 0;
  let ended = false;
  for (const s of [before, during]) {
    s.on('data', (c: Buffer) => (received += c.length));
    s.on('close', () => (ended = true));
    s.on('error', () => (ended = true));
    s.write('anyone there?');
  }
  await delay(1500);
  t.equal(received, 0, 'nothing comes back');
  t.equal(ended, false, 'and nothing closes or resets');
  await proxy.restore();
  await delay(300);
  t.ok(received >= 'anyone there?'.length, 'held data flows once restored on the older connection');
  before.destroy();
  during.destroy();
});

t.test('resets at a random point of each connection', async (t) => {
  const target = await startTarget(t);
  const proxy = await startProxy(t, target);
  proxy.setResets({ minBytes: 2000, maxBytes: 6000 });
  const codes: string[] = [];
  for (let i = 0; i < 3; i++) {
    const s = await open(proxy.port);
    const ended = closed(s);
    let got = 0;
    s.on('data', (c: Buffer) => (got += c.length));
    s.write(Buffer.alloc(20_000, 4));
    codes.push(await ended);
    t.ok(got < 6000, `connection ${i} carried ${got} echo bytes before the reset`);
  }
  t.same(codes, ['ECONNRESET', 'ECONNRESET', 'ECONNRESET'], 'the client sees a reset, not a clean close');
  t.equal(proxy.stats.resets, 3);
  proxy.setResets(null);
  const s = await open(proxy.port);
  t.teardown(() => s.destroy());
  const got = receive(s, 20_000);
  s.write(Buffer.alloc(20_000, 5));
  await got;
  t.pass('no resets once the plan is lifted');
});
