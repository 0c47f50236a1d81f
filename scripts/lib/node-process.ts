// Real child processes for end-to-end tests and the demo: started from dist/, ready when they
// print their JSON "ready" line, logs kept for the failure message, killed (politely or with SIGKILL).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { distEntry, ensureBuilt } from './dist-build.js';
import { projectPath } from '../../common/paths.js';

export interface ReadyLine {
  ready: true;
  [key: string]: unknown;
}

export class NodeProcess {
  private child: ChildProcess | undefined;
  private output: string[] = [];
  private exitPromise: Promise<number | null> | undefined;
  ready: ReadyLine | undefined;

  private logFile: WriteStream | undefined;

  constructor(
    readonly label: string,
    private readonly entry: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv = {},
    /** Also append everything the process prints to this file. */
    logPath?: string,
  ) {
    if (logPath) this.logFile = createWriteStream(logPath, { flags: 'a' });
  }

  async start(timeoutMs = 20_000): Promise<ReadyLine> {
    const child = spawn(process.execPath, [...entryArgs(this.entry), ...this.args], {
      env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exitPromise = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.ready = await new Promise<ReadyLine>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.label} not ready after ${timeoutMs} ms:\n${this.logs()}`)), timeoutMs);
      let buffer = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        this.keep(text);
        buffer += text;
        for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.startsWith('{"ready":true')) {
            clearTimeout(timer);
            resolve(JSON.parse(line) as ReadyLine);
          }
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => this.keep(chunk.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${this.label} exited with ${code} before ready:\n${this.logs()}`));
      });
    });
    return this.ready;
  }

  private keep(text: string): void {
    this.logFile?.write(text);
    this.output.push(text);
    if (this.output.length > 400) this.output.splice(0, this.output.length - 400);
  }

  logs(): string {
    return this.output.join('').split('\n').slice(-60).join('\n');
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** SIGKILL: the power-cut stand-in. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.exitPromise;
  }

  /** SIGTERM and wait; returns the exit code and how long the exit took. */
  async stop(timeoutMs = 25_000): Promise<{ code: number | null; ms: number }> {
    const started = Date.now();
    if (!this.running) return { code: this.child?.exitCode ?? null, ms: 0 };
    this.child!.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    const code = await this.exitPromise!;
    clearTimeout(timer);
    return { code: code ?? null, ms: Date.now() - started };
  }

  async exitCode(): Promise<number | null> {
    return this.exitPromise ?? null;
  }
}

/**
 * A compiled program (`edge/main.js`, relative to dist/), or a TypeScript entry point of the
 * project (e.g. `test/support/agent-hooks/edge-agent.ts`) run through tsx; dist/ is brought up
 * to date either way.
 */
function entryArgs(entry: string): string[] {
  if (!entry.endsWith('.ts')) return [distEntry(entry)];
  ensureBuilt();
  return ['--import', 'tsx', projectPath(entry)];
}

/** Runs a one-shot command from dist/ and returns its exit code and output. */
export function runNode(entry: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [distEntry(entry), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
