// edgectl's side of the admin socket: connects, sends one request per call and collects the
// streamed items and the final response. A missing or dead socket means the agent is down.
import { connect, type Socket } from 'node:net';
import { IocError, type ErrorCode } from '../../common/errors.js';
import { LineDecoder, encodeMessage, type AdminResponse } from './protocol.js';

/** The agent is not running (or not reachable through its socket). */
export class AgentNotRunningError extends IocError {
  constructor(
    readonly socketPath: string,
    readonly reason: string,
  ) {
    super('UNAVAILABLE', `the agent is not running (${reason} at ${socketPath}); start it with: systemctl start ioc-edge`);
    this.name = 'AgentNotRunningError';
  }
}

/** The socket exists but this user may not use it. */
export class SocketPermissionError extends IocError {
  constructor(readonly socketPath: string) {
    super('FORBIDDEN', `permission denied on ${socketPath}; run edgectl with sudo or as a member of the ioc-edge group`);
    this.name = 'SocketPermissionError';
  }
}

/** The agent answered with an error envelope. */
export class AdminError extends IocError {
  constructor(code: string, message: string, details?: unknown) {
    super(code as ErrorCode, message, { details });
    this.name = 'AdminError';
  }
}

export interface CallOptions {
  onItem?: (data: unknown) => void;
  /** Abort (Ctrl-C): the connection is closed, the agent stops the stream. */
  signal?: AbortSignal;
  timeoutMs?: number;
}

export class AdminClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; onItem?: (d: unknown) => void }>();
  private readonly decoder = new LineDecoder();

  private constructor(
    private readonly socket: Socket,
    readonly path: string,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      for (const line of this.decoder.push(chunk)) this.onLine(line);
    });
    socket.on('close', () => this.failAll(new AdminError('UNAVAILABLE', 'the agent closed the admin connection')));
    socket.on('error', () => undefined);
  }

  static connect(path: string, timeoutMs = 5_000): Promise<AdminClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new AgentNotRunningError(path, `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new AdminClient(socket, path));
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (err.code === 'EACCES' || err.code === 'EPERM') reject(new SocketPermissionError(path));
        else if (err.code === 'ENOENT') reject(new AgentNotRunningError(path, 'no socket'));
        else if (err.code === 'ECONNREFUSED') reject(new AgentNotRunningError(path, 'nobody listening on the socket'));
        else reject(new AgentNotRunningError(path, err.code ?? err.message));
      });
    });
  }

  call<T = unknown>(method: string, params: Record<string, unknown> = {}, options: CallOptions = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.pending.delete(id);
      };
      const onAbort = () => {
        done();
        reject(new AdminError('UNAVAILABLE', 'cancelled'));
        this.socket.destroy();
      };
      if (options.timeoutMs) {
        timer = setTimeout(() => {
          done();
          reject(new AdminError('UNAVAILABLE', `the agent did not answer ${method} within ${Math.round(options.timeoutMs! / 1000)} s`));
        }, options.timeoutMs);
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (v) => (done(), resolve(v as T)),
        reject: (e) => (done(), reject(e)),
        onItem: options.onItem,
      });
      this.socket.write(encodeMessage({ id, method, params }));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onLine(line: string): void {
    let message: AdminResponse;
    try {
      message = JSON.parse(line) as AdminResponse;
    } catch {
      return;
    }
    const entry = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
    if (!entry) {
      // An error without an id concerns the connection itself (e.g. an oversized request).
      if (message.id === null && message.status === 'error') this.failAll(new AdminError(message.code, message.error));
      return;
    }
    if (message.status === 'stream') entry.onItem?.(message.data);
    else if (message.status === 'ok') entry.resolve(message.data);
    else entry.reject(new AdminError(message.code, message.error, message.details));
  }

  private failAll(err: Error): void {
    for (const entry of [...this.pending.values()]) entry.reject(err);
    this.pending.clear();
  }
}
