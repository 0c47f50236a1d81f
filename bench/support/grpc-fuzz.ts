// The EdgeLink fuzzer: malformed bytes on the gRPC port (raw garbage, broken HTTP/2 frames,
// truncated prefaces), gRPC messages with broken framing or protobuf, wrong tokens, and on an
// authenticated stream undecodable, truncated, oversized and over-counted batches — against a
// coordinator process. A crash is the process exiting; memory is its RSS, sampled from /proc.
import { connect as netConnect } from 'node:net';
import { connect as h2Connect, constants as h2 } from 'node:http2';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { encodeRecord } from '../../common/proto.js';
import { createEdgeLinkClient, openSync, type SyncCall } from '../../edge/uplink/client.js';
import type { EdgeLinkClient } from '../../proto/generated/ioc/edgelink/v1/EdgeLink.js';
import type { CoordinatorMessage__Output } from '../../proto/generated/ioc/edgelink/v1/CoordinatorMessage.js';
import { encodeBatch, records } from './edge-sender.js';
import { startBenchCoordinator, stopProcess, type BenchCoordinator } from './coordinator.js';
import { seededRandom } from '../../common/seeded-random.js';

export interface GrpcFuzzOptions {
  inputs: number;
  seed: number;
  /** Directory for the coordinator's config and store. */
  dir: string;
  concurrency?: number;
}

export interface GrpcFuzzResult {
  inputs: number;
  by_kind: Record<string, number>;
  crashes: number;
  /** Inputs the server did not answer or close within the per-input deadline (not crashes). */
  timeouts: number;
  peak_rss_mb: number;
  rss_start_mb: number;
  rss_end_mb: number;
  healthy_after: boolean;
  seconds: number;
}

const DEVICE = 'fuzz-1';
const TOKEN = 'fuzz-device-token-0123456789';
const MAX_BATCH_BYTES = 256 * 1024;
const MAX_BATCH_RECORDS = 1000;
const INPUT_DEADLINE_MS = 3000;

class Rand {
  constructor(readonly next: () => number) {}
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** Flips, truncates or splices bytes of a valid message. */
  mutate(valid: Buffer): Buffer {
    const out = Buffer.from(valid);
    switch (this.int(4)) {
      case 0:
        for (let i = 0, n = 1 + this.int(8); i < n && out.length > 0; i++) out[this.int(out.length)] = this.int(256);
        return out;
      case 1:
        return out.subarray(0, this.int(out.length));
      case 2:
        return Buffer.concat([out.subarray(0, this.int(out.length + 1)), this.bytes(1 + this.int(64)), out.subarray(this.int(out.length + 1))]);
      default:
        return Buffer.concat([out, out]);
    }
  }
}

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

function frame(type: number, flags: number, stream: number, payload: Buffer, lieLength?: number): Buffer {
  const header = Buffer.alloc(9);
  const length = lieLength ?? payload.length;
  header.writeUIntBE(length & 0xffffff, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(stream >>> 0, 5);
  return Buffer.concat([header, payload]);
}

function grpcFrame(r: Rand, message: Buffer): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = r.int(10) === 0 ? r.int(256) : r.int(10) === 0 ? 1 : 0;
  prefix.writeUInt32BE(r.int(6) === 0 ? r.int(0xffffffff) : message.length, 1);
  return Buffer.concat([prefix, message]);
}

/** One connection that writes bytes and waits until the server closes it or a short grace ends. */
function sendRaw(port: number, bytes: Buffer, graceMs: number): Promise<'closed' | 'open'> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    let done = false;
    const finish = (how: 'closed' | 'open') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(how);
    };
    const timer = setTimeout(() => finish('open'), graceMs);
    socket.on('error', () => finish('closed'));
    socket.on('close', () => finish('closed'));
    socket.on('data', () => undefined);
    socket.on('connect', () => socket.write(bytes));
  });
}

function validRecordBytes(r: Rand): Buffer {
  const now = Date.now();
  const seq = 1 + r.int(1_000_000);
  const rec = r.pick([records.telemetry(seq, now), records.alarm(seq, now), records.cameraEvent(seq, now, `ev-${seq}`, 'new')]);
  return Buffer.from(encodeRecord(rec));
}

interface Target {
  coordinator: BenchCoordinator;
  client: EdgeLinkClient;
  sync?: { call: SyncCall; waiters: Map<number, () => void> };
}

type Outcome = 'ok' | 'timeout';

