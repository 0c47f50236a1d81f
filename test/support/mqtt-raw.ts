// Hand-built MQTT 3.1.1 packets and a raw TCP client, for tests and the fuzzer that must send
// what no well-behaved client library would (oversize, truncated, garbage, slow bytes).
import { connect, type Socket } from 'node:net';

/** The remaining-length varint of the fixed header. */
export function remainingLength(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

function str(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s) : s;
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

export function packet(type: number, flags: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(type << 4) | flags]), remainingLength(body.length), body]);
}

export function connectPacket(options: { clientId: string; username?: string; password?: string; keepalive?: number }): Buffer {
  let flags = 0x02; // clean session
  if (options.username !== undefined) flags |= 0x80;
  if (options.password !== undefined) flags |= 0x40;
  const keepalive = Buffer.alloc(2);
  keepalive.writeUInt16BE(options.keepalive ?? 30);
  const parts = [str('MQTT'), Buffer.from([4, flags]), keepalive, str(options.clientId)];
  if (options.username !== undefined) parts.push(str(options.username));
  if (options.password !== undefined) parts.push(str(options.password));
  return packet(1, 0, Buffer.concat(parts));
}

export function publishPacket(topic: string, payload: Buffer | string, qos: 0 | 1 = 0, messageId = 1): Buffer {
  const id = Buffer.alloc(qos > 0 ? 2 : 0);
  if (qos > 0) id.writeUInt16BE(messageId);
  return packet(3, qos << 1, Buffer.concat([str(topic), id, Buffer.from(payload)]));
}

export const PINGREQ = Buffer.from([0xc0, 0x00]);
export const DISCONNECT = Buffer.from([0xe0, 0x00]);

/** A raw connection that records what came back and when it closed. */
export class RawClient {
  readonly socket: Socket;
  received = Buffer.alloc(0);
  closed = false;
  readonly closedPromise: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => (this.received = Buffer.concat([this.received, d]).subarray(-65_536)));
    socket.on('error', () => undefined);
    this.closedPromise = new Promise((resolve) => {
      socket.once('close', () => {
        this.closed = true;
        resolve();
      });
    });
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host);
      socket.once('connect', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  write(data: Buffer): Promise<void> {
    if (this.closed || this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.socket.write(data, () => resolve()));
  }

  /** Streams `total` bytes of `chunk` repeated, with backpressure; stops early when closed. Returns bytes written. */
  async stream(chunk: Buffer, total: number): Promise<number> {
    let sent = 0;
    while (sent < total && !this.closed && !this.socket.destroyed) {
      const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
      sent += piece.length;
      if (!this.socket.write(piece)) {
        await new Promise<void>((resolve) => {
          const done = () => (this.socket.off('drain', done), this.socket.off('close', done), resolve());
          this.socket.once('drain', done);
          this.socket.once('close', done);
        });
      }
    }
    return sent;
  }

  /** CONNACK return code (0 = accepted), once it arrived. */
  connack(): number | undefined {
    const i = this.received.indexOf(0x20);
    return i >= 0 && this.received.length >= i + 4 ? this.received[i + 3] : undefined;
  }

  destroy(): void {
    this.socket.destroy();
  }
}
