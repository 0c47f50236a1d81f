// Two coordinator replicas on one PostgreSQL schema behind HAProxy running the shipped
// deploy/haproxy.cfg (EdgeLink passed through with TLS and mTLS intact, the HTTPS API ended at
// HAProxy). Four edge agents stream through it, joined by a fleet of simulated boxes (real
// EdgeLink clients over TLS) draining twenty minutes of backlog each; mid-drain, the replica
// serving the live feed is SIGKILLed. Every box on it, agent or simulated, reconnects to the
// other one within 10 s, the API keeps answering through HAProxy, and every record every box made
// durable is stored exactly once.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FleetBox, type BoxSink } from '../../bench/support/fleet-box.js';
import { projectRoot } from '../../common/paths.js';
import { makeCa, makeLeaf, makeServerCert } from '../support/certs.js';
import { Haproxy, haproxyProblem } from '../support/haproxy.js';
import { HttpsLiveFeed, httpsRequest, type HttpsAnswer } from '../support/https-client.js';
import { postgresProblem, TEST_DATABASE_URL, testSchema } from '../support/pg.js';
import { freePort } from '../support/ports.js';
import { Producer, checkLedger, receivedAt } from '../support/producer.js';
import {
  coordinatorMetrics,
  deviceToken,
  startAgent,
  startCoordinator,
  sumMetric,
  VIEWER_TOKEN,
  type RunningAgent,
  type RunningCoordinator,
} from '../support/system.js';
import { tempDir } from '../support/tmp.js';
import { delay, waitFor } from '../support/wait.js';

const problem = (await postgresProblem()) ?? haproxyProblem();
if (problem && process.env.CI === 'true') t.fail(`${problem}: the replica scenario is mandatory under CI`);

const FLEET = 4;
// The simulated fleet beside the agents (IOC_REPLICAS_FLEET_BOXES to try more).
const FLEET_BOXES = Number(process.env.IOC_REPLICAS_FLEET_BOXES ?? 200);
const FLEET_BACKLOG_MINUTES = 20;
// Time for the fleet's phases, growing with its size (PostgreSQL takes a few thousand records a second here).
const FLEET_WAIT_MS = 60_000 + FLEET_BOXES * 300;
const SITES = ['muong-nhe', 'tua-chua', 'dien-bien-dong'];
const RECONNECT_LIMIT_MS = 10_000;
// Each box every 200 ms: an alarm, two camera events, 10 sensor aggregates, a 6 KB thumbnail.
const MIX = [
  { kind: 'alarm' as const, count: 1 },
  { kind: 'camera_event' as const, count: 2 },
  { kind: 'telemetry' as const, count: 10 },
  { kind: 'thumbnail' as const, count: 1, bytes: 6000 },
];
// Reconnect back-off left at its defaults: the 10 s is what a box in the field gets.
const BODY = 'uplink: { heartbeat_s: 2, ack_timeout_s: 10 }';

interface LaneView {
  lane: string;
  contiguousSeq: number;
  receivedRecords: number;
  dropped: Record<string, number>;
}
interface DeviceView {
  online: boolean;
  connectedSinceMs: number | null;
  backlog: { records: number };
  lanes: LaneView[];
}

