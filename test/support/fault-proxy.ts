// A TCP proxy between an edge and the coordinator that behaves like a bad mountain link:
// added latency, a token-bucket throttle in both directions with small buffers, cuts
// (connections closed, new ones refused), blackholes (accepted, then silence, no RST) and
// connection resets at random points. Tests turn faults on and off while traffic flows.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface FaultProxyOptions {
  targetHost?: string;
  targetPort: number;
  /** Listen on this port (kept across cut/restore); 0 picks a free one. */
  port?: number;
  /**
   * Bytes the proxy holds per direction before it stops reading from the sender, like a
   * modem's queue. Small by default so a throttled link pushes back instead of hiding
   * seconds of data in the proxy.
   */
  bufferBytes?: number;
}

export interface ResetPlan {
  /** Each connection is reset after a random number of bytes (both directions) in [min, max]. */
  minBytes: number;
  maxBytes: number;
}

export interface ProxyStats {
  /** Payload bytes delivered client → target and target → client. */
  bytesUp: number;
  bytesDown: number;
  connections: number;
  resets: number;
}

type Direction = 'up' | 'down';

/** One direction of one connection: a queue, a token bucket and a delay line. */
class Pipe {
  private queue: Buffer[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  private inDelay = 0;
  private waitingDrain = false;
  private closed = false;

  constructor(
    private readonly proxy: FaultProxy,
    private readonly conn: Connection,
    private readonly from: Socket,
    private readonly to: Socket,
    readonly direction: Direction,
  ) {
    from.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.queue.push(chunk);
    this.queued += chunk.length;
    if (this.queued + this.inDelay >= this.proxy.bufferBytes) this.from.pause();
    this.pump();
  }

  pump(): void {
    if (this.closed || this.timer || this.waitingDrain) return;
    while (this.queue.length > 0) {
      if (this.proxy.isBlackholed) return; // hold everything; the sender's buffers fill up
      const head = this.queue[0]!;
      const allowed = this.proxy.take(this.direction, head.length);
      if (allowed <= 0) {
        this.timer = setTimeout(
          () => {
            this.timer = undefined;
            this.pump();
          },
          this.proxy.waitMs(this.direction, head.length),
        );
        return;
      }
      const slice = allowed >= head.length ? head : head.subarray(0, allowed);
      if (allowed >= head.length) this.queue.shift();
      else this.queue[0] = head.subarray(allowed);
      this.queued -= slice.length;
      this.forward(slice);
      if (this.closed) return;
    }
    if (this.queued + this.inDelay < this.proxy.bufferBytes && !this.proxy.isBlackholed) this.from.resume();
  }

  private forward(slice: Buffer): void {
    const latency = this.proxy.latencyMs;
    if (latency <= 0) {
      this.deliver(slice);
      return;
    }
    this.inDelay += slice.length;
    // Same delay for every slice, so setTimeout keeps the byte order.
    setTimeout(() => {
      this.inDelay -= slice.length;
      this.deliver(slice);
      this.pump();
    }, latency);
  }

  private deliver(slice: Buffer): void {
    if (this.closed || this.to.destroyed) return;
    this.proxy.count(this.direction, slice.length);
    const ok = this.to.write(slice);
    if (this.conn.countAndMaybeReset(slice.length)) return;
    if (!ok && !this.waitingDrain) {
      this.waitingDrain = true;
      this.to.once('drain', () => {
        this.waitingDrain = false;
        this.pump();
      });
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.queue = [];
  }
}

class Connection {
  readonly pipes: Pipe[] = [];
  private bytes = 0;
  private readonly resetAfter: number;
  private done = false;

  constructor(
    private readonly proxy: FaultProxy,
    readonly client: Socket,
    readonly upstream: Socket,
  ) {
    const plan = proxy.resetPlan;
    this.resetAfter = plan ? plan.minBytes + Math.floor(Math.random() * (plan.maxBytes - plan.minBytes + 1)) : Number.POSITIVE_INFINITY;
    this.pipes.push(new Pipe(proxy, this, client, upstream, 'up'), new Pipe(proxy, this, upstream, client, 'down'));
    const end = () => this.close();
    for (const s of [client, upstream]) {
      s.on('error', end);
      s.on('close', end);
      s.on('end', end);
    }
  }

  /** True when the connection was just reset. */
  countAndMaybeReset(n: number): boolean {
    this.bytes += n;
    if (this.bytes < this.resetAfter) return false;
    this.proxy.noteReset();
    this.reset();
    return true;
  }

  pump(): void {
    for (const p of this.pipes) p.pump();
  }

  /** RST both sides, as a NAT timeout or a dying base station does. */
  reset(): void {
    if (this.done) return;
    this.done = true;
    for (const p of this.pipes) p.close();
    for (const s of [this.client, this.upstream]) {
      if (!s.destroyed) s.resetAndDestroy();
    }
    this.proxy.forget(this);
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    for (const p of this.pipes) p.close();
    this.client.destroy();
    this.upstream.destroy();
    this.proxy.forget(this);
  }
}

export class FaultProxy {
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  private readonly silent = new Set<Socket>();
  private listenPort = 0;
  private rateBytesPerSecond = 0;
  private readonly tokens: Record<Direction, number> = { up: 0, down: 0 };
  private readonly lastRefill: Record<Direction, number> = { up: 0, down: 0 };
  private blackholed = false;
  private isCut = false;
  latencyMs = 0;
  resetPlan: ResetPlan | undefined;
  readonly bufferBytes: number;
  readonly stats: ProxyStats = { bytesUp: 0, bytesDown: 0, connections: 0, resets: 0 };

  private constructor(private readonly options: FaultProxyOptions) {
    this.bufferBytes = options.bufferBytes ?? 16 * 1024;
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const proxy = new FaultProxy(options);
    await proxy.listen(options.port ?? 0);
    return proxy;
  }

  get port(): number {
    return this.listenPort;
  }

  get address(): string {
    return `127.0.0.1:${this.listenPort}`;
  }

  get isCutOff(): boolean {
    return this.isCut;
  }

  get isBlackholed(): boolean {
    return this.blackholed;
  }

  get openConnections(): number {
    return this.connections.size;
  }

  private listen(port: number): Promise<void> {
    const server = createServer({ pauseOnConnect: true }, (client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        this.listenPort = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  private accept(client: Socket): void {
    client.setNoDelay(true);
    if (this.blackholed) {
      // Accepted, then nothing: no data either way, no FIN, no RST.
      this.silent.add(client);
      client.on('error', () => undefined);
      client.on('close', () => this.silent.delete(client));
      return;
    }
    this.stats.connections++;
    const upstream = connect({ host: this.options.targetHost ?? '127.0.0.1', port: this.options.targetPort });
    upstream.setNoDelay(true);
    upstream.pause();
    const conn = new Connection(this, client, upstream);
    this.connections.add(conn);
    upstream.once('connect', () => {
      client.resume();
      upstream.resume();
    });
  }

  /** Adds `ms` of one-way delay in each direction. */
  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  /** Throttles each direction to `kbps` kilobits per second; null or 0 lifts the throttle. */
  setThrottle(kbps: number | null): void {
    this.rateBytesPerSecond = kbps ? (kbps * 1000) / 8 : 0;
    const now = performance.now();
    for (const d of ['up', 'down'] as const) {
      this.tokens[d] = 0;
      this.lastRefill[d] = now;
    }
    this.pumpAll();
  }

  /** Resets each new connection after a random number of bytes; null stops resetting. */
  setResets(plan: ResetPlan | null): void {
    this.resetPlan = plan ?? undefined;
  }

  /** Resets every open connection now (RST). */
  resetAll(): void {
    for (const c of [...this.connections]) {
      this.stats.resets++;
      c.reset();
    }
  }

  /** Closes every connection and stops listening: new connections are refused until restore(). */
  async cut(): Promise<void> {
    this.isCut = true;
    for (const c of [...this.connections]) c.close();
    for (const s of [...this.silent]) s.destroy();
    this.silent.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Open connections stop passing data (no close, no RST) and new ones are accepted into silence. */
  blackhole(): void {
    this.blackholed = true;
  }

  /** Ends a cut or a blackhole: held data flows again and new connections are proxied. */
  async restore(): Promise<void> {
    this.isCut = false;
    this.blackholed = false;
    for (const s of [...this.silent]) s.destroy();
    this.silent.clear();
    if (!this.server) await this.listenAgain();
    this.pumpAll();
  }

  /** The same port again; retried briefly in case the kernel still holds it. */
  private async listenAgain(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.listen(this.listenPort);
        return;
      } catch (err) {
        if (attempt >= 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private pumpAll(): void {
    for (const c of this.connections) c.pump();
  }

  /** Bytes the throttle allows now in `direction`, up to `wanted`; spends them. */
  take(direction: Direction, wanted: number): number {
    if (this.rateBytesPerSecond <= 0) return wanted;
    this.refill(direction);
    const n = Math.min(wanted, Math.floor(this.tokens[direction]));
    if (n > 0) this.tokens[direction] -= n;
    return n;
  }

  /** Milliseconds until `bytes` (capped at one burst) may be sent in `direction`. */
  waitMs(direction: Direction, bytes: number): number {
    if (this.rateBytesPerSecond <= 0) return 0;
    this.refill(direction);
    const missing = Math.min(bytes, this.burstBytes()) - this.tokens[direction];
    return Math.max(5, Math.ceil((missing / this.rateBytesPerSecond) * 1000));
  }

  /** 50 ms worth: a serial link sends at its rate, it does not save up. */
  private burstBytes(): number {
    return Math.max(64, this.rateBytesPerSecond * 0.05);
  }

  private refill(direction: Direction): void {
    const now = performance.now();
    this.tokens[direction] = Math.min(this.burstBytes(), this.tokens[direction] + ((now - this.lastRefill[direction]) / 1000) * this.rateBytesPerSecond);
    this.lastRefill[direction] = now;
  }

  count(direction: Direction, bytes: number): void {
    if (direction === 'up') this.stats.bytesUp += bytes;
    else this.stats.bytesDown += bytes;
  }

  noteReset(): void {
    this.stats.resets++;
  }

  forget(conn: Connection): void {
    this.connections.delete(conn);
  }

  async close(): Promise<void> {
    for (const c of [...this.connections]) c.close();
    for (const s of this.silent) s.destroy();
    this.silent.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
