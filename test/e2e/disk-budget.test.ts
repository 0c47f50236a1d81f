// The disk budget fills up with thumbnails while the link is down; alarms still get in, and the
// evictions are counted the same everywhere: the edge's metrics, its heartbeat, the coordinator's
// per-lane drop counts — and record by record, the evicted ids are exactly the missing ones.
// Then a real full disk (a tmpfs; needs root): the agent stays up, online and honest about it.
import t from 'tap';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tempDir } from '../support/tmp.js';
import { startAgent, startCoordinator } from '../support/system.js';
import { waitFor } from '../support/wait.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { Producer, checkLedger, receivedAt, storedDropRanges } from '../support/producer.js';

interface LaneView {
  lane: string;
  contiguousSeq: number;
  receivedRecords: number;
  dropped: Record<string, number>;
  deviceDropped: Record<string, number> | null;
}
interface DeviceView {
  backlog: { records: number };
  lanes: LaneView[];
}

const BODY = `
outbox: { disk_budget_mb: 1, min_free_disk_mb: 0 }
uplink: { heartbeat_s: 1, ack_timeout_s: 10, connect_timeout_s: 3, reconnect_initial_s: 0.2, reconnect_max_s: 1 }
`;

t.test('thumbnails fill the budget, alarms still get in, evictions counted identically everywhere', async (t) => {
  const dir = tempDir(t);
  const coordinator = await startCoordinator(t, { dir, devices: [{ id: 'edge-d', site: 'dien-bien-dong' }] });
  const proxy = await FaultProxy.start({ targetPort: coordinator.grpcPort });
  t.teardown(() => proxy.close());
  const agent = await startAgent(t, { dir, deviceId: 'edge-d', site: 'dien-bien-dong', grpcAddress: proxy.address, bodyYaml: BODY, testHooks: true });
  const producer = new Producer(agent, 'db');
  const device = () => coordinator.api.get<DeviceView>('/api/v1/devices/edge-d');
  await producer.produce([
    { kind: 'alarm', count: 1 },
    { kind: 'telemetry', count: 5 },
  ]);
  await waitFor('link up and first records delivered', async () => (await device()).lanes.find((l) => l.lane === 'alarm')!.contiguousSeq === 1);

  await proxy.cut();
  await waitFor('the edge sees the link down', async () => (await agent.metric('ioc_edge_uplink_connected')) === 0);
  await waitFor('and the coordinator shows it offline', async () => !(await coordinator.api.get<{ online: boolean }>('/api/v1/devices/edge-d')).online, {
    timeoutMs: 10_000,
  });
  // 2.4 MB of thumbnails into a 1 MiB budget, with telemetry and events alongside.
  for (let i = 0; i < 30; i++) {
    await producer.produce([
      { kind: 'thumbnail', count: 10, bytes: 8000 },
      { kind: 'telemetry', count: 10 },
      { kind: 'camera_event', count: 2 },
    ]);
  }
  const alarms = await producer.produce([{ kind: 'alarm', count: 50 }]);
  t.equal(alarms.length, 50);
  t.same(
    alarms.filter((a) => a.dropped),
    [],
    'every alarm was stored: none refused or evicted',
  );

  const evicted = await agent.metric('ioc_edge_outbox_dropped_total', { lane: 'thumbnail', reason: 'budget' });
  t.ok(evicted >= 100, `${evicted} thumbnails evicted on the edge`);
  for (const lane of ['alarm', 'event', 'telemetry']) {
    t.equal(await agent.metric('ioc_edge_outbox_dropped_total', { lane, reason: 'budget' }), 0, `no ${lane} evicted while thumbnails remained`);
  }
  t.ok((await agent.metric('ioc_edge_outbox_bytes')) <= 1024 * 1024, 'the outbox stays inside its budget');

  await proxy.restore();
  const backlogView = await waitFor(
    'online again with its backlog shown',
    async () => {
      const d = await coordinator.api.get<DeviceView & { online: boolean; backlog: { records: number; bytes: number; oldestAgeMs: number } }>(
        '/api/v1/devices/edge-d',
      );
      return d.online && d.backlog.records > 100 ? d : undefined;
    },
    { timeoutMs: 15_000 },
  );
  t.ok(
    backlogView.backlog.bytes > 0 && backlogView.backlog.oldestAgeMs > 0,
    `backlog ${backlogView.backlog.records} records, ${backlogView.backlog.bytes} bytes, oldest ${backlogView.backlog.oldestAgeMs} ms`,
  );
  const maxSeq = producer.maxSeq();
  const final = await waitFor(
    'backlog delivered and drops settled',
    async () => {
      const d = await device();
      return d.lanes.every((l) => l.contiguousSeq >= (maxSeq[l.lane] ?? 0)) && d.backlog.records === 0 ? d : undefined;
    },
    { timeoutMs: 60_000 },
  );
  const thumbs = final.lanes.find((l) => l.lane === 'thumbnail')!;
  t.equal(thumbs.dropped.budget, evicted, 'the coordinator counts the same evictions');
  await waitFor('a heartbeat after the drain', async () => (await device()).lanes.find((l) => l.lane === 'thumbnail')!.deviceDropped?.budget === evicted);
  t.pass('the heartbeat reports the same evictions');
  for (const lane of final.lanes.filter((l) => l.lane !== 'thumbnail')) t.same(lane.dropped, {}, `${lane.lane}: nothing dropped`);

  const received = await receivedAt(coordinator.api, 'edge-d', producer);
  await coordinator.proc.stop();
  const check = checkLedger(producer, received, await storedDropRanges(join(dir, 'coordinator-store'), 'edge-d'));
  t.same(check.lost, [], 'every missing record is inside a reported drop range');
  t.same(check.droppedYetReceived, [], 'no record both delivered and counted dropped');
  t.same(check.duplicated, [], 'nothing arrived twice');
  t.same(check.dropped, { budget: evicted }, 'the missing ones are exactly the evicted thumbnails');
  t.equal(check.delivered + evicted, producer.acked.size, 'delivered + evicted = produced');
});

