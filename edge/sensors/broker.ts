// The embedded MQTT broker (aedes) for the site's sensors. Each sensor logs in with its own
// credentials and may publish only under sensors/<its id>/#; everything refused is counted.
import { createServer, type Server, type AddressInfo } from 'node:net';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { SensorConfig } from '../../common/config/edge-schema.js';
import { componentLogger, RateLimitedLog, type Logger } from '../../common/log.js';
import { monoNowMs } from '../../common/time.js';
import type { EdgeMetrics } from '../metrics.js';
import type { Component, ComponentHealthReport } from '../component.js';
import { parseReading, type RejectReason, type SensorReading } from './readings.js';

export interface SensorBrokerOptions {
  host: string;
  port: number;
  websocketPort?: number;
  maxPayloadBytes: number;
  sensors: readonly SensorConfig[];
  metrics: EdgeMetrics;
  logger?: Logger;
  onReading(reading: SensorReading): void;
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

  constructor(private readonly options: SensorBrokerOptions) {
    this.log = options.logger ?? componentLogger('broker');
    this.rateLimited = new RateLimitedLog(this.log);
    for (const sensor of options.sensors) this.byUsername.set(sensor.credentials.username, sensor);
  }

  async start(): Promise<void> {
    const aedes = await Aedes.createBroker({
      id: 'ioc-edge',
      maxClientsIdLength: 128,
      authenticate: (client, username, password, done) => this.authenticate(client, username, password, done),
      authorizePublish: (client, packet, callback) => {
        const sensor = client ? this.sensorOfClient.get(client) : undefined;
        if (!sensor || !packet.topic.startsWith(`sensors/${sensor.id}/`)) {
          this.reject('acl_denied', { clientId: client?.id, topic: packet.topic }, 'publish outside the sensor\'s own topic; disconnecting');
          return callback(new Error('not authorized to publish on ' + packet.topic));
        }
        callback(null);
      },
      authorizeSubscribe: (client, subscription, callback) => {
        this.reject('subscribe_denied', { clientId: client.id, topic: subscription.topic }, 'sensors may not subscribe');
        callback(new Error('subscriptions are not allowed on this broker'));
      },
      published: (packet, client, callback) => {
        if (client) this.ingest(client, packet.topic, packet.payload as Buffer);
        callback(null);
      },
    });
    aedes.on('clientError', (client, err) => this.log.debug({ clientId: client.id, err: err.message }, 'mqtt client error'));
    aedes.on('client', () => this.options.metrics.mqttClients.set(aedes.connectedClients));
    aedes.on('clientDisconnect', () => this.options.metrics.mqttClients.set(aedes.connectedClients));
    this.aedes = aedes;

    this.tcp = createServer(aedes.handle);
    await listen(this.tcp, this.options.port, this.options.host);
    this.tcp.on('error', (err) => this.options.onFailure?.(err));
    if (this.options.websocketPort !== undefined) {
      this.http = createHttpServer();
      this.wss = new WebSocketServer({ server: this.http });
      this.wss.on('connection', (ws, req) => aedes.handle(createWebSocketStream(ws), req));
      await listen(this.http, this.options.websocketPort, this.options.host);
      this.http.on('error', (err) => this.options.onFailure?.(err));
    }
    this.log.info({ port: this.port, websocketPort: this.websocketPort, sensors: this.byUsername.size }, 'sensor broker listening');
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
      return done(authError('unknown client', NOT_AUTHORIZED), false);
    }
    if (!password || !sameSecret(password, sensor.credentials.password)) {
      this.reject('bad_credentials', { clientId: client.id, username }, 'wrong MQTT password refused');
      return done(authError('bad username or password', BAD_USERNAME_OR_PASSWORD), false);
    }
    this.sensorOfClient.set(client, sensor);
    done(null, true);
  }

  private ingest(client: Client, topic: string, payload: Buffer): void {
    const sensor = this.sensorOfClient.get(client);
    if (!sensor) return;
    const result = parseReading(sensor, topic, payload, { maxPayloadBytes: this.options.maxPayloadBytes }, { wallMs: Date.now(), monoMs: monoNowMs() });
    if (!result.ok) {
      this.reject(result.reason, { sensor: sensor.id, topic, detail: result.detail }, 'sensor payload dropped');
      return;
    }
    this.accepted++;
    this.lastMessageMs = Date.now();
    this.options.metrics.mqttMessages.inc({ sensor: sensor.id });
    try {
      this.options.onReading(result.reading);
    } catch (err) {
      this.log.error({ err: (err as Error).message, sensor: sensor.id }, 'reading handler failed');
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
      info: { port: this.port, clients: this.aedes?.connectedClients ?? 0, accepted: this.accepted, rejects: this.rejectCounts() },
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

function authError(message: string, code: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: code }) as AuthenticateError;
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
