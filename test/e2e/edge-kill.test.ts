// The edge agent is killed with SIGKILL (the power-cut stand-in) while holding a backlog behind
// a cut link, and again several times while that backlog drains. Nothing acknowledged to a
// producer is lost, nothing arrives twice, and each record keeps the (lane, seq) it was given.
import t from 'tap';
import { tempDir } from '../support/tmp.js';
import { startAgent, startCoordinator } from '../support/system.js';
import { waitFor } from '../support/wait.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { Producer, checkLedger, receivedAt } from '../support/producer.js';

interface LaneView {
  lane: string;
  contiguousSeq: number;
  receivedRecords: number;
  dropped: Record<string, number>;
}
interface DeviceView {
  online: boolean;
  backlog: { records: number };
  lanes: LaneView[];
}

const BODY = `
uplink: { heartbeat_s: 1, ack_timeout_s: 10, connect_timeout_s: 3, reconnect_initial_s: 0.2, reconnect_max_s: 1, batch_max_records: 50 }
`;

t.test('SIGKILL with a backlog, and during its delivery: nothing lost, nothing duplicated', async (t) => {
  const dir = tempDir(t);
  const coordinator = await startCoordinator(t, { dir, devices: [{ id: 'edge-k', site: 'muong-nhe' }] });
  const proxy = await FaultProxy.start({ targetPort: coordinator.grpcPort });
  t.teardown(() => proxy.close());
  const agent = await startAgent(t, { dir, deviceId: 'edge-k', site: 'muong-nhe', grpcAddress: proxy.address, bodyYaml: BODY, testHooks: true });
  const producer = new Producer(agent, 'ek');
  const mix = [
    { kind: 'alarm' as const, count: 2 },
    { kind: 'camera_event' as const, count: 4 },
    { kind: 'telemetry' as const, count: 60 },
    { kind: 'thumbnail' as const, count: 3, bytes: 5000 },
  ];
  const device = () => coordinator.api.get<DeviceView>('/api/v1/devices/edge-k');
  await producer.produce(mix);
  await waitFor('first records delivered', async () => (await device()).lanes.some((l) => l.contiguousSeq > 0));
  t.equal((await device()).online, true, 'online while its stream is up');
  await agent.proc.kill9();
  await waitFor('offline as soon as its stream is gone', async () => !(await device()).online, { timeoutMs: 10_000 });
  await agent.restart();
  await waitFor('online again', async () => (await device()).online, { timeoutMs: 15_000 });

  // A backlog behind a cut link, then the power goes.
  await proxy.cut();
  for (let i = 0; i < 20; i++) await producer.produce(mix);
  await agent.restart();
  await producer.produce(mix);
  await agent.restart();
  await proxy.restore();

  // Killed again and again while the backlog is being delivered; the link slowed so that the
  // kills land mid-delivery.
  proxy.setThrottle(2000);
  for (let i = 0; i < 4; i++) {
    await waitFor('some delivery progress', async () => (await device()).lanes.find((l) => l.lane === 'telemetry')!.contiguousSeq > 200 * (i + 1), {
      timeoutMs: 30_000,
    });
    await producer.produce(mix);
    await agent.restart();
  }
  proxy.setThrottle(null);

  const maxSeq = producer.maxSeq();
  const final = await waitFor(
    'every lane delivered',
    async () => {
      const d = await device();
      return d.lanes.every((l) => l.contiguousSeq >= (maxSeq[l.lane] ?? 0)) && d.backlog.records === 0 ? d : undefined;
    },
    { timeoutMs: 60_000 },
  );

  t.equal(producer.uncertain.size, 0, 'the agent answered every injection before each kill');
  const check = checkLedger(producer, await receivedAt(coordinator.api, 'edge-k', producer), []);
  t.same(check.lost, [], 'nothing acknowledged to a producer is missing');
  t.same(check.duplicated, [], 'nothing arrived twice');
  t.same(check.misplaced, [], 'each record sits at the lane and seq the edge gave it');
  t.equal(check.delivered, producer.acked.size, `all ${producer.acked.size} records delivered`);
  for (const lane of final.lanes) {
    const ids = [...producer.acked.values()].filter((p) => p.lane === lane.lane).length;
    t.equal(lane.receivedRecords, ids, `${lane.lane}: one stored record per produced id (${ids})`);
    t.same(lane.dropped, {}, `${lane.lane}: nothing dropped`);
  }
});