t.test('a real full disk: the agent stays up and online, says so, and carries on once space is back', async (t) => {
  const dir = tempDir(t);
  const dataDir = join(dir, 'edge-edge-f'); // where the generated config puts the agent's data
  mkdirSync(dataDir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', dataDir], { stdio: 'ignore' });
  } catch {
    return t.skip('cannot mount a tmpfs here (needs root)', () => undefined);
  }
  t.teardown(() => execFileSync('umount', ['-l', dataDir], { stdio: 'ignore' }));
  const coordinator = await startCoordinator(t, { dir, devices: [{ id: 'edge-f', site: 'muong-nhe' }] });
  const agent = await startAgent(t, {
    dir,
    deviceId: 'edge-f',
    site: 'muong-nhe',
    grpcAddress: `127.0.0.1:${coordinator.grpcPort}`,
    testHooks: true,
    bodyYaml: 'outbox: { disk_budget_mb: 100, min_free_disk_mb: 0 }\nuplink: { heartbeat_s: 1, reconnect_initial_s: 0.2, reconnect_max_s: 1 }\n',
  });
  const producer = new Producer(agent, 'full');
  interface Health {
    online: boolean;
    health: { components: { name: string; state: string; detail: string }[] } | null;
    lanes: LaneView[];
    backlog: { records: number };
  }
  const device = () => coordinator.api.get<Health>('/api/v1/devices/edge-f');
  const outboxState = async () => (await device()).health?.components.find((c) => c.name === 'outbox')?.state;
  await producer.produce([
    { kind: 'alarm', count: 5 },
    { kind: 'telemetry', count: 50 },
  ]);
  await waitFor('outbox healthy at the coordinator', async () => (await outboxState()) === 'ok');

  const filler = join(dataDir, 'filler');
  try {
    writeFileSync(filler, Buffer.alloc(24 * 1024 * 1024));
  } catch {
    // ENOSPC part-way: the file holds what fitted
  }
  let refused = 0;
  for (let i = 0; i < 10; i++) {
    const before = producer.acked.size;
    await producer.produce([
      { kind: 'thumbnail', count: 20, bytes: 8000 },
      { kind: 'alarm', count: 1 },
    ]);
    refused += 21 - (producer.acked.size - before);
  }
  t.ok(refused > 0, `${refused} records refused on the full disk`);
  t.ok(agent.proc.running, 'the agent is still running');
  t.ok((await agent.metric('ioc_edge_outbox_write_errors_total')) >= 1, 'write errors counted');
  await waitFor('the heartbeat says the outbox is down', async () => (await outboxState()) === 'down', { timeoutMs: 15_000 });
  t.equal((await device()).online, true, 'and the device stays online, telling the IOC');

  rmSync(filler);
  await waitFor('the outbox reopens', async () => (await agent.metric('ioc_edge_outbox_stalled')) === 0, { timeoutMs: 40_000 });
  await producer.produce([
    { kind: 'alarm', count: 3 },
    { kind: 'telemetry', count: 20 },
  ]);
  const maxSeq = producer.maxSeq();
  await waitFor(
    'everything acknowledged delivered',
    async () => {
      const d = await device();
      return d.lanes.every((l) => l.contiguousSeq >= (maxSeq[l.lane] ?? 0)) && d.backlog.records === 0;
    },
    { timeoutMs: 40_000 },
  );
  const check = checkLedger(producer, await receivedAt(coordinator.api, 'edge-f', producer), []);
  t.same(check.lost, [], 'nothing acknowledged before, during or after the full disk is missing');
  t.same(check.duplicated, [], 'nothing arrived twice');
  await waitFor('the heartbeat says the outbox is fine again', async () => (await outboxState()) === 'ok');
  t.pass('the heartbeat says the outbox is fine again');
});
