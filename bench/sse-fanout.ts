// Live-feed fan-out: time from a record's ingest on the coordinator (its receivedMs) to its
// arrival at each of 100 connected SSE clients, first as a trickle (one alarm every 200 ms, the
// latency an operator sees), then as a burst (a drained backlog arriving in 500-record batches).
// The clients live in a second process (this file with --clients-of) so their parsing does not
// share the coordinator's or the sender's event loop. Prints one JSON object.
//   node --import tsx bench/sse-fanout.ts [--clients 100] [--trickle 50] [--burst 5000]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SseClient } from '../test/support/sse-client.js';
import { startBenchCoordinator, stopProcess } from './support/coordinator.js';
import { EdgeSender, encodeBatch, records } from './support/edge-sender.js';
import { latencySummary } from './support/stats.js';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '100' },
    trickle: { type: 'string', default: '50' },
    burst: { type: 'string', default: '5000' },
    'clients-of': { type: 'string' },
    token: { type: 'string' },
  },
});
const CLIENTS = Number(args.clients);
const DEVICE = 'bench-fanout';
const DEVICE_TOKEN = 'bench-device-token-fanout-0123456789';
const VIEWER_TOKEN = 'bench-viewer-token-0123456789';

/** Per record id: [receivedMs, first arrival, last arrival, clients reached]. */
type Arrivals = Record<string, [number, number, number, number]>;

// ---- the client process ----------------------------------------------------------------------

async function runClients(url: string, token: string, count: number): Promise<void> {
  const clients = await Promise.all(Array.from({ length: count }, () => SseClient.connect(url, { authorization: `Bearer ${token}` })));
  const refused = clients.filter((c) => c.status !== 200);
  if (refused.length > 0) throw new Error(`${refused.length} clients refused: ${refused[0]!.status} ${refused[0]!.raw}`);
  const arrivals: Arrivals = {};
  const collect = () => {
    for (const c of clients) {
      for (const e of c.events.splice(0)) {
        if (e.event !== 'record') continue;
        const row = JSON.parse(e.data) as { id: string; receivedMs: number };
        const a = arrivals[row.id] ?? [row.receivedMs, e.at, e.at, 0];
        arrivals[row.id] = a;
        a[1] = Math.min(a[1], e.at);
        a[2] = Math.max(a[2], e.at);
        a[3] += 1;
      }
      c.raw = ''; // the client keeps the raw stream for tests; here it would only grow
    }
  };
  const timer = setInterval(collect, 100);
  process.stdout.write('{"ready":true}\n');
  // The parent closes stdin when it has sent everything and waited for the feed to settle.
  await new Promise<void>((resolve) => {
    process.stdin.on('end', resolve);
    process.stdin.resume();
  });
  clearInterval(timer);
  collect();
  await Promise.all(clients.map((c) => c.close()));
  process.stdout.write(`${JSON.stringify(arrivals)}\n`);
}

// ---- the bench ---------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ioc-bench-fanout-'));
  const coordinator = await startBenchCoordinator({
    dir,
    bodyYaml: `store: { kind: level, dir: ${join(dir, 'store')} }
devices: [{ id: ${DEVICE}, site: dien-bien-dong, token: ${DEVICE_TOKEN} }]
api_tokens: [{ name: bench, role: viewer, token: ${VIEWER_TOKEN} }]`,
  });
  const clientProc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--clients-of',
      `http://127.0.0.1:${coordinator.httpPort}/api/v1/live?topics=records`,
      '--token',
      VIEWER_TOKEN,
      '--clients',
      String(CLIENTS),
    ],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  try {
    const lines = createInterface({ input: clientProc.stdout! })[Symbol.asyncIterator]();
    const ready = await lines.next();
    if (ready.done || !String(ready.value).includes('"ready"')) throw new Error('client process did not start');
    const sender = await EdgeSender.connect(`127.0.0.1:${coordinator.grpcPort}`, DEVICE, DEVICE_TOKEN);
    let seq = 1;
    const trickleIds: string[] = [];
    for (let i = 0; i < Number(args.trickle); i++) {
      trickleIds.push(`${DEVICE}.alarm.${seq}`);
      await sender.send(encodeBatch([records.alarm(seq++, Date.now())]));
      await sleep(200);
    }
    const burstIds: string[] = [];
    const burst: ReturnType<typeof encodeBatch>[] = [];
    const now = Date.now();
    for (let i = 0; i < Number(args.burst); i += 500) {
      const batch = [];
      for (let j = i; j < Math.min(i + 500, Number(args.burst)); j++) {
        burstIds.push(`${DEVICE}.telemetry.${j + 1}`);
        batch.push(records.telemetry(j + 1, now - (Number(args.burst) - j) * 1000, `sensor-${j % 12}`));
      }
      burst.push(encodeBatch(batch, 'COMPRESSION_GZIP'));
    }
    await sender.sendAll(burst, 4);
    sender.close();
    await sleep(3000);
    clientProc.stdin!.end();
    const result = await lines.next();
    const arrivals = JSON.parse(String(result.value)) as Arrivals;

    const reachedAll = (ids: string[]) => ids.filter((id) => arrivals[id]?.[3] === CLIENTS).length;
    const trickleLast = trickleIds.flatMap((id) => (arrivals[id] ? [arrivals[id][2] - arrivals[id][0]] : []));
    const trickleFirst = trickleIds.flatMap((id) => (arrivals[id] ? [arrivals[id][1] - arrivals[id][0]] : []));
    const burstSeen = burstIds.flatMap((id) => (arrivals[id] ? [arrivals[id]] : []));
    const burstStart = Math.min(...burstSeen.map((a) => a[0]));
    const burstEnd = Math.max(...burstSeen.map((a) => a[2]));
    process.stdout.write(
      `${JSON.stringify({
        bench: 'sse-fanout',
        loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
        clients: CLIENTS,
        store: 'level',
        note: 'latency from the coordinator receiving a record to an SSE client reading it; clients in a second process',
        trickle: {
          records: trickleIds.length,
          reachedAllClients: reachedAll(trickleIds),
          firstClient: latencySummary(trickleFirst),
          lastClient: latencySummary(trickleLast),
        },
        burst: {
          records: burstIds.length,
          reachedAllClients: reachedAll(burstIds),
          lastClient: latencySummary(burstSeen.map((a) => a[2] - a[0])),
          deliveriesPerSecond: Math.round((burstSeen.reduce((n, a) => n + a[3], 0) / Math.max(1, burstEnd - burstStart)) * 1000),
        },
      })}\n`,
    );
  } finally {
    clientProc.kill('SIGKILL');
    await stopProcess(coordinator.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (args['clients-of']) {
  await runClients(args['clients-of'], args.token ?? '', CLIENTS).catch((err: unknown) => {
    process.stderr.write(`bench/sse-fanout clients: ${(err as Error).message}\n`);
    process.exit(1);
  });
} else {
  await main().catch((err: unknown) => {
    process.stderr.write(`bench/sse-fanout: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
