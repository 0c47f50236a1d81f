// The admin socket: a Unix socket (owner and group only, 0660) on which edgectl talks to the
// running agent. Requests are dispatched from one table of handlers (as aedes does with its
// packet handlers); a bad request gets an error envelope, never a crash.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { chmodSync, existsSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { IocError, asIocError } from '../../common/errors.js';
import { componentLogger, RateLimitedLog, type Logger } from '../../common/log.js';
import { redactValue } from '../../common/redact.js';
import type { Component, ComponentHealthReport } from '../component.js';
import { LineDecoder, encodeMessage, requestProblem, type AdminRequest, type AdminResponse } from './protocol.js';

export interface RequestContext {
  /** Aborted when the client hangs up (Ctrl-C on a tail) or the agent stops. */
  signal: AbortSignal;
  /** Sends one streamed item ahead of the final response. */
  emit(data: unknown): void;
}

export type AdminHandler = (params: Record<string, unknown>, ctx: RequestContext) => Promise<unknown>;
export type AdminHandlers = Readonly<Record<string, AdminHandler>>;

export interface AdminSocketOptions {
  path: string;
  handlers: AdminHandlers;
  logger?: Logger;
  /** Socket file mode: the agent's user and group (technicians in the group, or root). */
  mode?: number;
  maxConnections?: number;
}

/** Sockets are 0660 and their directory 0750: edgectl runs as root or as a member of the agent's group. */
export const SOCKET_MODE = 0o660;
const DIRECTORY_MODE = 0o750;

export class AdminSocket implements Component {
  readonly name = 'admin';
  private server: Server | undefined;
  private readonly connections = new Set<{ socket: Socket; abort: AbortController }>();
  private readonly log: Logger;
  private readonly rateLog: RateLimitedLog;
  private requests = 0;
  private lastRequestMs = 0;

  constructor(private readonly options: AdminSocketOptions) {
    this.log = options.logger ?? componentLogger('admin');
    this.rateLog = new RateLimitedLog(this.log);
  }

  get path(): string {
    return this.options.path;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const path = this.options.path;
    mkdirSync(dirname(path), { recursive: true, mode: DIRECTORY_MODE });
    await removeStaleSocket(path);
    const server = createServer((socket) => this.accept(socket));
    server.maxConnections = this.options.maxConnections ?? 32;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    chmodSync(path, this.options.mode ?? SOCKET_MODE);
    server.on('error', (err) => this.log.error({ err: err.message }, 'admin socket error'));
    this.server = server;
    this.log.info({ path }, 'admin socket listening');
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const c of this.connections) {
      c.abort.abort();
      c.socket.destroy();
    }
    this.connections.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    try {
      unlinkSync(this.options.path);
    } catch {
      // already gone: nothing to clean up
    }
  }

  health(): ComponentHealthReport {
    return {
      name: this.name,
      state: this.server ? 'ok' : 'down',
      detail: this.server ? `listening on ${this.options.path}` : 'stopped',
      lastSeenMs: this.lastRequestMs,
      info: { connections: this.connections.size, requests: this.requests },
    };
  }

  private accept(socket: Socket): void {
    const connection = { socket, abort: new AbortController() };
    this.connections.add(connection);
    const decoder = new LineDecoder();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      let lines: string[];
      try {
        lines = decoder.push(chunk);
      } catch (err) {
        this.send(socket, { id: null, status: 'error', code: 'PAYLOAD_TOO_LARGE', error: (err as Error).message });
        socket.end();
        return;
      }
      for (const line of lines) void this.dispatch(line, socket, connection.abort.signal);
    });
    const close = () => {
      connection.abort.abort();
      this.connections.delete(connection);
    };
    socket.on('close', close);
    socket.on('error', (err) => this.log.debug({ err: err.message }, 'admin client connection error'));
  }

  private async dispatch(line: string, socket: Socket, signal: AbortSignal): Promise<void> {
    let request: AdminRequest;
    try {
      const parsed: unknown = JSON.parse(line);
      const problem = requestProblem(parsed);
      if (problem) {
        const id = (parsed as { id?: unknown } | null)?.id;
        this.send(socket, { id: typeof id === 'string' || typeof id === 'number' ? id : null, status: 'error', code: 'BAD_REQUEST', error: problem });
        return;
      }
      request = parsed as AdminRequest;
    } catch {
      this.rateLog.warn('json', {}, 'admin request is not JSON');
      this.send(socket, { id: null, status: 'error', code: 'BAD_REQUEST', error: 'request is not valid JSON' });
      return;
    }
    this.requests++;
    this.lastRequestMs = Date.now();
    const handler = Object.hasOwn(this.options.handlers, request.method) ? this.options.handlers[request.method] : undefined;
    if (!handler) {
      const known = Object.keys(this.options.handlers).sort().join(', ');
      this.send(socket, { id: request.id, status: 'error', code: 'NOT_FOUND', error: `unknown method "${request.method}" (known: ${known})` });
      return;
    }
    const ctx: RequestContext = {
      signal,
      emit: (data) => this.send(socket, { id: request.id, status: 'stream', data }),
    };
    try {
      const data = await handler(request.params ?? {}, ctx);
      this.send(socket, { id: request.id, status: 'ok', data: data ?? null });
    } catch (err) {
      const e = asIocError(err);
      if (e.code === 'INTERNAL') this.log.error({ method: request.method, err: e.message }, 'admin request failed');
      this.send(socket, { id: request.id, status: 'error', code: e.code, error: e.message, ...(e.details !== undefined ? { details: e.details } : {}) });
    }
  }

  /** Every answer leaves with URL passwords masked: camera URLs appear in errors, diffs and ffmpeg's words. */
  private send(socket: Socket, response: AdminResponse): void {
    if (socket.destroyed || !socket.writable) return;
    socket.write(encodeMessage(redactValue(response)));
  }
}

/**
 * A socket file left by a killed agent blocks listen(); one that still answers belongs to a
 * running agent, and taking it over would cut that agent off from edgectl.
 */
async function removeStaleSocket(path: string): Promise<void> {
  if (!existsSync(path)) return;
  if (!lstatSync(path).isSocket()) throw new IocError('CONFLICT', `${path} exists and is not a socket; refusing to replace it`);
  const alive = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new IocError('CONFLICT', `another agent is already listening on ${path}`);
  unlinkSync(path);
}