t.test(
  'HAProxy before two replicas: one SIGKILLed under fleet load, no record lost, boxes move within 10 s',
  { skip: problem && process.env.CI !== 'true' ? problem : false, timeout: 240_000 + 3 * FLEET_BOXES * 300 },
  async (t) => {
    const startedAt = Date.now();
    const phase = (what: string) => t.comment(`${((Date.now() - startedAt) / 1000).toFixed(1)} s: ${what}`);
    const dir = tempDir(t);
    const ca = makeCa(dir);
    const serverCert = makeServerCert(dir, ca);
    const pem = join(dir, 'front.pem');
    writeFileSync(pem, readFileSync(serverCert.cert, 'utf8') + readFileSync(serverCert.key, 'utf8'));
    const caPem = readFileSync(ca.cert);

    const devices = Array.from({ length: FLEET }, (_, i) => ({ id: `edge-r${i + 1}`, site: SITES[i % SITES.length]! }));
    const fleetDevices = Array.from({ length: FLEET_BOXES }, (_, i) => ({ id: `fleet-${String(i).padStart(4, '0')}`, site: SITES[i % SITES.length]! }));
    const schema = testSchema(t, 'ioc_e2e');
    const spec = {
      dir,
      devices: [...devices, ...fleetDevices],
      storeYaml: `store: { kind: postgres, url: "${TEST_DATABASE_URL}", schema: ${schema}, pool_size: 4 }`,
      grpcTlsYaml: `{ cert_file: ${serverCert.cert}, key_file: ${serverCert.key}, client_ca_file: ${ca.cert} }`,
    };
    // One after the other: the second finds the migrations applied by the first.
    const replicas: Record<string, RunningCoordinator> = {
      'replica-a': await startCoordinator(t, spec, 'replica-a'),
      'replica-b': await startCoordinator(t, spec, 'replica-b'),
    };
    const a = replicas['replica-a']!;
    const b = replicas['replica-b']!;

    const edgeLinkPort = await freePort();
    const apiPort = await freePort();
    const haproxy = await Haproxy.start(t, join(projectRoot(), 'deploy', 'haproxy.cfg'), {
      statsSocket: join(dir, 'haproxy.sock'),
      ports: [edgeLinkPort, apiPort],
      env: {
        IOC_HAPROXY_STATS_SOCKET: join(dir, 'haproxy.sock'),
        IOC_HAPROXY_LOG: 'stderr',
        IOC_HAPROXY_MAXCONN: '2000',
        IOC_EDGELINK_BIND: `127.0.0.1:${edgeLinkPort}`,
        IOC_API_BIND: `127.0.0.1:${apiPort}`,
        IOC_API_TLS_PEM: pem,
        IOC_REPLICA_A_HOST: '127.0.0.1',
        IOC_REPLICA_A_GRPC_PORT: String(a.grpcPort),
        IOC_REPLICA_A_HTTP_PORT: String(a.httpPort),
        IOC_REPLICA_B_HOST: '127.0.0.1',
        IOC_REPLICA_B_GRPC_PORT: String(b.grpcPort),
        IOC_REPLICA_B_HTTP_PORT: String(b.httpPort),
      },
    });
    await waitFor('HAProxy sees both replicas UP in every backend', async () => (await haproxy.servers()).every((s) => s.status === 'UP'), {
      timeoutMs: 15_000,
    });
    const front = `https://127.0.0.1:${apiPort}`;
    phase('replicas and HAProxy up');

    // The live feed through HAProxy: the ticket and its stream must reach the same replica.
    const openLive = async () => {
      const issued = await httpsRequest(`${front}/api/v1/live/ticket`, { ca: caPem, token: VIEWER_TOKEN, method: 'POST' });
      t.equal(issued.status, 201, 'a live-feed ticket through HAProxy');
      const { ticket } = JSON.parse(issued.body) as { ticket: string };
      const feed = await HttpsLiveFeed.open(`${front}/api/v1/live?topics=records&ticket=${ticket}`, caPem);
      t.equal(feed.replica, issued.headers['x-ioc-replica'], `the ticket was redeemed on the replica that issued it (${feed.replica})`);
      return feed;
    };
    const feeds = [await openLive()];
    t.teardown(() => Promise.all(feeds.map((f) => f.close())));

    // The fleet: every box dials HAProxy with TLS and its own client certificate.
    // Started one by one, as boxes come up in the field: leastconn alternates between the replicas.
    const agents: RunningAgent[] = [];
    for (const d of devices) {
      const leaf = makeLeaf(dir, ca, d.id, d.id, [`DNS:${d.id}`]);
      const tlsYaml = `{ enabled: true, ca_file: ${ca.cert}, cert_file: ${leaf.cert}, key_file: ${leaf.key} }`;
      agents.push(
        await startAgent(t, { dir, deviceId: d.id, site: d.site, grpcAddress: `127.0.0.1:${edgeLinkPort}`, tlsYaml, bodyYaml: BODY, testHooks: true }),
      );
    }
    await waitFor(
      'every box connected through HAProxy',
      async () => (await Promise.all(agents.map((g) => g.metric('ioc_edge_uplink_connected')))).every((v) => v === 1),
      { timeoutMs: 20_000 },
    );
    phase(`${FLEET} boxes connected`);
    const producers = agents.map((agent, i) => new Producer(agent, devices[i]!.id));

    let producing = true;
    const production = Promise.all(
      producers.map(async (p) => {
        while (producing) {
          await p.produce(MIX);
          await delay(200);
        }
      }),
    );
    // The operator's view: one API read through HAProxy every 100 ms, all along.
    const reads: { atMs: number; status: number; replica: string; error?: string }[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const atMs = Date.now();
        const answer = await httpsRequest(`${front}/api/v1/devices`, { ca: caPem, token: VIEWER_TOKEN }).catch(
          (err: Error): HttpsAnswer => ({ status: 0, headers: {}, body: err.message }),
        );
        reads.push({
          atMs,
          status: answer.status,
          replica: String(answer.headers['x-ioc-replica']),
          error: answer.status === 200 ? undefined : answer.body.slice(0, 200),
        });
        await delay(100);
      }
    })();
    t.teardown(async () => {
      producing = false;
      reading = false;
      await Promise.all([production, reader]);
    });

    const device = (api: RunningCoordinator['api'], id: string) => api.get<DeviceView>(`/api/v1/devices/${id}`);
    await waitFor(
      'every box delivering',
      async () => {
        for (const d of devices) if ((await device(b.api, d.id)).lanes.find((l) => l.lane === 'telemetry')!.contiguousSeq < 50) return false;
        return true;
      },
      { timeoutMs: 60_000 },
    ).catch((err: Error) => {
      throw new Error(
        `${err.message}\nreplica-a: ${a.proc.running ? 'running' : 'exited'}\n${a.proc.logs()}\nreplica-b: ${b.proc.running ? 'running' : 'exited'}\n${b.proc.logs()}`,
      );
    });

    // The victim is the replica serving the live feed, so that stream is cut too.
    const victimName = feeds[0]!.replica!;
    const victim = replicas[victimName]!;
    const survivorName = victimName === 'replica-a' ? 'replica-b' : 'replica-a';
    const survivor = replicas[survivorName]!;
    // HAProxy's count of open EdgeLink connections per replica: one per box.
    const streamsOn = async (name: string) => (await haproxy.servers()).find((s) => s.backend === 'edgelink_replicas' && s.server === name)!.sessions;
    const onVictim = await streamsOn(victimName);
    t.ok(
      onVictim >= 1 && (await streamsOn(survivorName)) >= 1,
      `leastconn spread the boxes: ${onVictim} on ${victimName}, ${await streamsOn(survivorName)} on ${survivorName}`,
    );
    await waitFor(
      'the live feed carries records of every box',
      () => devices.every((d) => feeds[0]!.ids.some((id) => id.startsWith(`${d.id}.`))) || undefined,
      { timeoutMs: 15_000 },
    );

    // The fleet comes up through HAProxy, each box with twenty minutes of backlog; the kill lands
    // while it drains. One certificate names every simulated box (each agent has its own).
    const fleetLeaf = makeLeaf(
      dir,
      ca,
      'fleet',
      'fleet',
      fleetDevices.map((d) => `DNS:${d.id}`),
    );
    const fleetSink: BoxSink = { acked: () => undefined, refused: (id, reason) => t.fail(`${id} refused: ${reason}`) };
    const thumbnail = randomBytes(6 * 1024);
    const fleet = fleetDevices.map(
      (d, i) =>
        new FleetBox({ deviceId: d.id, token: deviceToken(d.id), site: d.site }, `127.0.0.1:${edgeLinkPort}`, thumbnail, fleetSink, (i * 997) % 60_000, {
          caFile: ca.cert,
          certFile: fleetLeaf.cert,
          keyFile: fleetLeaf.key,
        }),
    );
    t.teardown(() => {
      for (const box of fleet) box.close();
    });
    for (const box of fleet) box.addBacklog(FLEET_BACKLOG_MINUTES);
    const fleetLeft = () => fleet.reduce((n, box) => n + box.backlogRecords(), 0);
    const fleetBacklog = fleetLeft();
    await Promise.all(fleet.map((box) => box.connect()));
    phase(`${FLEET_BOXES} simulated boxes connected with ${fleetBacklog} records of backlog`);
    await waitFor('the fleet a tenth into its backlog', () => fleetLeft() <= 0.9 * fleetBacklog, { timeoutMs: FLEET_WAIT_MS, intervalMs: 20 });
    const leftAtKill = fleetLeft();
    t.ok(leftAtKill > 0, `the kill lands mid-drain: ${leftAtKill} of ${fleetBacklog} fleet records still to send`);

    const fleetOnVictim = (await streamsOn(victimName)) - onVictim;
    // The simulated boxes live in this process: they may see their streams cut before kill9()
    // returns, so theirs are timed from the moment the signal is sent.
    const killSentAt = Date.now();
    await victim.proc.kill9();
    const killedAt = Date.now();
    phase(`${victimName} killed with SIGKILL under load`);

    // A box has moved once the survivor holds a stream of it opened after the kill.
    const sinceOnSurvivor = async () =>
      Object.fromEntries(await Promise.all(devices.map(async (d) => [d.id, (await device(survivor.api, d.id)).connectedSinceMs ?? 0] as const)));
    const moved = await waitFor(
      `the boxes of ${victimName} on ${survivorName}`,
      async () => {
        const since = await sinceOnSurvivor();
        const after = Object.entries(since).filter(([, ms]) => ms > killedAt);
        return after.length >= onVictim && (await streamsOn(survivorName)) === FLEET + FLEET_BOXES
          ? Object.fromEntries(after.map(([id, ms]) => [id, ms - killedAt]))
          : false;
      },
      { timeoutMs: RECONNECT_LIMIT_MS + 10_000, intervalMs: 100 },
    );
    t.comment(`reconnected through HAProxy after the kill, ms per box: ${JSON.stringify(moved)}`);
    for (const [id, ms] of Object.entries(moved)) t.ok(ms <= RECONNECT_LIMIT_MS, `${id} streaming to ${survivorName} ${ms} ms after the kill`);
    // The simulated boxes that were on the victim: their stream was lost at the kill.
    const fleetMoved = fleet
      .filter((box) => box.lostAtMs >= killSentAt)
      .map((box) => ({ id: box.identity.deviceId, ms: box.connectedAtMs > box.lostAtMs ? box.connectedAtMs - killSentAt : Number.NaN }));
    const fleetMs = fleetMoved.map((m) => m.ms).sort((x, y) => x - y);
    t.ok(
      fleetMoved.length >= 1 && fleetMoved.length === fleetOnVictim,
      `${fleetMoved.length} of ${FLEET_BOXES} simulated boxes lost their stream at the kill; HAProxy had ${fleetOnVictim} on ${victimName}`,
    );
    t.same(
      fleetMoved.filter((m) => !(m.ms > 0 && m.ms <= RECONNECT_LIMIT_MS)),
      [],
      `every one streaming to ${survivorName} within ${RECONNECT_LIMIT_MS} ms (p50 ${fleetMs[fleetMs.length >> 1]} ms, max ${fleetMs.at(-1)} ms)`,
    );
    const marked = await waitFor(
      `HAProxy marks ${victimName} DOWN`,
      async () => ((await haproxy.servers()).filter((s) => s.server === victimName).every((s) => s.status.startsWith('DOWN')) ? Date.now() : false),
      { intervalMs: 100 },
    );
    t.comment(`HAProxy had ${victimName} DOWN in every backend by ${marked - killedAt} ms after the kill`);
    t.comment(`HAProxy server changes:\n${haproxy.serverChanges().join('\n')}`);

    // The cut live stream: a browser reconnects with a new ticket, which lands on the survivor.
    await waitFor('the live stream of the dead replica ended', () => feeds[0]!.finished, { timeoutMs: 10_000 });
    feeds.push(await openLive());
    t.equal(feeds[1]!.replica, survivorName, 'the new live stream is served by the survivor');

    await delay(3000);
    producing = false;
    await production;
    // Reads through HAProxy slow down while the survivor takes the whole fleet: gather a few.
    await waitFor('five API reads after the kill', () => reads.filter((r) => r.atMs > killedAt).length >= 5, { timeoutMs: 30_000 });
    reading = false;
    await reader;

    phase('production stopped');
    // Drained: every lane of every box contiguous up to the last acknowledged seq, backlog empty.
    for (const [i, d] of devices.entries()) {
      const maxSeq = producers[i]!.maxSeq();
      const settled = await waitFor(
        `${d.id} delivered everything`,
        async () => {
          const view = await device(survivor.api, d.id);
          return view.backlog.records === 0 && view.lanes.every((l) => l.contiguousSeq >= (maxSeq[l.lane] ?? 0)) ? view : false;
        },
        { timeoutMs: 30_000 },
      );
      const producer = producers[i]!;
      t.equal(producer.uncertain.size, 0, `${d.id}: the agent answered every injection`);
      const check = checkLedger(producer, await receivedAt(survivor.api, d.id, producer), []);
      t.same(
        { lost: check.lost, duplicated: check.duplicated, misplaced: check.misplaced },
        { lost: [], duplicated: [], misplaced: [] },
        `${d.id}: nothing lost, nothing twice, each at its own lane and seq`,
      );
      t.equal(check.delivered, producer.acked.size, `${d.id}: all ${producer.acked.size} acknowledged records stored`);
      for (const lane of settled.lanes) {
        const produced = [...producer.acked.values()].filter((p) => p.lane === lane.lane).length;
        if (lane.receivedRecords !== produced || lane.contiguousSeq !== produced || Object.keys(lane.dropped).length > 0) {
          t.fail(
            `${d.id} ${lane.lane}: ${produced} produced, ${lane.receivedRecords} stored, contiguous to ${lane.contiguousSeq}, dropped ${JSON.stringify(lane.dropped)}`,
          );
        }
      }
    }
    t.pass('every lane of every box holds seq 1..n once each, nothing dropped');
    // The fleet drained through the survivor: each box's records stored once (its reported drops
    // aside), whatever it had to send again after the kill.
    await waitFor('the fleet drained', () => fleetLeft() === 0, { timeoutMs: FLEET_WAIT_MS });
    const fleetMismatches: string[] = [];
    for (const box of fleet) {
      const view = await device(survivor.api, box.identity.deviceId);
      const stored = view.lanes.reduce((n, l) => n + l.receivedRecords, 0);
      if (stored !== box.produced) fleetMismatches.push(`${box.identity.deviceId}: ${box.produced} produced, ${stored} stored`);
    }
    const fleetProduced = fleet.reduce((n, box) => n + box.produced, 0);
    t.same(fleetMismatches, [], `the fleet's ${fleetProduced} records stored once each`);
    phase('ledgers checked');
    const total = producers.reduce((n, p) => n + p.acked.size, 0);
    const reasons = await Promise.all(
      agents.map(async (g) =>
        (await (await fetch(`http://127.0.0.1:${g.metricsPort}/metrics`)).text())
          .split('\n')
          .filter((l) => l.startsWith('ioc_edge_uplink_reconnects_total{'))
          .join(' '),
      ),
    );
    t.comment(`uplink reconnects per box: ${JSON.stringify(reasons)}`);
    const duplicates = sumMetric(await coordinatorMetrics(`http://127.0.0.1:${survivor.httpPort}`), 'ioc_ingest_duplicates_total');
    t.comment(`${total} records from ${FLEET} boxes; ${duplicates} re-sent records acknowledged by ${survivorName} without storing them twice`);

    // The API through HAProxy answered every read, before, during and after the kill.
    const failed = reads.filter((r) => r.status !== 200);
    t.same(failed, [], `${reads.length} API reads through HAProxy, none failed`);
    const after = reads.filter((r) => r.atMs > killedAt);
    t.ok(after.length >= 5 && after.every((r) => r.replica === survivorName), `${after.length} reads after the kill, all answered by ${survivorName}`);
    t.ok(
      reads.some((r) => r.atMs < killedAt && r.replica === victimName),
      `reads were spread to ${victimName} before it died`,
    );

    // The feeds: no record twice, only stored records, and both streams carried records.
    const stored = new Set<string>();
    for (const e of await survivor.api.allEvents('')) stored.add(e.id);
    const live = feeds.flatMap((f) => f.ids);
    t.equal(new Set(live).size, live.length, 'no record twice on the live feed');
    const notStored = live.filter((id) => !stored.has(id));
    t.same(notStored.slice(0, 5), [], `every live record is a stored one (${live.length} on the feeds, ${notStored.length} not stored)`);
    t.ok(feeds[1]!.ids.length >= 20, `the survivor's feed carried records after the failover (${feeds[1]!.ids.length})`);

    // The dead replica comes back: HAProxy takes it in again once its checks pass.
    await victim.restart();
    await waitFor(`HAProxy sees ${victimName} UP again`, async () => (await haproxy.servers()).every((s) => s.status === 'UP'), { timeoutMs: 15_000 });
    // Round robin may hand a server that just came back a few requests in a row: ask up to ten times.
    const answeredBy = new Set<unknown>();
    for (let i = 0; i < 10 && answeredBy.size < 2; i++) {
      answeredBy.add((await httpsRequest(`${front}/api/v1/events?limit=1`, { ca: caPem, token: VIEWER_TOKEN })).headers['x-ioc-replica']);
    }
    phase(`${victimName} back in`);
    t.same(answeredBy, new Set(['replica-a', 'replica-b']), 'reads are spread over both replicas again');
  },
);