export async function runGrpcFuzz(o: GrpcFuzzOptions): Promise<GrpcFuzzResult> {
  const started = Date.now();
  const r = new Rand(seededRandom(o.seed));
  const byKind: Record<string, number> = {};
  let crashes = 0;
  let timeouts = 0;
  let peakRss = 0;

  const start = async (): Promise<Target> => {
    const coordinator = await startBenchCoordinator({
      dir: o.dir,
      grpcExtra: `max_batch_bytes: ${MAX_BATCH_BYTES}, max_batch_records: ${MAX_BATCH_RECORDS}`,
      bodyYaml: `store: { kind: level, dir: ${o.dir}/store }
sites: [{ id: fuzz, name: Fuzz, location: { lat: 21, lon: 103 } }]
devices: [{ id: ${DEVICE}, site: fuzz, token: ${TOKEN} }]`,
    });
    coordinator.child.once('exit', (code, signal) => {
      if (!stopping) {
        crashes++;
        process.stderr.write(`coordinator exited during fuzzing (code ${code}, signal ${signal})\n`);
      }
    });
    return { coordinator, client: createEdgeLinkClient({ address: `127.0.0.1:${coordinator.grpcPort}`, tls: false }) };
  };
  let stopping = false;
  let target = await start();
  const rssMb = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${target.coordinator.child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : 0;
    } catch {
      return 0;
    }
  };
  const rssStart = rssMb();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb())), 100);

  const identity = (deviceId: string, token: string) => ({ deviceId, siteId: 'fuzz', token, softwareVersion: 'fuzz', configVersion: () => '' });

  /** The authenticated stream that garbage batches go down; reopened when the server ends it. */
  const authedSync = () => {
    if (target.sync) return target.sync;
    const call = openSync(target.client, identity(DEVICE, TOKEN));
    const waiters = new Map<number, () => void>();
    const sync = { call, waiters };
    const end = () => {
      if (target.sync === sync) target.sync = undefined;
      for (const w of waiters.values()) w();
      waiters.clear();
    };
    call.on('data', (msg: CoordinatorMessage__Output) => {
      if (msg.body === 'ack' && msg.ack) {
        const id = Number(msg.ack.batch_id);
        waiters.get(id)?.();
        waiters.delete(id);
      }
    });
    call.on('error', end);
    call.on('end', end);
    call.write({ hello: { session_id: 'fuzz', protocol_version: 1 } });
    target.sync = sync;
    return sync;
  };
  let batchId = 1;

  const withDeadline = (p: Promise<unknown>, deadlineMs = INPUT_DEADLINE_MS): Promise<Outcome> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), deadlineMs);
      p.then(
        () => (clearTimeout(timer), resolve('ok')),
        () => (clearTimeout(timer), resolve('ok')),
      );
    });

  const sendBatch = (body: Buffer, compression: string, recordCount: number, deadlineMs = INPUT_DEADLINE_MS): Promise<Outcome> => {
    const sync = authedSync();
    const id = batchId++;
    const acked = new Promise<void>((resolve) => sync.waiters.set(id, resolve));
    sync.call.write({ batch: { batch_id: id, compression: compression as 'COMPRESSION_NONE', body, record_count: recordCount } });
    return withDeadline(acked, deadlineMs);
  };

  const cases: Record<string, () => Promise<Outcome>> = {
    raw_bytes: async () => (await sendRaw(target.coordinator.grpcPort, r.bytes(1 + r.int(2048)), 30), 'ok'),
    truncated_preface: async () => (await sendRaw(target.coordinator.grpcPort, PREFACE.subarray(0, r.int(PREFACE.length)), 20), 'ok'),
    h2_frames: async () => {
      const parts = [PREFACE, frame(4, 0, 0, Buffer.alloc(0))];
      for (let i = 0, n = 1 + r.int(6); i < n; i++) {
        const payload = r.bytes(r.int(64));
        const lie = r.int(4) === 0 ? r.int(0xffffff) : undefined;
        parts.push(frame(r.int(12), r.int(256), r.int(4) === 0 ? 0 : 1 + 2 * r.int(50), payload, lie));
      }
      if (r.int(3) === 0) parts.push(r.bytes(r.int(32)));
      await sendRaw(target.coordinator.grpcPort, Buffer.concat(parts), 30);
      return 'ok';
    },
    grpc_framing: () =>
      withDeadline(
        new Promise<void>((resolve) => {
          const session = h2Connect(`http://127.0.0.1:${target.coordinator.grpcPort}`);
          session.on('error', () => resolve());
          const path = r.pick(['/ioc.edgelink.v1.EdgeLink/Register', '/ioc.edgelink.v1.EdgeLink/Sync', '/ioc.edgelink.v1.EdgeLink/Nope', '/x']);
          const headers: Record<string, string> = {
            [h2.HTTP2_HEADER_METHOD]: r.pick(['POST', 'GET']),
            [h2.HTTP2_HEADER_PATH]: path,
            'content-type': r.pick(['application/grpc', 'application/grpc+proto', 'text/plain']),
            te: 'trailers',
          };
          if (r.int(2)) headers.authorization = `Bearer ${r.pick([TOKEN, 'x', r.bytes(8).toString('hex')])}`;
          if (r.int(2)) headers['x-device-id'] = r.pick([DEVICE, 'nobody', '']);
          if (r.int(4) === 0) headers['grpc-encoding'] = r.pick(['gzip', 'deflate', 'br', 'zz']);
          const stream = session.request(headers);
          stream.on('error', () => undefined);
          stream.on('data', () => undefined);
          const done = () => (session.destroy(), resolve());
          stream.on('close', done);
          const message = r.int(2) ? r.mutate(validRecordBytes(r)) : r.bytes(r.int(512));
          const bytes = grpcFrame(r, message);
          const cut = r.int(4) === 0 ? bytes.subarray(0, r.int(bytes.length)) : bytes;
          if (r.int(3) === 0) stream.write(cut);
          else stream.end(cut);
          setTimeout(done, 150);
        }),
      ),
    wrong_token_register: () =>
      withDeadline(
        new Promise<void>((resolve) => {
          const deviceId = r.pick([DEVICE, 'nobody', '', 'x'.repeat(5000), '\u0000\uffff', r.bytes(16).toString('latin1')]);
          const token = r.pick(['', 'wrong-token-wrong-token-0000', TOKEN.slice(0, -1), r.bytes(64).toString('base64'), 'y'.repeat(100_000)]);
          target.client.Register({ device_id: deviceId, token, protocol_version: r.int(1000) }, { deadline: Date.now() + INPUT_DEADLINE_MS }, () => resolve());
        }),
      ),
    wrong_token_sync: () =>
      withDeadline(
        new Promise<void>((resolve) => {
          const call = openSync(target.client, identity(r.pick([DEVICE, 'nobody']), r.pick(['wrong-token-wrong-token-0000', ''])));
          call.on('error', () => resolve());
          call.on('end', () => resolve());
          call.on('data', () => undefined);
          call.write({ batch: { batch_id: 1, compression: 'COMPRESSION_NONE', body: encodeBatch([records.telemetry(1, Date.now())]).body, record_count: 1 } });
        }),
      ),
    garbage_batch: () => {
      const valid = encodeBatch(
        Array.from({ length: 1 + r.int(5) }, () => records.telemetry(1 + r.int(1_000_000), Date.now())),
        r.int(2) ? 'COMPRESSION_GZIP' : 'COMPRESSION_NONE',
      );
      const body = r.pick([
        () => r.bytes(r.int(4096)),
        () => r.mutate(valid.body),
        () => gzipSync(r.bytes(r.int(1024))),
        () => gzipSync(r.mutate(Buffer.from(encodeRecord(records.alarm(1, 0))))),
      ])();
      return sendBatch(body, r.pick(['COMPRESSION_NONE', 'COMPRESSION_GZIP']), r.int(3) === 0 ? r.int(0xffffffff) : valid.records);
    },
    huge_batch: () => {
      switch (r.int(6) === 0 ? 2 : r.int(2)) {
        case 0: // over max_batch_bytes
          return sendBatch(r.bytes(MAX_BATCH_BYTES + 1 + r.int(MAX_BATCH_BYTES)), 'COMPRESSION_NONE', 1);
        case 1: // more records than max_batch_records, each tiny
          return sendBatch(
            encodeBatch(Array.from({ length: MAX_BATCH_RECORDS + 1 + r.int(100) }, (_, i) => ({ lane: 'LANE_TELEMETRY', seq: i + 1, kind: 'telemetry' }))).body,
            'COMPRESSION_NONE',
            5,
          );
        default: // a gzip bomb: small on the wire, 60 MB inflated
          return sendBatch(bomb, 'COMPRESSION_GZIP', 1);
      }
    },
  };
  const bomb = gzipSync(Buffer.alloc(60 * 1024 * 1024));
  // Cheap cases dominate; the expensive ones still run hundreds of times in 10,000 inputs.
  const weighted: string[] = [
    ...Array<string>(3).fill('raw_bytes'),
    'truncated_preface',
    ...Array<string>(3).fill('h2_frames'),
    ...Array<string>(2).fill('grpc_framing'),
    'wrong_token_register',
    'wrong_token_sync',
    ...Array<string>(3).fill('garbage_batch'),
    'huge_batch',
  ];

  let next = 0;
  const worker = async () => {
    while (next < o.inputs) {
      next++;
      const kind = r.pick(weighted);
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      if ((await cases[kind]!()) === 'timeout') timeouts++;
      if (target.coordinator.child.exitCode !== null || target.coordinator.child.signalCode !== null) {
        target.client.close();
        target = await start();
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency ?? 8 }, worker));

  // Still serving: a good batch from a fresh connection is acknowledged.
  target.sync?.call.end();
  target.sync = undefined;
  target.client.close();
  target.client = createEdgeLinkClient({ address: `127.0.0.1:${target.coordinator.grpcPort}`, tls: false });
  const healthy = (await sendBatch(encodeBatch([records.telemetry(2_000_000, Date.now())]).body, 'COMPRESSION_NONE', 1, 30_000)) === 'ok';
  const health = await fetch(`http://127.0.0.1:${target.coordinator.httpPort}/healthz`).then(
    (res) => res.ok,
    () => false,
  );
  clearInterval(sampler);
  const rssEnd = rssMb();
  stopping = true;
  (target.sync as Target['sync'])?.call.end();
  target.client.close();
  await stopProcess(target.coordinator.child);
  return {
    inputs: o.inputs,
    by_kind: byKind,
    crashes,
    timeouts,
    peak_rss_mb: Math.round(peakRss),
    rss_start_mb: Math.round(rssStart),
    rss_end_mb: Math.round(rssEnd),
    healthy_after: healthy && health,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
}
