// A stream guard in front of the MQTT parser: it reads each packet's fixed header (type and
// remaining length) as the bytes arrive and closes the connection as soon as a packet
// announces more than the connection may send, before its body is buffered anywhere. Before
// CONNECT is authenticated only a CONNECT-sized packet and a few KB in total are accepted;
// afterwards a packet may carry max_payload_bytes plus topic and header. The gate bounds how
// many connections may be waiting to authenticate at once.
import { Duplex } from 'node:stream';

export const PACKET_GUARD_DEFAULTS = {
  /** A sensor's CONNECT (client id, username, password, a small will) fits easily. */
  maxConnectBytes: 4096,
  /** All bytes a client may send before it is authenticated (CONNECT plus a pipelined publish or two). */
  maxPreAuthBytes: 16 * 1024,
  /** Topic, message id and properties on top of the payload of an authenticated PUBLISH. */
  postAuthOverheadBytes: 1024,
} as const;

export type GuardViolation = 'oversized_packet' | 'preauth_bytes' | 'malformed_header' | 'not_connect_first';

export interface PacketLimits {
  maxConnectBytes: number;
  maxPreAuthBytes: number;
  /** Largest remaining length of any packet once authenticated. */
  maxPacketBytes: number;
}

/** Counts connections that have not authenticated yet; refuses new ones beyond `max`. */
export class UnauthenticatedGate {
  private count = 0;
  constructor(readonly max: number) {}

  tryEnter(): boolean {
    if (this.count >= this.max) return false;
    this.count++;
    return true;
  }

  leave(): void {
    this.count = Math.max(0, this.count - 1);
  }

  get waiting(): number {
    return this.count;
  }
}

const CONNECT = 1;

/**
 * Wraps a connection (a TCP socket, or a websocket stream) for aedes.handle. Reads pass
 * through after inspection; writes go straight to the connection.
 */
export class PacketGuard extends Duplex {
  private authed = false;
  private inGate = true;
  private preAuthBytes = 0;
  private packets = 0;
  // Fixed-header parser state: 'type' → 'length' (varint) → 'body' (skip `left` bytes).
  private state: 'type' | 'length' | 'body' = 'type';
  private packetType = 0;
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private left = 0;

  constructor(
    private readonly inner: Duplex,
    private readonly limits: PacketLimits,
    private readonly gate: UnauthenticatedGate,
    private readonly onViolation: (violation: GuardViolation, detail: string) => void,
  ) {
    super({ allowHalfOpen: false });
    inner.on('data', (chunk: Buffer) => this.inspect(chunk));
    inner.on('end', () => this.push(null));
    inner.on('error', (err) => this.destroy(err));
    inner.on('close', () => this.destroy());
  }

  /** The broker accepted this connection's CONNECT: the post-auth limit applies from now on. */
  authenticated(): void {
    this.authed = true;
    this.leaveGate();
  }

  get remoteAddress(): string | undefined {
    return (this.inner as Duplex & { remoteAddress?: string }).remoteAddress;
  }

  private leaveGate(): void {
    if (!this.inGate) return;
    this.inGate = false;
    this.gate.leave();
  }

  private inspect(chunk: Buffer): void {
    if (this.destroyed) return;
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'body') {
        const skip = Math.min(this.left, chunk.length - i);
        this.left -= skip;
        i += skip;
        if (this.left === 0) this.state = 'type';
        continue;
      }
      const byte = chunk[i++]!;
      if (this.state === 'type') {
        this.packetType = byte >> 4;
        if (this.packets === 0 && this.packetType !== CONNECT) {
          this.refuse('not_connect_first', `first packet has type ${this.packetType}, not CONNECT`);
          return;
        }
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        continue;
      }
      // Remaining length: up to four 7-bit groups, least significant first.
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes++;
      if (byte & 0x80) {
        if (this.lengthBytes >= 4) {
          this.refuse('malformed_header', 'remaining length longer than four bytes');
          return;
        }
        continue;
      }
      const limit = this.authed ? this.limits.maxPacketBytes : this.limits.maxConnectBytes;
      if (this.length > limit) {
        this.refuse(
          'oversized_packet',
          `packet type ${this.packetType} announces ${this.length} bytes (limit ${limit}${this.authed ? '' : ' before authentication'})`,
        );
        return;
      }
      this.packets++;
      this.left = this.length;
      this.state = this.left > 0 ? 'body' : 'type';
    }
    if (!this.authed) {
      this.preAuthBytes += chunk.length;
      if (this.preAuthBytes > this.limits.maxPreAuthBytes) {
        this.refuse('preauth_bytes', `more than ${this.limits.maxPreAuthBytes} bytes before authentication`);
        return;
      }
    }
    if (!this.push(chunk)) this.inner.pause();
  }

  private refuse(violation: GuardViolation, detail: string): void {
    this.onViolation(violation, detail);
    this.destroy();
  }

  override _read(): void {
    this.inner.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (this.inner.destroyed) {
      callback();
      return;
    }
    this.inner.write(chunk, encoding, callback);
  }

  /** Packets are written in pieces (header, length, body): one write to the connection for all. */
  override _writev(chunks: { chunk: Buffer }[], callback: (err?: Error | null) => void): void {
    if (this.inner.destroyed) {
      callback();
      return;
    }
    this.inner.write(Buffer.concat(chunks.map((c) => c.chunk)), callback);
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.inner.end(() => callback());
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.leaveGate();
    this.inner.destroy();
    callback(err);
  }
}
