// One simulated edge box of the fleet bench: a real EdgeLink client (Register, Sync stream,
// heartbeats with its backlog, drop reports) producing what a district box produces each minute:
// 10 sensors' 1-minute aggregates, one camera event with a 6 KB thumbnail. Its "outbox" is a
// queue of encoded batches per lane, drained highest lane first with 4 batches in flight, as the
// uplink does; records leave it only when a per-lane ack covers them.
import { encodeBatchBody, encodeRecord, type ProtoRecord } from '../../common/proto.js';
import { laneFromProto, LANES, laneToProto, type LaneName } from '../../common/lanes.js';
import { createEdgeLinkClient, openSync, register, type LinkTarget, type SyncCall } from '../../edge/uplink/client.js';
import { Backoff } from '../../common/backoff.js';
import type { EdgeLinkClient } from '../../proto/generated/ioc/edgelink/v1/EdgeLink.js';
import type { CoordinatorMessage__Output } from '../../proto/generated/ioc/edgelink/v1/CoordinatorMessage.js';
import type { LaneSeq__Output } from '../../proto/generated/ioc/edgelink/v1/LaneSeq.js';

/** The uplink's defaults (common/config/edge-schema.ts): 500 records or 256 KiB a batch, 4 in flight. */
const BATCH_MAX_RECORDS = 500;
const BATCH_MAX_BYTES = 256 * 1024;
const INFLIGHT_BATCHES = 4;
export const HEARTBEAT_MS = 15_000;
const MINUTE_MS = 60_000;
/** A box's sensors report on their own clocks, so a window closes within this long of the minute. */
const WINDOW_CLOSE_SPREAD_MS = 10_000;
/** One thumbnail in this many is evicted by the disk budget and reported as a drop. */
const THUMBNAIL_DROP_EVERY = 10;
/** The uplink's reconnect policy (edge/uplink/link.ts): full jitter from 1 s up to a minute. */
const RECONNECT = { initialMs: 1000, maxMs: 60_000, fullJitter: true };
/** A box that has not connected in this long counts as failed (the bench reports it). */
const CONNECT_GIVE_UP_MS = 10 * 60_000;

/** The 10 sensors of a box: the overview's key metrics first (rainfall, level, temperature). */
export const FLEET_SENSORS = [
  { id: 'rain-1', metric: 'rainfall', unit: 'mm', type: 'rain_gauge' },
  { id: 'river-1', metric: 'level', unit: 'm', type: 'water_level' },
  { id: 'temp-1', metric: 'temperature', unit: '°C', type: 'weather' },
  { id: 'hum-1', metric: 'humidity', unit: '%', type: 'weather' },
  { id: 'air-1', metric: 'pm25', unit: 'µg/m³', type: 'air_quality' },
  { id: 'air-2', metric: 'pm10', unit: 'µg/m³', type: 'air_quality' },
  { id: 'wind-1', metric: 'wind_speed', unit: 'm/s', type: 'weather' },
  { id: 'soil-1', metric: 'soil_moisture', unit: '%', type: 'soil' },
  { id: 'river-2', metric: 'flow', unit: 'm³/s', type: 'water_flow' },
  { id: 'rain-2', metric: 'rainfall', unit: 'mm', type: 'rain_gauge' },
] as const;

export interface BoxIdentity {
  deviceId: string;
  token: string;
  site: string;
}

/** A batch in the outbox: open (records may still join it) until it is sent. */
interface QueuedBatch {
  lane: LaneName;
  records: Uint8Array[];
  bytes: number;
}

interface Inflight {
  batch: QueuedBatch;
  sentAtMs: number;
}

/** Where a box reports what it measured: each batch's ack latency and record count, refusals. */
export interface BoxSink {
  acked(latencyMs: number, records: number): void;
  refused(deviceId: string, reason: string): void;
}

