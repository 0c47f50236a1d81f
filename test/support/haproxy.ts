// HAProxy for end-to-end tests: a config file (the shipped deploy/haproxy.cfg) run in the
// foreground with its addresses given as environment variables, and its servers' states read
// from the stats socket. Killed at teardown.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { waitFor } from './wait.js';

type Teardown = { teardown(fn: () => unknown): void };

const BINARY = process.env.HAPROXY ?? '/usr/sbin/haproxy';

/** undefined when HAProxy can run here, else why not. */
export function haproxyProblem(): string | undefined {
  const probe = spawnSync(BINARY, ['-v'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return `HAProxy not runnable at ${BINARY} (Debian package haproxy; make setup installs it)`;
  return undefined;
}

/** One server line of `show stat`: its backend, name, state (UP, DOWN, …) and sessions now. */
export interface ServerState {
  backend: string;
  server: string;
  status: string;
  sessions: number;
}

export class Haproxy {
  private output: string[] = [];
  private readonly changes: string[] = [];
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly statsSocket: string,
  ) {
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      this.output.push(text);
      if (this.output.length > 200) this.output.shift();
      // Kept apart: the request log would soon push them out of the tail.
      for (const line of text.split('\n')) if (/ is (DOWN|UP)\b/.test(line)) this.changes.push(line.trim());
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Starts `haproxy -db -f configFile` and waits until every listed port accepts connections. */
  static async start(t: Teardown, configFile: string, o: { env: Record<string, string>; statsSocket: string; ports: number[] }): Promise<Haproxy> {
    const check = spawnSync(BINARY, ['-c', '-q', '-f', configFile], { env: { ...process.env, ...o.env }, encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`haproxy -c refused ${configFile}:\n${check.stderr}`);
    const child = spawn(BINARY, ['-db', '-f', configFile], { env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const haproxy = new Haproxy(child, o.statsSocket);
    t.teardown(() => haproxy.close());
    for (const port of o.ports) {
      await waitFor(`haproxy listening on ${port}`, () => connects(port).then((ok) => ok || haproxy.failIfExited()), { timeoutMs: 10_000, intervalMs: 100 });
    }
    return haproxy;
  }

  private failIfExited(): false {
    if (this.child.exitCode !== null) throw new Error(`haproxy exited with ${this.child.exitCode}:\n${this.logs()}`);
    return false;
  }

  logs(): string {
    return this.output.join('');
  }

  /** HAProxy's own lines on servers going DOWN or UP, in order. */
  serverChanges(): string[] {
    return [...this.changes];
  }

  /** A command on the stats socket (`show stat`, `disable server …`); resolves with its answer. */
  command(line: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(this.statsSocket);
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('connect', () => socket.end(`${line}\n`));
      socket.on('data', (d: string) => (answer += d));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
    });
  }

  /** Every server of every backend, from `show stat` (CSV whose first line names the columns). */
  async servers(): Promise<ServerState[]> {
    const [header, ...rows] = (await this.command('show stat')).trim().split('\n');
    const columns = header!.replace(/^# /, '').split(',');
    const at = (name: string) => columns.indexOf(name);
    return rows
      .map((row) => row.split(','))
      .filter((f) => f[at('svname')] !== 'FRONTEND' && f[at('svname')] !== 'BACKEND')
      .map((f) => ({ backend: f[at('pxname')]!, server: f[at('svname')]!, status: f[at('status')]!, sessions: Number(f[at('scur')]) }));
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
