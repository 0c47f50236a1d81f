// The coordinator goes away for a while (killed, as a crash does) while the edge keeps producing,
// some of it mid-delivery; then it comes back on the same address. Every record arrives exactly
// once, at the (lane, seq) the edge gave it, and the device reads complete again.
import t from 'tap';
import { tempDir } from '../support/tmp.js';
import { startAgent, startCoordinator } from '../support/system.js';
import { delay, waitFor } from '../support/wait.js';
import { Producer, checkLedger, receivedAt } from '../support/producer.js';

interface LaneView {
  lane: string;
  contiguousSeq: number;
  receivedRecords: number;
  dropped: Record<string, number>;
  completeUpToEdgeMs: number | null;
}
interface DeviceView {
  online: boolean;
  backlog: { records: number };
  lanes: LaneView[];
}

const BODY = `
uplink: { heartbeat_s: 1, ack_timeout_s: 10, connect_timeout_s: 3, reconnect_initial_s: 0.2, reconnect_max_s: 1 }
`;

t.test('coordinator killed while the edge produces and delivers: everything arrives exactly once', async (t) => {
  const dir = tempDir(t);
  const coordinator = await startCoordinator(t, { dir, devices: [{ id: 'edge-c', site: 'tua-chua' }] });
  const agent = await startAgent(t, {
    dir,
    deviceId: 'edge-c',
    site: 'tua-chua',
    grpcAddress: `127.0.0.1:${coordinator.grpcPort}`,
    bodyYaml: BODY,
    testHooks: true,
  });
  const producer = new Producer(agent, 'cr');
  const mix = [
    { kind: 'alarm' as const, count: 3 },
    { kind: 'camera_event' as const, count: 5 },
    { kind: 'telemetry' as const, count: 40 },
    { kind: 'thumbnail' as const, count: 4, bytes: 6000 },
  ];
  // Records made before the first handshake are rightly marked unsynced; this test checks synced ones.
  await waitFor('first handshake (clock offset known)', async () => (await agent.metric('ioc_edge_uplink_connected')) === 1);
  for (let i = 0; i < 5; i++) await producer.produce(mix);

  // Killed mid-flow, with a backlog building while it is away.
  await coordinator.proc.kill9();
  for (let i = 0; i < 20; i++) {
    await producer.produce(mix);
    await delay(100);
  }
  const device = () => coordinator.api.get<DeviceView>('/api/v1/devices/edge-c');
  await coordinator.restart();
  for (let i = 0; i < 5; i++) await producer.produce(mix);
  // Killed again right after it came back, while the backlog is draining.
  await waitFor('delivery resumed', async () => (await device()).lanes.find((l) => l.lane === 'telemetry')!.contiguousSeq > 300, { timeoutMs: 30_000 });
  await coordinator.restart();

  const maxSeq = producer.maxSeq();
  const final = await waitFor(
    'every lane delivered',
    async () => {
      const d = await device();
      const done = d.lanes.every((l) => l.contiguousSeq >= (maxSeq[l.lane] ?? 0)) && d.backlog.records === 0;
      return done ? d : undefined;
    },
    { timeoutMs: 60_000 },
  );

  t.equal(producer.uncertain.size, 0, 'the agent answered every injection');
  const check = checkLedger(producer, await receivedAt(coordinator.api, 'edge-c', producer), []);
  t.same(check.lost, [], 'nothing acknowledged to a producer is missing');
  t.same(check.duplicated, [], 'nothing arrived twice');
  t.same(check.misplaced, [], 'each record sits at the lane and seq the edge gave it');
  t.equal(check.delivered, producer.acked.size, `all ${producer.acked.size} records delivered`);
  for (const lane of final.lanes) {
    const ids = [...producer.acked.values()].filter((p) => p.lane === lane.lane).length;
    t.equal(lane.receivedRecords, ids, `${lane.lane}: the coordinator stored one record per produced id (${ids})`);
    t.same(lane.dropped, {}, `${lane.lane}: nothing dropped`);
  }
  // Clock fields: the edge's own time as stamped, the corrected time, and when it arrived.
  const alarms = await coordinator.api.allEvents('device=edge-c&kind=alarm');
  for (const row of alarms) {
    const produced = producer.acked.get(row.payload.alarm_id as string)!;
    if (
      row.edgeTimeMs !== produced.edgeTimeMs ||
      typeof row.timeMs !== 'number' ||
      (row.receivedMs as number) < produced.sentAtMs ||
      row.clockSynced !== true
    ) {
      t.fail(
        `alarm ${produced.id}: edge ${row.edgeTimeMs as number} (stamped ${produced.edgeTimeMs}), corrected ${row.timeMs}, received ${row.receivedMs as number}, synced ${String(row.clockSynced)}`,
      );
    }
  }
  t.pass(`${alarms.length} alarms keep edge time, corrected time and arrival time`);
  const newest = Math.max(...[...producer.acked.values()].map((p) => p.edgeTimeMs));
  await waitFor('complete up to the last record', async () => (await device()).lanes.every((l) => (l.completeUpToEdgeMs ?? 0) > newest), { timeoutMs: 20_000 });
  t.pass('every lane reads complete past the newest record');
});