export class FleetBox {
  private client: EdgeLinkClient | undefined;
  private call: SyncCall | undefined;
  private readonly nextSeq: Record<LaneName, number> = { alarm: 1, event: 1, telemetry: 1, thumbnail: 1 };
  private readonly acked: Record<LaneName, number> = { alarm: 0, event: 0, telemetry: 0, thumbnail: 0 };
  private readonly queue: Record<LaneName, QueuedBatch[]> = { alarm: [], event: [], telemetry: [], thumbnail: [] };
  private readonly inflight = new Map<number, Inflight>();
  private readonly pendingDrops: { lane: LaneName; seq: number; edgeTimeMs: number }[] = [];
  private nextBatchId = 1;
  private nextReportId = 1;
  private eventCounter = 0;
  private timers: NodeJS.Timeout[] = [];
  private startedMs = Date.now();
  /** Records produced (excluding drops) and records the coordinator has acknowledged. */
  produced = 0;
  dropped = 0;
  /** Storm bookkeeping: seqs that must be acked for the backlog to count as drained. */
  private drainTarget: Partial<Record<LaneName, number>> | undefined;
  drainStartedMs = 0;
  drainedMs = 0;
  /** Records acknowledged since the drain started (the storm's per-box progress). */
  drainAckedRecords = 0;
  connected = false;
  /** Streams lost while the link should be up (each one reconnected, as the uplink does). */
  streamsLost = 0;
  /** When the last stream was lost, and when the last one opened (a failover's reconnect time). */
  lostAtMs = 0;
  connectedAtMs = 0;
  /** False while the bench holds the link down. */
  private linkUp = false;

  constructor(
    readonly identity: BoxIdentity,
    private readonly address: string,
    private readonly thumbnail: Buffer,
    private readonly sink: BoxSink,
    /** Where in each minute this box's camera event falls (spreads the fleet over the minute). */
    private readonly phaseMs: number,
    /** TLS towards the coordinator (with a client certificate for mTLS); plaintext without. */
    private readonly tls?: Omit<LinkTarget, 'address' | 'tls'>,
  ) {}

  /** Handshake and Sync stream, retried with the uplink's backoff until it is up. */
  async connect(): Promise<void> {
    this.linkUp = true;
    const backoff = new Backoff(RECONNECT);
    const giveUpAt = Date.now() + CONNECT_GIVE_UP_MS;
    for (;;) {
      try {
        return await this.open();
      } catch (err) {
        if (!this.linkUp || Date.now() > giveUpAt) throw err;
        await new Promise((r) => setTimeout(r, backoff.nextDelayMs()));
      }
    }
  }

  /** One handshake and Sync stream; resumes from the coordinator's acked positions. */
  private async open(): Promise<void> {
    this.client?.close();
    // Its own TCP connection, as a box has: grpc-js would otherwise share one among all clients.
    const client = createEdgeLinkClient({ address: this.address, tls: this.tls !== undefined, ...this.tls }, { 'grpc.use_local_subchannel_pool': 1 });
    const identity = {
      deviceId: this.identity.deviceId,
      siteId: this.identity.site,
      token: this.identity.token,
      softwareVersion: 'fleet-bench',
      configVersion: () => '',
    };
    const { response } = await register(client, identity, 30_000);
    this.applyAcked(response.acked);
    const call = openSync(client, identity);
    call.on('data', (msg: CoordinatorMessage__Output) => this.onMessage(msg));
    call.on('error', () => this.lost(call));
    call.on('end', () => this.lost(call));
    call.write({ hello: { session_id: `fleet-${this.identity.deviceId}`, protocol_version: 1 } });
    this.client = client;
    this.call = call;
    this.connected = true;
    this.connectedAtMs = Date.now();
    // Batches sent on a lost stream were never acked: the outbox sends them again.
    for (const { batch } of [...this.inflight.values()].reverse()) this.queue[batch.lane].unshift(batch);
    this.inflight.clear();
    this.sendDrops();
    this.heartbeat();
    this.pump();
  }

  /** Starts the minute rhythm: sensors' windows, the camera event, heartbeats. */
  startProducing(): void {
    const untilMinute = MINUTE_MS - (Date.now() % MINUTE_MS);
    const windowClose = untilMinute + ((this.phaseMs * 7) % WINDOW_CLOSE_SPREAD_MS);
    this.every(windowClose, MINUTE_MS, () => this.produceTelemetry(Date.now(), Date.now() - (Date.now() % MINUTE_MS)));
    this.every((untilMinute + this.phaseMs) % MINUTE_MS, MINUTE_MS, () => this.produceCameraEvent(Date.now()));
    this.every(this.phaseMs % HEARTBEAT_MS, HEARTBEAT_MS, () => this.heartbeat());
  }

  /** The link goes down: the stream and channel are gone, production goes on into the outbox. */
  disconnect(): void {
    this.linkUp = false;
    this.connected = false;
    const call = this.call;
    this.call = undefined;
    call?.cancel();
    this.client?.close();
    this.client = undefined;
  }

