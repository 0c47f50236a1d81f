// A race the fleet-load failover test met: the uplink gives up a stream (no ack within
// ack_timeout_s), and while it reconnects the coordinator, slowed by load, commits the batch and
// acknowledges it on the stream being closed, after the new handshake already read the lane
// position. The edge must not take the handshake's older position for a loss: it applies no ack
// from a stream it gave up, sends the batch again, and reports nothing lost.
//
// The coordinator here is a stand-in on a real gRPC socket that plays that order of events
// exactly; the real one cannot be made to hit the window on demand.
import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { join } from 'node:path';
import { decodeBatchBody, edgeLinkGrpc, PROTOCOL_VERSION } from '../../../common/proto.js';
import { laneToProto } from '../../../common/lanes.js';
import { ClockOffset } from '../../../common/time.js';
import { Uplink } from '../../../edge/uplink/link.js';
import { createEdgeMetrics } from '../../../edge/metrics.js';
import type { EdgeLinkHandlers } from '../../../proto/generated/ioc/edgelink/v1/EdgeLink.js';
import type { EdgeMessage__Output } from '../../../proto/generated/ioc/edgelink/v1/EdgeMessage.js';
import type { CoordinatorMessage } from '../../../proto/generated/ioc/edgelink/v1/CoordinatorMessage.js';
import { tempDir } from '../../support/tmp.js';
import { openDayOutbox, UPLINK_SETTINGS } from './fixtures.js';
import { delay, waitFor } from '../../support/wait.js';

type Stream = grpc.ServerDuplexStream<EdgeMessage__Output, CoordinatorMessage>;

t.test('an ack that arrives on a stream the edge gave up is not applied, and nothing is reported lost', async (t) => {
  const streams: Stream[] = [];
  /** Per stream: the alarm seqs of the batches it carried, and whether it carried a drop report. */
  const carried: { seqs: number[]; drops: number }[] = [];
  let registers = 0;
  let firstBatchId = 0;
  const handlers: EdgeLinkHandlers = {
    Register: (_call, callback) => {
      registers++;
      const answer = () =>
        callback(null, {
          protocol_version: PROTOCOL_VERSION,
          coordinator_receive_time_ms: Date.now(),
          coordinator_time_ms: Date.now(),
          // What the store held when this handshake read it: nothing yet.
          acked: [{ lane: laneToProto('alarm'), seq: 0 }],
          session_id: `s${registers}`,
          desired_config_version: '',
          max_batch_bytes: 1024 * 1024,
        });
      if (registers === 1) return answer();
      // The reconnect: the position was read (0) before the first stream's batch committed;
      // the commit and its ack on the old stream go out before this answer does.
      streams[0]!.write({ ack: { batch_id: firstBatchId, acked: [{ lane: laneToProto('alarm'), seq: 1 }], rejected: [] } });
      setTimeout(answer, 500);
    },
    Sync: (call) => {
      const index = streams.push(call) - 1;
      carried.push({ seqs: [], drops: 0 });
      call.on('data', (msg: EdgeMessage__Output) => {
        if (msg.batch) {
          const seqs = decodeBatchBody(msg.batch.body, msg.batch.compression, 1000).map((r) => Number(r.seq));
          carried[index]!.seqs.push(...seqs);
          if (index === 0) firstBatchId = Number(msg.batch.batch_id);
          // The second stream is answered at once; the first never (until too late, above).
          else call.write({ ack: { batch_id: msg.batch.batch_id, acked: [{ lane: laneToProto('alarm'), seq: Math.max(...seqs) }], rejected: [] } });
        }
        if (msg.drops) carried[index]!.drops++;
      });
      // Slowed by load: the client's half-close is not answered for a while.
      call.on('end', () => setTimeout(() => call.end(), 2_000));
      call.on('error', () => undefined);
    },
  };
  const server = new grpc.Server();
  server.addService(edgeLinkGrpc().ioc.edgelink.v1.EdgeLink.service, handlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  t.teardown(() => server.forceShutdown());

  const outbox = await openDayOutbox(join(tempDir(t), 'outbox'));
  const uplink = new Uplink({
    target: { address: `127.0.0.1:${port}`, tls: false },
    identity: { deviceId: 'edge-late', siteId: 'muong-nhe', token: 'late-ack-test-token-0123456789', softwareVersion: 'test', configVersion: () => 'test' },
    outbox,
    clockOffset: new ClockOffset(),
    settings: { ...UPLINK_SETTINGS, heartbeat_s: 5, ack_timeout_s: 1, reconnect_initial_s: 0.1, reconnect_max_s: 0.2 },
    metrics: createEdgeMetrics(),
    heartbeat: () => ({ edge_time_ms: Date.now(), lanes: [] }),
    backoff: { initialMs: 100, maxMs: 200 },
  });
  t.teardown(async () => {
    await uplink.stop();
    await outbox.close();
  });

  await outbox.append({ kind: 'alarm', body: { alarm: { alarm_id: 'flood-1', state: 'raised' } } });
  await uplink.start();
  await waitFor('the alarm acknowledged on the second stream', () => (outbox.stats().records === 0 && streams.length >= 2 ? true : undefined), {
    timeoutMs: 15_000,
  });
  await delay(300);
  const alarm = outbox.stats().lanes.find((l) => l.lane === 'alarm')!;
  t.equal(alarm.dropped.lost, 0, 'nothing counted as lost');
  t.equal(outbox.stats().pendingDropReports, 0, 'no drop report waiting');
  t.same(
    carried.map((c) => c.drops),
    carried.map(() => 0),
    'no drop report sent on any stream',
  );
  t.same(carried[0]!.seqs, [1], 'the first stream carried the alarm');
  t.same(carried[1]!.seqs, [1], 'and the second carried it again, since its late ack was not applied');
  t.equal(alarm.ackedSeq, 1);
});
