// Damage to the outbox files of a box that lost power with a backlog: garbage after the end of
// LevelDB's newest log (a torn write) and a flipped byte inside one stored record. The agent
// starts anyway, reports the damage (metrics and a DeviceNotice to the coordinator), counts the
// damaged record as dropped, and delivers everything else.
import t from 'tap';
import { join } from 'node:path';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { ClassicLevel } from 'classic-level';
import { tempDir } from '../support/tmp.js';
import { startAgent, startCoordinator } from '../support/system.js';
import { waitFor } from '../support/wait.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { Producer, checkLedger, receivedAt, storedDropRanges } from '../support/producer.js';

interface LaneView {
  lane: string;
  contiguousSeq: number;
  dropped: Record<string, number>;
  deviceDropped: Record<string, number> | null;
}
interface DeviceView {
  backlog: { records: number };
  lanes: LaneView[];
}

const BODY = `
uplink: { heartbeat_s: 1, ack_timeout_s: 10, connect_timeout_s: 3, reconnect_initial_s: 0.2, reconnect_max_s: 1 }
`;

/** Compacts the outbox into table files and flips one byte inside the image of thumbnail `seq`. */
async function flipByteInThumbnail(outboxDir: string, seq: number): Promise<void> {
  const db = new ClassicLevel<string, Buffer>(outboxDir, { valueEncoding: 'buffer' });
  await db.open();
  const value = await db.get(`r:thumbnail:${seq.toString(16).padStart(16, '0')}`);
  if (!value) throw new Error(`thumbnail ${seq} not in the outbox`);
  await db.compactRange('\x00', '\xff');
  await db.close();
  // The image bytes are random (a JPEG does not compress), so the table holds them verbatim.
  const needle = value.subarray(value.length - 64, value.length - 32);
  for (const name of readdirSync(outboxDir).filter((n) => n.endsWith('.ldb'))) {
    const file = join(outboxDir, name);
    const bytes = readFileSync(file);
    const at = bytes.indexOf(needle);
    if (at < 0) continue;
    bytes.writeUInt8(bytes.readUInt8(at + 7) ^ 0x01, at + 7);
    writeFileSync(file, bytes);
    return;
  }
  throw new Error('record bytes not found in any table file');
}

t.test('torn log tail and a flipped byte: the agent starts, reports, counts and carries on', async (t) => {
  const dir = tempDir(t);
  const coordinator = await startCoordinator(t, { dir, devices: [{ id: 'edge-x', site: 'tua-chua' }] });
  const proxy = await FaultProxy.start({ targetPort: coordinator.grpcPort });
  t.teardown(() => proxy.close());
  const agent = await startAgent(t, { dir, deviceId: 'edge-x', site: 'tua-chua', grpcAddress: proxy.address, bodyYaml: BODY, testHooks: true });
  const producer = new Producer(agent, 'cx');
  const device = () => coordinator.api.get<DeviceView>('/api/v1/devices/edge-x');
  await producer.produce([
    { kind: 'alarm', count: 2 },
    { kind: 'telemetry', count: 10 },
  ]);
  await waitFor('first records delivered', async () => (await device()).lanes.find((l) => l.lane === 'alarm')!.contiguousSeq === 2);

  await proxy.cut();
  await waitFor('the edge sees the link down', async () => (await agent.metric('ioc_edge_uplink_connected')) === 0);
  for (let i = 0; i < 5; i++) {
    await producer.produce([
      { kind: 'thumbnail', count: 6, bytes: 4000 },
      { kind: 'telemetry', count: 20 },
      { kind: 'alarm', count: 1 },
      { kind: 'camera_event', count: 2 },
    ]);
  }
  await agent.proc.kill9();

  const outboxDir = join(agent.dataDir, 'outbox');
  const victim = [...producer.acked.values()].find((p) => p.kind === 'thumbnail' && p.seq === 10)!;
  await flipByteInThumbnail(outboxDir, victim.seq);
  const log = readdirSync(outboxDir)
    .filter((n) => n.endsWith('.log'))
    .sort()
    .at(-1)!;
  appendFileSync(join(outboxDir, log), Buffer.from('\xde\xad\xbe\xef torn write '.repeat(40), 'latin1'));

  await proxy.restore();
  await agent.restart();
  t.pass('the agent starts on the damaged outbox');
  t.equal(await agent.metric('ioc_edge_outbox_recovered_total', { what: 'corrupt_records' }), 1, 'the corrupt record is counted');
  t.ok((await agent.metric('ioc_edge_outbox_recovered_total', { what: 'wal_tail_bytes' })) > 0, 'the torn log tail is counted');
  t.equal(await agent.metric('ioc_edge_outbox_dropped_total', { lane: 'thumbnail', reason: 'corrupt' }), 1);

  const notice = await waitFor(
    'the damage notice at the coordinator',
    async () => {
      const notices = await coordinator.api.allEvents('device=edge-x&kind=notice');
      return notices.find((n) => n.payload.code === 'OUTBOX_RECOVERED');
    },
    { timeoutMs: 30_000 },
  );
  const detail = JSON.parse(notice.payload.detail_json as string) as { corruptRecords: number; walTailBytes: number };
  t.equal(detail.corruptRecords, 1, 'the notice says which damage was found');
  t.ok(detail.walTailBytes > 0);

  const maxSeq = producer.maxSeq();
  const final = await waitFor(
    'everything else delivered',
    async () => {
      const d = await device();
      return d.lanes.every((l) => l.contiguousSeq >= (maxSeq[l.lane] ?? 0)) && d.backlog.records === 0 ? d : undefined;
    },
    { timeoutMs: 30_000 },
  );
  t.same(final.lanes.find((l) => l.lane === 'thumbnail')!.dropped, { corrupt: 1 }, 'the coordinator counts it as dropped (corrupt)');
  await waitFor('the heartbeat agrees', async () => (await device()).lanes.find((l) => l.lane === 'thumbnail')!.deviceDropped?.corrupt === 1);

  const received = await receivedAt(coordinator.api, 'edge-x', producer);
  await coordinator.proc.stop();
  const check = checkLedger(producer, received, await storedDropRanges(join(dir, 'coordinator-store'), 'edge-x'));
  t.same(check.lost, [], 'nothing else is missing');
  t.same(check.duplicated, [], 'nothing arrived twice');
  t.same(check.dropped, { corrupt: 1 }, 'only the damaged thumbnail is gone, reported as corrupt');
  t.notOk(received.rows.has(victim.id), `the damaged one (${victim.id}) was not delivered with flipped bytes`);
});