  /** An outage's worth of records, stamped over the last `minutes` (as the box made them). */
  addBacklog(minutes: number): void {
    const now = Date.now();
    const firstMinute = now - (now % MINUTE_MS) - minutes * MINUTE_MS;
    for (let m = 0; m < minutes; m++) {
      const windowEnd = firstMinute + (m + 1) * MINUTE_MS;
      this.produceTelemetry(windowEnd + 2000, windowEnd);
      this.produceCameraEvent(windowEnd - MINUTE_MS + this.phaseMs);
    }
  }

  /** Reconnects and times how long until everything queued before now is acknowledged. */
  async reconnectAndDrain(): Promise<void> {
    this.drainTarget = Object.fromEntries(LANES.map((l) => [l, this.nextSeq[l] - 1]));
    this.drainStartedMs = Date.now();
    this.drainedMs = 0;
    this.drainAckedRecords = 0;
    await this.connect();
    this.checkDrained();
  }

  /** Records waiting in the outbox (queued or unacknowledged). */
  backlogRecords(): number {
    let n = 0;
    for (const lane of LANES) n += this.waiting(lane);
    return n;
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    this.disconnect();
  }

  // ---- production -------------------------------------------------------------------------

  private every(firstMs: number, periodMs: number, fn: () => void): void {
    const first = setTimeout(() => {
      fn();
      this.timers.push(setInterval(fn, periodMs));
    }, firstMs);
    this.timers.push(first);
  }

  private produceTelemetry(nowMs: number, windowEndMs: number): void {
    const records = FLEET_SENSORS.map((s, i) => {
      const v = 10 + i + Math.sin(windowEndMs / 3_600_000 + i);
      return {
        lane: 'LANE_TELEMETRY',
        seq: this.nextSeq.telemetry++,
        kind: 'telemetry',
        edge_time_ms: nowMs,
        clock_synced: true,
        telemetry: {
          sensor_id: s.id,
          metric: s.metric,
          unit: s.unit,
          window_s: 60,
          window_start_ms: windowEndMs - MINUTE_MS,
          window_end_ms: windowEndMs,
          count: 12,
          min: v - 0.5,
          max: v + 0.5,
          mean: v,
          last: v,
          sum: v * 12,
          sensor_type: s.type,
        },
      } satisfies ProtoRecord;
    });
    this.enqueue('telemetry', records);
  }

  private produceCameraEvent(nowMs: number): void {
    const eventId = `ev-${++this.eventCounter}`;
    this.enqueue('event', [
      {
        lane: 'LANE_EVENT',
        seq: this.nextSeq.event++,
        kind: 'camera_event',
        edge_time_ms: nowMs,
        clock_synced: true,
        camera_event: {
          event_id: eventId,
          camera_id: 'cam-1',
          phase: 'end',
          type: 'object',
          rule: 'intrusion',
          zone: 'gate',
          label: 'person',
          score: 0.8,
          severity: 'SEVERITY_MEDIUM',
          started_ms: nowMs - 5000,
          ended_ms: nowMs,
          object_count: 1,
          track_id: `t${this.eventCounter}`,
          detail: 'person at the gate',
        },
      },
    ]);
    const seq = this.nextSeq.thumbnail++;
    // Now and then the disk budget evicts a thumbnail; the box reports the gap instead.
    if (this.eventCounter % THUMBNAIL_DROP_EVERY === 0) {
      this.dropped++;
      this.pendingDrops.push({ lane: 'thumbnail', seq, edgeTimeMs: nowMs });
      this.sendDrops();
      return;
    }
    this.enqueue('thumbnail', [
      {
        lane: 'LANE_THUMBNAIL',
        seq,
        kind: 'thumbnail',
        edge_time_ms: nowMs,
        clock_synced: true,
        thumbnail: { event_id: eventId, camera_id: 'cam-1', content_type: 'image/jpeg', data: this.thumbnail, width: 320, height: 180, score: 0.8 },
      },
    ]);
  }

  /** Appends records to a lane's queue, packed into batches as the uplink packs them. */
  private enqueue(lane: LaneName, records: ProtoRecord[]): void {
    this.produced += records.length;
    const q = this.queue[lane];
    for (const r of records) {
      const encoded = encodeRecord(r);
      const last = q.at(-1);
      if (last && last.records.length < BATCH_MAX_RECORDS && last.bytes + encoded.length <= BATCH_MAX_BYTES) {
        last.records.push(encoded);
        last.bytes += encoded.length;
      } else {
        q.push({ lane, records: [encoded], bytes: encoded.length });
      }
    }
    queueMicrotask(() => this.pump());
  }

