// The embedded MQTT broker (aedes) for the site's sensors. Each sensor logs in with its own
// credentials and may publish only under sensors/<its id>/#; everything refused is counted.
// Every connection passes a packet guard (size limits before and after authentication) and
// a QoS 1/2 reading is acknowledged only once what it caused is durable in the outbox.
import { createServer, type Server, type AddressInfo, type Socket } from 'node:net';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { timingSafeEqual, createHash } from 'node:crypto';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { SensorConfig } from '../../common/config/edge-schema.js';
import { componentLogger, RateLimitedLog, type Logger } from '../../common/log.js';
import { AuthError, IocError, errorMessage } from '../../common/errors.js';
import { monoNowMs } from '../../common/time.js';
import type { EdgeMetrics } from '../metrics.js';
import type { Component, ComponentHealthReport } from '../component.js';
import { parseReading, type RejectReason, type SensorReading } from './readings.js';
import { PACKET_GUARD_DEFAULTS, PacketGuard, UnauthenticatedGate, type PacketLimits } from './packet-guard.js';

export interface SensorBrokerOptions {
  host: string;
  port: number;
  websocketPort?: number;
  maxPayloadBytes: number;
  sensors: readonly SensorConfig[];
  metrics: EdgeMetrics;
  logger?: Logger;
  /** Connections that have not authenticated yet, at most (default 64). */
  maxUnauthenticated?: number;
  /** A connection must send CONNECT within this long (default 10 s). */
  connectTimeoutMs?: number;
  /**
   * Takes a reading; the promise (if any) settles when its consequences are durable. QoS 1/2
   * publishes are acknowledged only after it resolves; a rejection drops the connection unacknowledged.
   */
  onReading(reading: SensorReading): void | Promise<void>;
  /** A listening socket broke after start: the supervisor restarts the broker. */
  onFailure?(err: Error): void;
}

const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

export class SensorBroker implements Component {
  readonly name = 'broker';
  private aedes: Aedes | undefined;
  private tcp: Server | undefined;
  private http: HttpServer | undefined;
  private wss: WebSocketServer | undefined;
  private readonly byUsername = new Map<string, SensorConfig>();
  private readonly sensorOfClient = new WeakMap<Client, SensorConfig>();
  private readonly rejects = new Map<RejectReason, number>();
  private readonly log: Logger;
  private readonly rateLimited: RateLimitedLog;
  private lastMessageMs = 0;
  private accepted = 0;
  private readonly gate: UnauthenticatedGate;
  private readonly limits: PacketLimits;

  constructor(private readonly options: SensorBrokerOptions) {
    this.log = options.logger ?? componentLogger('broker');
    this.rateLimited = new RateLimitedLog(this.log);
    for (const sensor of options.sensors) this.byUsername.set(sensor.credentials.username, sensor);
    this.gate = new UnauthenticatedGate(options.maxUnauthenticated ?? 64);
    this.limits = {
      maxConnectBytes: PACKET_GUARD_DEFAULTS.maxConnectBytes,
      maxPreAuthBytes: PACKET_GUARD_DEFAULTS.maxPreAuthBytes,
      maxPacketBytes: options.maxPayloadBytes + PACKET_GUARD_DEFAULTS.postAuthOverheadBytes,
    };
  }

  async start(): Promise<void> {
    const aedes = await Aedes.createBroker({
      id: 'ioc-edge',
      maxClientsIdLength: 128,
      connectTimeout: this.options.connectTimeoutMs ?? 10_000,
      authenticate: (client, username, password, done) => this.authenticate(client, username, password, done),
      authorizePublish: (client, packet, callback) => {
        const sensor = client ? this.sensorOfClient.get(client) : undefined;
        if (!sensor || !packet.topic.startsWith(`sensors/${sensor.id}/`)) {
          this.reject('acl_denied', { clientId: client?.id, topic: packet.topic }, "publish outside the sensor's own topic; disconnecting");
          return callback(new AuthError(`not authorized to publish on ${packet.topic}`, 'FORBIDDEN'));
        }
        // Ingested here, before aedes writes the PUBACK (it acks QoS 1 before `published`).
        const durable = this.ingest(client!, packet.topic, packet.payload as Buffer);
        if (packet.qos === 0 || !durable) return callback(null);
        durable.then(
          () => callback(null),
          (err: unknown) => {
            this.reject(
              'not_stored',
              { clientId: client?.id, topic: packet.topic, err: errorMessage(err) },
              'reading not stored; not acknowledged, the sensor will resend',
            );
            callback(new IocError('STORAGE', 'reading not stored', { cause: err }));
          },
        );
      },
      authorizeSubscribe: (client, subscription, callback) => {
        this.reject('subscribe_denied', { clientId: client.id, topic: subscription.topic }, 'sensors may not subscribe');
        callback(new AuthError('subscriptions are not allowed on this broker', 'FORBIDDEN'));
      },
    });
    aedes.on('clientError', (client, err) => this.log.debug({ clientId: client.id, err: err.message }, 'mqtt client error'));
    aedes.on('client', () => this.options.metrics.mqttClients.set(aedes.connectedClients));
    aedes.on('clientDisconnect', () => this.options.metrics.mqttClients.set(aedes.connectedClients));
    this.aedes = aedes;

    this.tcp = createServer((socket) => this.accept(socket, socket, undefined));
    await listen(this.tcp, this.options.port, this.options.host);
    this.tcp.on('error', (err) => this.options.onFailure?.(err));
    if (this.options.websocketPort !== undefined) {
      this.http = createHttpServer();
      // ws would otherwise buffer frames up to 100 MiB before the guard sees them.
      this.wss = new WebSocketServer({ server: this.http, maxPayload: this.limits.maxPacketBytes + 8 });
      this.wss.on('connection', (ws, req) => this.accept(createWebSocketStream(ws), req.socket, req));
      await listen(this.http, this.options.websocketPort, this.options.host);
      this.http.on('error', (err) => this.options.onFailure?.(err));
    }
    const address = (this.tcp.address() as AddressInfo).address;
    this.log.info(
      { address, port: this.port, websocketPort: this.websocketPort, sensors: this.byUsername.size },
      `sensor broker listening on ${address}:${this.port}`,
    );
  }

