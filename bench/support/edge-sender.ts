// A stripped-down edge for load and seeding: the real handshake and Sync stream (the uplink's
// own client code), batches encoded like the outbox encodes them, a window of batches in flight,
// each resolved by its ack. No outbox, no pacing: it sends as fast as acks come back.
import { encodeBatchBody, encodeRecord, type BatchCompression, type ProtoRecord } from '../../common/proto.js';
import { createEdgeLinkClient, openSync, register, type LinkTarget, type SyncCall } from '../../edge/uplink/client.js';
import type { EdgeLinkClient } from '../../proto/generated/ioc/edgelink/v1/EdgeLink.js';
import type { Ack__Output } from '../../proto/generated/ioc/edgelink/v1/Ack.js';
import type { CoordinatorMessage__Output } from '../../proto/generated/ioc/edgelink/v1/CoordinatorMessage.js';

export interface EncodedBatch {
  body: Buffer;
  records: number;
  compression: BatchCompression;
}

/** Records → one batch body, exactly as the edge's session builds it. */
export function encodeBatch(records: readonly ProtoRecord[], compression: BatchCompression = 'COMPRESSION_NONE'): EncodedBatch {
  return { body: encodeBatchBody(records.map(encodeRecord), compression), records: records.length, compression };
}

export class EdgeSender {
  private nextBatchId = 1;
  private readonly pending = new Map<number, { resolve: (ack: Ack__Output) => void; reject: (err: Error) => void }>();
  private failure: Error | undefined;

  private constructor(
    private readonly client: EdgeLinkClient,
    private readonly call: SyncCall,
  ) {
    call.on('data', (msg: CoordinatorMessage__Output) => {
      if (msg.body !== 'ack' || !msg.ack) return;
      const id = Number(msg.ack.batch_id);
      const waiter = this.pending.get(id);
      this.pending.delete(id);
      waiter?.resolve(msg.ack);
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      for (const w of this.pending.values()) w.reject(err);
      this.pending.clear();
    };
    call.on('error', fail);
    call.on('end', () => fail(new Error('stream ended')));
  }

  /** `target`: an address for plaintext, or a LinkTarget with TLS (and client certificate) settings. */
  static async connect(target: string | LinkTarget, deviceId: string, token: string): Promise<EdgeSender> {
    const client = createEdgeLinkClient(typeof target === 'string' ? { address: target, tls: false } : target);
    const identity = { deviceId, siteId: '', token, softwareVersion: 'bench', configVersion: () => '' };
    await register(client, identity, 10_000);
    const call = openSync(client, identity);
    call.write({ hello: { session_id: 'bench', protocol_version: 1 } });
    return new EdgeSender(client, call);
  }

  /** Sends one batch; resolves with its ack (rejects if the stream fails first). */
  send(batch: EncodedBatch): Promise<Ack__Output> {
    if (this.failure) return Promise.reject(this.failure);
    const batchId = this.nextBatchId++;
    return new Promise((resolve, reject) => {
      this.pending.set(batchId, { resolve, reject });
      this.call.write({ batch: { batch_id: batchId, compression: batch.compression, body: batch.body, record_count: batch.records } });
    });
  }

  /** Sends every batch with at most `window` unacknowledged; resolves when all are acked. */
  async sendAll(batches: readonly EncodedBatch[], window = 4): Promise<Ack__Output[]> {
    const acks: Ack__Output[] = new Array(batches.length);
    let next = 0;
    const lane = async () => {
      while (next < batches.length) {
        const i = next++;
        acks[i] = await this.send(batches[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(window, batches.length) }, lane));
    return acks;
  }

  close(): void {
    this.call.end();
    this.client.close();
  }
}

/** Record factories shaped like what the edge produces (telemetry windows, alarms, camera events). */
export const records = {
  telemetry(seq: number, nowMs: number, sensor = 'river-1', metric = 'level'): ProtoRecord {
    const v = 2 + Math.sin(seq / 10);
    return {
      lane: 'LANE_TELEMETRY',
      seq,
      kind: 'telemetry',
      edge_time_ms: nowMs,
      clock_synced: true,
      telemetry: {
        sensor_id: sensor,
        metric,
        unit: 'm',
        window_s: 60,
        window_start_ms: nowMs - 60_000,
        window_end_ms: nowMs,
        count: 12,
        min: v - 0.2,
        max: v + 0.3,
        mean: v,
        last: v,
        sum: v * 12,
        sensor_type: 'water_level',
      },
    };
  },
  alarm(seq: number, nowMs: number): ProtoRecord {
    return {
      lane: 'LANE_ALARM',
      seq,
      kind: 'alarm',
      edge_time_ms: nowMs,
      clock_synced: true,
      alarm: {
        alarm_id: `al-${seq}`,
        rule_id: 'flood',
        sensor_id: 'river-1',
        metric: 'level',
        state: seq % 2 ? 'raised' : 'cleared',
        severity: 'SEVERITY_HIGH',
        value: 4.6,
        threshold: 4.5,
        condition: 'above',
        message: 'river above 4.5 m',
        unit: 'm',
      },
    };
  },
  cameraEvent(seq: number, nowMs: number, eventId: string, phase: 'new' | 'update' | 'end'): ProtoRecord {
    return {
      lane: 'LANE_EVENT',
      seq,
      kind: 'camera_event',
      edge_time_ms: nowMs,
      clock_synced: true,
      camera_event: {
        event_id: eventId,
        camera_id: 'cam-1',
        phase,
        type: 'object',
        rule: 'intrusion',
        zone: 'gate',
        label: 'person',
        score: 0.8,
        severity: 'SEVERITY_MEDIUM',
        started_ms: nowMs - 5000,
        object_count: 1,
        track_id: 't1',
        detail: 'person at the gate',
      },
    };
  },
  thumbnail(seq: number, nowMs: number, eventId: string, bytes: Buffer): ProtoRecord {
    return {
      lane: 'LANE_THUMBNAIL',
      seq,
      kind: 'thumbnail',
      edge_time_ms: nowMs,
      clock_synced: true,
      thumbnail: { event_id: eventId, camera_id: 'cam-1', content_type: 'image/jpeg', data: bytes, width: 64, height: 48, score: 0.8 },
    };
  },
};