  private waiting(lane: LaneName): number {
    let n = 0;
    for (const b of this.queue[lane]) n += b.records.length;
    for (const { batch } of this.inflight.values()) if (batch.lane === lane) n += batch.records.length;
    return n;
  }

  // ---- the link -------------------------------------------------------------------------------

  /** Sends batches, highest lane first, while fewer than INFLIGHT_BATCHES await their ack. */
  private pump(): void {
    const call = this.call;
    if (!call || !this.connected) return;
    while (this.inflight.size < INFLIGHT_BATCHES) {
      const lane = LANES.find((l) => this.queue[l].length > 0);
      if (!lane) return;
      const batch = this.queue[lane].shift()!;
      const batchId = this.nextBatchId++;
      this.inflight.set(batchId, { batch, sentAtMs: performance.now() });
      // gzip is the uplink's default compression.
      const body = encodeBatchBody(batch.records, 'COMPRESSION_GZIP');
      call.write({ batch: { batch_id: batchId, compression: 'COMPRESSION_GZIP', body, record_count: batch.records.length } });
    }
  }

  private onMessage(msg: CoordinatorMessage__Output): void {
    if (msg.body === 'ack' && msg.ack) {
      const sent = this.inflight.get(Number(msg.ack.batch_id));
      if (sent) {
        this.inflight.delete(Number(msg.ack.batch_id));
        if (msg.ack.error || msg.ack.rejected.length > 0) this.sink.refused(this.identity.deviceId, msg.ack.error || msg.ack.rejected[0]!.reason);
        else this.sink.acked(performance.now() - sent.sentAtMs, sent.batch.records.length);
        this.drainAckedRecords += sent.batch.records.length;
      }
      this.applyAcked(msg.ack.acked);
      this.checkDrained();
      this.pump();
    } else if (msg.body === 'ping' && msg.ping) {
      this.call?.write({ pong: { ping_id: msg.ping.ping_id } });
    }
  }

  private applyAcked(acked: readonly LaneSeq__Output[]): void {
    for (const a of acked) {
      const lane = laneFromProto(a.lane);
      if (lane) this.acked[lane] = Math.max(this.acked[lane], Number(a.seq));
    }
  }

  private checkDrained(): void {
    const target = this.drainTarget;
    if (!target || this.drainedMs > 0) return;
    if (LANES.every((l) => this.acked[l] >= (target[l] ?? 0))) this.drainedMs = Date.now();
  }

  private sendDrops(): void {
    if (!this.call || !this.connected || this.pendingDrops.length === 0) return;
    const ranges = this.pendingDrops.splice(0).map((d) => ({
      lane: laneToProto(d.lane),
      first_seq: d.seq,
      last_seq: d.seq,
      reason: 'budget',
      first_edge_time_ms: d.edgeTimeMs,
      last_edge_time_ms: d.edgeTimeMs,
    }));
    this.call.write({ drops: { report_id: this.nextReportId++, ranges } });
  }

  private heartbeat(): void {
    if (!this.call || !this.connected) return;
    const now = Date.now();
    const lanes = LANES.map((lane) => {
      const waiting = this.waiting(lane);
      return {
        lane: laneToProto(lane),
        records: waiting,
        bytes: waiting * (lane === 'thumbnail' ? this.thumbnail.length : 200),
        oldest_age_ms: 0,
        dropped_budget: lane === 'thumbnail' ? this.dropped : 0,
      };
    });
    const outbox = lanes.reduce((n, l) => n + l.records, 0);
    this.call.write({
      heartbeat: {
        edge_time_ms: now,
        uptime_s: Math.floor((now - this.startedMs) / 1000),
        lanes,
        outbox_records: outbox,
        outbox_bytes: lanes.reduce((n, l) => n + l.bytes, 0),
        oldest_unsent_age_ms: 0,
        cpu_percent: 20,
        rss_bytes: 180 * 1024 * 1024,
        disk_free_bytes: 20 * 1024 ** 3,
        clock_offset_ms: 0,
        software_version: 'fleet-bench',
        disk_budget_bytes: 4 * 1024 ** 3,
        components: [{ name: 'uplink', state: 'ok', detail: '', restarts: 0, last_seen_ms: now }],
      },
    });
  }

  private lost(call: SyncCall): void {
    if (this.call !== call || !this.connected) return; // an old stream, or the bench cut the link
    this.connected = false;
    this.streamsLost++;
    this.lostAtMs = Date.now();
    this.call = undefined;
    setTimeout(() => void this.connect().catch(() => undefined), new Backoff(RECONNECT).nextDelayMs());
  }
}