  /** Every connection enters through the unauthenticated gate and the packet guard. */
  private accept(conn: Duplex, socket: Socket, req: Parameters<Aedes['handle']>[1]): void {
    const aedes = this.aedes;
    if (!aedes || !this.gate.tryEnter()) {
      this.reject(
        'too_many_unauthenticated',
        { remote: socket.remoteAddress, waiting: this.gate.waiting },
        'too many connections waiting to authenticate; refused',
      );
      conn.destroy();
      return;
    }
    const guard = new PacketGuard(conn, this.limits, this.gate, (violation, detail) =>
      this.reject(violation, { remote: socket.remoteAddress, detail }, 'connection closed by the packet guard'),
    );
    guard.on('error', () => undefined);
    aedes.handle(guard, req);
  }

  get port(): number {
    return (this.tcp?.address() as AddressInfo | null)?.port ?? 0;
  }

  get websocketPort(): number | undefined {
    return (this.http?.address() as AddressInfo | null)?.port;
  }

  private authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    const sensor = username ? this.byUsername.get(username) : undefined;
    if (!sensor) {
      this.reject('unknown_client', { clientId: client.id, username }, 'unknown MQTT client refused');
      done(authError('unknown client', NOT_AUTHORIZED), false);
      return;
    }
    if (!password || !sameSecret(password, sensor.credentials.password)) {
      this.reject('bad_credentials', { clientId: client.id, username }, 'wrong MQTT password refused');
      done(authError('bad username or password', BAD_USERNAME_OR_PASSWORD), false);
      return;
    }
    this.sensorOfClient.set(client, sensor);
    (client.conn as unknown as PacketGuard).authenticated();
    done(null, true);
  }

  /** Parses and hands on one publish; the promise settles when the reading is durable. */
  private ingest(client: Client, topic: string, payload: Buffer): Promise<void> | undefined {
    const sensor = this.sensorOfClient.get(client);
    if (!sensor) return undefined;
    const result = parseReading(sensor, topic, payload, { maxPayloadBytes: this.options.maxPayloadBytes }, { wallMs: Date.now(), monoMs: monoNowMs() });
    if (!result.ok) {
      this.reject(result.reason, { sensor: sensor.id, topic, detail: result.detail }, 'sensor payload dropped');
      return undefined;
    }
    this.accepted++;
    this.lastMessageMs = Date.now();
    this.options.metrics.mqttMessages.inc({ sensor: sensor.id });
    try {
      const durable: unknown = this.options.onReading(result.reading);
      return durable instanceof Promise ? (durable as Promise<void>) : undefined;
    } catch (err) {
      this.log.error({ err: (err as Error).message, sensor: sensor.id }, 'reading handler failed');
      return Promise.reject(err as Error);
    }
  }

  private reject(reason: RejectReason, context: object, message: string): void {
    this.rejects.set(reason, (this.rejects.get(reason) ?? 0) + 1);
    this.options.metrics.mqttRejects.inc({ reason });
    this.rateLimited.warn(reason, { reason, ...context }, message);
  }

  rejectCounts(): Record<string, number> {
    return Object.fromEntries(this.rejects);
  }

  health(): ComponentHealthReport {
    const up = this.aedes !== undefined && !this.aedes.closed;
    return {
      name: this.name,
      state: up ? 'ok' : 'down',
      detail: up ? `port ${this.port}, ${this.aedes?.connectedClients ?? 0} clients` : 'not listening',
      lastSeenMs: this.lastMessageMs,
      info: {
        address: (this.tcp?.address() as AddressInfo | null)?.address,
        port: this.port,
        unauthenticated: this.gate.waiting,
        clients: this.aedes?.connectedClients ?? 0,
        accepted: this.accepted,
        rejects: this.rejectCounts(),
      },
    };
  }

  async stop(): Promise<void> {
    const aedes = this.aedes;
    this.aedes = undefined;
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    this.wss?.close();
    await Promise.all([closeServer(this.tcp), closeServer(this.http)]);
    this.tcp = undefined;
    this.http = undefined;
  }
}

/** aedes answers the CONNECT with `returnCode`; the error's own code is for the logs. */
function authError(message: string, returnCode: typeof BAD_USERNAME_OR_PASSWORD | typeof NOT_AUTHORIZED): AuthenticateError {
  const code = returnCode === NOT_AUTHORIZED ? 'FORBIDDEN' : 'UNAUTHENTICATED';
  return Object.assign(new AuthError(message, code), { returnCode }) as AuthenticateError;
}

/** Constant-time comparison of the presented password with the configured one. */
function sameSecret(presented: Buffer, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function listen(server: Server | HttpServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server | HttpServer | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
  });
}
