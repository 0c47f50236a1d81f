// The coordinator's EdgeLink gRPC endpoint: device handshake and the Sync stream. Batches are
// acknowledged only after the store has made them durable, and written in turns shared fairly
// among devices (fair-queue.ts); each EdgeMessage variant has one handler in a table.
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import type { PeerCertificate } from 'node:tls';
import { randomUUID } from 'node:crypto';
import { decodeBatchBody, edgeLinkGrpc, KEEPALIVE_OPTIONS, MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from '../../common/proto.js';
import { LANES, laneFromProto, laneToProto } from '../../common/lanes.js';
import { tokenMatches } from '../../common/secrets.js';
import { IocError, asIocError, errorMessage } from '../../common/errors.js';
import { componentLogger, RateLimitedLog, type Logger } from '../../common/log.js';
import type { CoordinatorStore } from '../store/contract/store.js';
import type { DeviceRow, IngestItem } from '../store/contract/types.js';
import type { CoordinatorMetrics } from '../metrics.js';
import type { Presence, LiveSession } from './presence.js';
import { mapRecord } from './record-mapper.js';
import { heartbeatRow } from './heartbeat.js';
import { FairQueue } from './fair-queue.js';
import type { EdgeLinkHandlers } from '../../proto/generated/ioc/edgelink/v1/EdgeLink.js';
import type { EdgeMessage__Output } from '../../proto/generated/ioc/edgelink/v1/EdgeMessage.js';
import type { CoordinatorMessage } from '../../proto/generated/ioc/edgelink/v1/CoordinatorMessage.js';
import type { ConfigReport__Output } from '../../proto/generated/ioc/edgelink/v1/ConfigReport.js';
import type { CommandReceipt__Output } from '../../proto/generated/ioc/edgelink/v1/CommandReceipt.js';
import type { Rejection } from '../../proto/generated/ioc/edgelink/v1/Rejection.js';

type SyncCall = grpc.ServerDuplexStream<EdgeMessage__Output, CoordinatorMessage>;
type AuthContext = ReturnType<SyncCall['getAuthContext']>;
type Send = (m: CoordinatorMessage) => void;
type EdgeMessageKind = NonNullable<EdgeMessage__Output['body']>;

const DEFAULT_INGEST_BUDGET = { batches: 64, bytes: 16 * 1024 * 1024 };
/**
 * Messages of one stream taken off gRPC before the stream is paused. Its other messages stay
 * compressed in grpc-js's stream buffer (16 messages) and, past those, in the sender's HTTP/2
 * flow-control window: a device whose batches wait their turn is slowed down instead of having
 * them decoded into the coordinator's memory. (An edge sends at most its in-flight window, 4
 * batches by default, ahead of the acks anyway.)
 */
const STREAM_READ_AHEAD = 2;

/** The names a client certificate vouches for: its subject CN and its DNS and URI SANs. */
export function certificateNames(cert: PeerCertificate | undefined): string[] {
  if (!cert?.subject) return [];
  const names = new Set<string>();
  const cn = cert.subject.CN;
  for (const name of Array.isArray(cn) ? cn : cn ? [cn] : []) names.add(name);
  for (const entry of (cert.subjectaltname ?? '').split(/,\s*/)) {
    const m = /^(?:DNS|URI):(.+)$/.exec(entry);
    if (m) names.add(m[1]!);
  }
  return [...names];
}

/** Extension points for the rest of the coordinator (live feed, triage, config, commands). */
export interface IngestHooks {
  onStored?(deviceId: string, items: IngestItem[]): void;
  onConfigReport?(deviceId: string, report: ConfigReport__Output): void;
  onCommandReceipt?(deviceId: string, receipt: CommandReceipt__Output): void;
  /** Called when a device's stream opens: e.g. to push pending config and commands. */
  onSessionOpen?(deviceId: string, send: (msg: CoordinatorMessage) => void): void;
}

export interface EdgeLinkServerOptions {
  host: string;
  port: number;
  /** With clientCaFile: mTLS, and the certificate must name the device (see certificateNames). */
  tls?: { certFile: string; keyFile: string; clientCaFile?: string };
  store: CoordinatorStore;
  presence: Presence;
  metrics: CoordinatorMetrics;
  maxBatchBytes: number;
  maxBatchRecords: number;
  /** Batches and compressed bytes decoded and written at once across all streams. */
  ingestBudget?: { batches: number; bytes: number };
  hooks?: IngestHooks;
  logger?: Logger;
}

export class EdgeLinkServer {
  private server: grpc.Server | undefined;
  private boundPort = 0;
  private readonly log: Logger;
  private readonly rateLimited: RateLimitedLog;
  private readonly sends = new Map<string, (msg: CoordinatorMessage) => void>();
  private readonly writeTurns: FairQueue;

  constructor(private readonly options: EdgeLinkServerOptions) {
    this.log = options.logger ?? componentLogger('edgelink');
    this.rateLimited = new RateLimitedLog(this.log);
    const budget = options.ingestBudget ?? DEFAULT_INGEST_BUDGET;
    const m = options.metrics;
    this.writeTurns = new FairQueue({
      maxJobs: budget.batches,
      maxBytes: budget.bytes,
      onChange: (s) => {
        m.ingestQueueBatches.set(s.waitingJobs);
        m.ingestQueueDevices.set(s.waitingKeys);
        m.ingestInflightBatches.set(s.runningJobs);
        m.ingestInflightBytes.set(s.runningBytes);
      },
    });
  }

  async start(): Promise<number> {
    const server = new grpc.Server({
      ...KEEPALIVE_OPTIONS,
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      // Edges ping every 15 s; allow it rather than answering with GOAWAY "too_many_pings".
      'grpc.http2.min_ping_interval_without_data_ms': 5_000,
    });
    const handlers: EdgeLinkHandlers = {
      Register: (call, callback) => {
        this.register(call.request, call.getAuthContext())
          .then((response) => callback(null, response))
          .catch((err: unknown) => {
            const e = asIocError(err);
            callback({ code: e.grpcStatus, details: e.message });
          });
      },
      Sync: (call) => this.sync(call),
    };
    server.addService(edgeLinkGrpc().ioc.edgelink.v1.EdgeLink.service, handlers);
    const tls = this.options.tls;
    const credentials = tls
      ? grpc.ServerCredentials.createSsl(
          tls.clientCaFile ? readFileSync(tls.clientCaFile) : null,
          [{ cert_chain: readFileSync(tls.certFile), private_key: readFileSync(tls.keyFile) }],
          tls.clientCaFile !== undefined,
        )
      : grpc.ServerCredentials.createInsecure();
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${this.options.host}:${this.options.port}`, credentials, (err, port) => (err ? reject(err) : resolve(port))),
    );
    this.server = server;
    const security = !tls ? 'plaintext' : tls.clientCaFile ? 'mtls' : 'tls';
    if (security === 'plaintext')
      this.log.warn(
        { port: this.boundPort, host: this.options.host },
        'EdgeLink gRPC listening WITHOUT TLS: device tokens cross the network in clear (set grpc.tls)',
      );
    else this.log.info({ port: this.boundPort, security }, 'EdgeLink gRPC listening');
    return this.boundPort;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Sends a message to a connected device; false when it is not connected here. */
  sendTo(deviceId: string, msg: CoordinatorMessage): boolean {
    const send = this.sends.get(deviceId);
    if (!send) return false;
    send(msg);
    return true;
  }

  /** The token, and with mTLS also the client certificate, must both name this device. */
  private async authenticate(deviceId: string, token: string, peer: AuthContext): Promise<DeviceRow> {
    const device = deviceId ? await this.options.store.getDevice(deviceId) : undefined;
    const reason = !device ? 'unknown_device' : device.revoked ? 'revoked' : !tokenMatches(token, device.tokenSha256) ? 'bad_token' : undefined;
    if (reason || !device) {
      this.options.metrics.authFailures.inc({ reason: reason ?? 'unknown_device' });
      this.rateLimited.warn(`auth:${deviceId}:${reason}`, { deviceId, reason }, 'device refused');
      throw new IocError('UNAUTHENTICATED', reason === 'revoked' ? `device ${deviceId} is revoked` : 'unknown device or wrong token');
    }
    if (this.options.tls?.clientCaFile !== undefined) {
      const names = certificateNames(peer.sslPeerCertificate);
      if (!names.includes(device.id)) {
        const certReason = names.length === 0 ? 'no_client_cert' : 'cert_device_mismatch';
        this.options.metrics.authFailures.inc({ reason: certReason });
        this.rateLimited.warn(
          `auth:${deviceId}:${certReason}`,
          { deviceId, reason: certReason, certificateNames: names },
          'device refused: client certificate does not name this device',
        );
        throw new IocError(
          'UNAUTHENTICATED',
          names.length === 0 ? 'a client certificate is required' : `client certificate is for ${names.join(', ')}, not ${device.id}`,
        );
      }
    }
    return device;
  }

  private async register(
    request: { device_id: string; token: string; software_version: string; config_version: string; edge_wall_time_ms: number; protocol_version: number },
    peer: AuthContext,
  ) {
    const receivedMs = Date.now();
    const device = await this.authenticate(request.device_id, request.token, peer);
    const states = await this.options.store.laneStates(device.id);
    await this.options.store.updateDeviceStatus(device.id, {
      softwareVersion: request.software_version,
      configVersion: request.config_version,
      lastSeenMs: Date.now(),
    });
    return {
      protocol_version: Math.min(PROTOCOL_VERSION, request.protocol_version || PROTOCOL_VERSION),
      coordinator_receive_time_ms: receivedMs,
      coordinator_time_ms: Date.now(),
      acked: states.map((s) => ({ lane: laneToProto(s.lane), seq: s.contiguousSeq })),
      session_id: randomUUID(),
      desired_config_version: '',
      max_batch_bytes: this.options.maxBatchBytes,
    };
  }

  private sync(call: SyncCall): void {
    const deviceId = String(call.metadata.get('x-device-id')[0] ?? '');
    const token = String(call.metadata.get('authorization')[0] ?? '').replace(/^Bearer\s+/i, '');
    let closed = false;
    let chain: Promise<void> = Promise.resolve();
    const send = (msg: CoordinatorMessage) => {
      if (!closed) call.write(msg);
    };
    const session: LiveSession = {
      deviceId,
      sessionId: randomUUID(),
      connectedAtMs: Date.now(),
      lastMessageMs: Date.now(),
      close: (reason, code) => {
        if (closed) return;
        send({ goodbye: { reason, code } });
        closed = true;
        call.end();
      },
    };
    const fail = (err: IocError) => {
      if (closed) return;
      closed = true;
      call.emit('error', { code: err.grpcStatus, details: err.message });
    };
    let authenticated = false;
    const authed = this.authenticate(deviceId, token, call.getAuthContext()).then((device) => {
      if (closed) return undefined;
      authenticated = true;
      this.options.presence.attach(session);
      this.sends.set(deviceId, send);
      this.log.info({ deviceId }, 'device stream open');
      this.options.hooks?.onSessionOpen?.(deviceId, send);
      return device;
    });
    authed.catch((err: unknown) => fail(asIocError(err)));

    let unhandled = 0;
    call.on('data', (msg: EdgeMessage__Output) => {
      const receivedAt = Date.now();
      // A message waiting its turn is still a sign of life.
      if (authenticated) this.options.presence.touch(deviceId, receivedAt);
      if (++unhandled >= STREAM_READ_AHEAD) call.pause();
      chain = chain
        .then(() => authed)
        .then((device) => (device && !closed ? this.handle(device, msg, send, receivedAt) : undefined))
        .catch((err: unknown) => {
          const e = asIocError(err);
          this.log.error({ deviceId, err: e.message }, 'sync stream failed');
          fail(e);
        })
        .finally(() => {
          if (--unhandled < STREAM_READ_AHEAD && call.isPaused()) call.resume();
        });
    });
    const detach = () => {
      closed = true;
      this.options.presence.detach(session);
      if (this.sends.get(deviceId) === send) this.sends.delete(deviceId);
    };
    call.on('end', () => {
      detach();
      call.end();
    });
    call.on('error', detach);
    call.on('cancelled', detach);
  }

  /** One handler per EdgeLink message kind; the type makes a new kind in the proto a compile error here. */
  private readonly handlers: {
    [K in EdgeMessageKind]: (device: DeviceRow, msg: NonNullable<EdgeMessage__Output[K]>, send: Send, receivedAt: number) => Promise<void> | void;
  } = {
    hello: () => undefined,
    batch: (device, batch, send) => this.ingestBatch(device, batch, send),
    heartbeat: (device, heartbeat) => this.recordHeartbeat(device, heartbeat),
    drops: (device, report, send) => this.recordDrops(device, report, send),
    config_report: (device, report) => this.options.hooks?.onConfigReport?.(device.id, report),
    command_receipt: (device, receipt) => this.options.hooks?.onCommandReceipt?.(device.id, receipt),
    pong: () => undefined,
    probe: (_device, probe, send, receivedAt) =>
      send({
        probe_ack: { probe_id: probe.probe_id, received_bytes: probe.padding.length, coordinator_receive_time_ms: receivedAt, coordinator_time_ms: Date.now() },
      }),
  };

  private async handle(device: DeviceRow, msg: EdgeMessage__Output, send: Send, receivedAt: number): Promise<void> {
    this.options.presence.touch(device.id);
    const kind = msg.body;
    if (!kind) return; // newer edge message this coordinator does not know
    const handler = this.handlers[kind] as (device: DeviceRow, msg: unknown, send: Send, receivedAt: number) => Promise<void> | void;
    await handler(device, msg[kind], send, receivedAt);
  }

  private async recordHeartbeat(device: DeviceRow, heartbeat: NonNullable<EdgeMessage__Output['heartbeat']>): Promise<void> {
    const row = heartbeatRow(heartbeat, Date.now());
    this.options.metrics.deviceBacklogRecords.set({ device: device.id }, row.outboxRecords);
    this.options.metrics.deviceLagSeconds.set({ device: device.id }, row.oldestUnsentAgeMs / 1000);
    await this.options.store.updateDeviceStatus(device.id, {
      heartbeat: row,
      lastSeenMs: row.receivedMs,
      clockOffsetMs: row.clockOffsetMs,
      configVersion: row.configVersion || undefined,
      softwareVersion: row.softwareVersion || undefined,
    });
  }

  private async recordDrops(device: DeviceRow, report: NonNullable<EdgeMessage__Output['drops']>, send: Send): Promise<void> {
    const ranges = report.ranges.flatMap((r) => {
      const lane = laneFromProto(r.lane);
      if (!lane || r.first_seq < 1 || r.last_seq < r.first_seq) return [];
      return [
        {
          lane,
          firstSeq: r.first_seq,
          lastSeq: r.last_seq,
          reason: r.reason || 'unknown',
          firstEdgeTimeMs: r.first_edge_time_ms,
          lastEdgeTimeMs: r.last_edge_time_ms,
          receivedMs: Date.now(),
        },
      ];
    });
    const acked = await this.options.store.recordDrops(device.id, ranges);
    send({ ack: { batch_id: 0, acked: acked.map((a) => ({ lane: laneToProto(a.lane), seq: a.seq })) } });
    send({ drop_ack: { report_id: report.report_id, acked: acked.map((a) => ({ lane: laneToProto(a.lane), seq: a.seq })) } });
  }

  private async ingestBatch(device: DeviceRow, batch: NonNullable<EdgeMessage__Output['batch']>, send: Send): Promise<void> {
    const started = process.hrtime.bigint();
    if (batch.body.length > this.options.maxBatchBytes) {
      this.options.metrics.ingestRejects.inc({ device: device.id, code: 'PAYLOAD_TOO_LARGE' });
      send({ ack: { batch_id: batch.batch_id, error: `batch of ${batch.body.length} bytes exceeds ${this.options.maxBatchBytes}` } });
      return;
    }
    const written = await this.writeTurns.run(device.id, batch.body.length, async () => {
      this.options.metrics.ingestQueueWaitSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      // The stream closed while the batch waited (link cut, replaced by a newer stream): nobody
      // would get the ack, and the device sends the batch again on its next stream.
      if (this.sends.get(device.id) !== send) return undefined;
      return this.writeBatch(device, batch);
    });
    if (!written) return;
    if ('error' in written) {
      send({ ack: { batch_id: batch.batch_id, error: written.error } });
      return;
    }
    const { result, rejected } = written;
    // Lanes with nothing stored in this batch are still acknowledged at their current position.
    const ackedLanes = new Map(result.acked.map((a) => [a.lane, a.seq]));
    const acked = LANES.filter((l) => ackedLanes.has(l)).map((l) => ({ lane: laneToProto(l), seq: ackedLanes.get(l)! }));
    send({ ack: { batch_id: batch.batch_id, acked, rejected } });
    this.options.metrics.ingestBatchSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    // The device was waiting for this turn: it is alive even if its stream was paused meanwhile.
    this.options.presence.touch(device.id);
    if (result.stored.length > 0) this.options.hooks?.onStored?.(device.id, result.stored);
  }

  /** Decodes, maps and stores one batch (the part that holds memory and the store's time). */
  private async writeBatch(device: DeviceRow, batch: NonNullable<EdgeMessage__Output['batch']>) {
    let records: ReturnType<typeof decodeBatchBody>;
    try {
      records = decodeBatchBody(batch.body, batch.compression, this.options.maxBatchRecords);
    } catch (err) {
      this.options.metrics.ingestRejects.inc({ device: device.id, code: 'BAD_BATCH' });
      this.rateLimited.warn(`badbatch:${device.id}`, { deviceId: device.id, err: errorMessage(err) }, 'undecodable batch refused');
      return { error: errorMessage(err) };
    }
    const offset = (await this.options.store.getDevice(device.id))?.clockOffsetMs ?? 0;
    const ctx = { deviceId: device.id, site: device.site, sessionOffsetMs: offset, receivedMs: Date.now() };
    const items: IngestItem[] = [];
    const rejected: Rejection[] = [];
    for (const record of records) {
      const mapped = mapRecord(record, ctx);
      if (mapped.ok) items.push(mapped.item);
      else {
        this.options.metrics.ingestRejects.inc({ device: device.id, code: mapped.code });
        rejected.push({ lane: mapped.lane ? laneToProto(mapped.lane) : 'LANE_UNSPECIFIED', seq: mapped.seq, code: mapped.code, reason: mapped.reason });
      }
    }
    const result = await this.options.store.ingest(device.id, items);
    const dupes = items.length - result.stored.length;
    if (dupes > 0) this.options.metrics.ingestDuplicates.inc({ device: device.id }, dupes);
    const storedByKind = new Map<string, number>();
    for (const item of result.stored) {
      const kind = item.event?.kind ?? (item.thumbnail ? 'thumbnail' : 'unknown');
      storedByKind.set(kind, (storedByKind.get(kind) ?? 0) + 1);
    }
    for (const [kind, n] of storedByKind) this.options.metrics.ingestRecords.inc({ device: device.id, kind }, n);
    return { result, rejected };
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    this.options.presence.closeAll('coordinator shutting down');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 2000);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
