// The agent's log: JSON lines (pino) to stdout for journald, and — so a technician on site can
// read them with `edgectl logs` — to <data_dir>/logs/agent.log with size-based rotation
// (agent.log → agent.log.1 → …), never more than max_files × max_file_mb on disk.
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type DestinationStream, type Level } from 'pino';
import type { EdgeConfig } from '../common/config/edge-schema.js';
import { makeRootLogger, type Logger } from '../common/log.js';

export const LOG_FILE_NAME = 'agent.log';

export function logDirectory(config: Pick<EdgeConfig, 'data_dir'>): string {
  return join(config.data_dir, 'logs');
}

/** Log files oldest first: agent.log.N … agent.log.1, agent.log. */
export function logFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const rotated = names
    .map((n) => ({ n, m: /^agent\.log\.(\d+)$/.exec(n) }))
    .filter((x) => x.m)
    .sort((a, b) => Number(b.m![1]) - Number(a.m![1]))
    .map((x) => join(dir, x.n));
  return names.includes(LOG_FILE_NAME) ? [...rotated, join(dir, LOG_FILE_NAME)] : rotated;
}

export interface RotatingFileOptions {
  dir: string;
  maxFileBytes: number;
  /** Files kept in all, the current one included. */
  maxFiles: number;
}

/**
 * A pino destination that writes synchronously (a line is on disk before the next statement,
 * so a crash loses nothing) and rotates before a write would push the file past its size.
 * A failing disk costs log lines, never the agent.
 */
export class RotatingLogFile implements DestinationStream {
  private fd: number | undefined;
  private size = 0;
  private failures = 0;
  private readonly file: string;

  constructor(private readonly options: RotatingFileOptions) {
    mkdirSync(options.dir, { recursive: true, mode: 0o750 });
    this.file = join(options.dir, LOG_FILE_NAME);
    this.open();
    this.removeBeyondLimit();
  }

  write(line: string): void {
    const bytes = Buffer.byteLength(line);
    try {
      if (this.size > 0 && this.size + bytes > this.options.maxFileBytes) this.rotate();
      if (this.fd === undefined) this.open();
      writeSync(this.fd!, line);
      this.size += bytes;
    } catch (err) {
      // Disk full or the directory removed: drop the line, say so on stderr now and then.
      if (this.failures++ % 1000 === 0) process.stderr.write(`log file ${this.file}: ${(err as Error).message}\n`);
      this.closeFd();
    }
  }

  /** Bytes dropped on write errors, for the tests and status. */
  get writeFailures(): number {
    return this.failures;
  }

  close(): void {
    this.closeFd();
  }

  private open(): void {
    this.fd = openSync(this.file, 'a', 0o640);
    this.size = fstatSync(this.fd).size;
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = undefined;
  }

  private rotate(): void {
    this.closeFd();
    const keep = this.options.maxFiles - 1;
    rmSync(`${this.file}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) {
      try {
        renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
      } catch {
        // a gap in the sequence (deleted by hand): nothing to move
      }
    }
    if (keep >= 1) renameSync(this.file, `${this.file}.1`);
    else rmSync(this.file, { force: true });
    this.open();
    this.removeBeyondLimit();
  }

  /** max_files lowered since the last run: older files beyond the new limit go. */
  private removeBeyondLimit(): void {
    for (const name of readdirSync(this.options.dir)) {
      const m = /^agent\.log\.(\d+)$/.exec(name);
      if (m && Number(m[1]) > this.options.maxFiles - 1) rmSync(join(this.options.dir, name), { force: true });
    }
  }
}

export interface AgentLog {
  logger: Logger;
  file: RotatingLogFile | undefined;
  close(): void;
}

/** The root logger of the agent process: stdout always, the rotating file when log.file is on. */
export function openAgentLog(config: Pick<EdgeConfig, 'data_dir' | 'log'>, name = 'edge-agent'): AgentLog {
  const level = (process.env.LOG_LEVEL ?? config.log.level) as Level;
  if (!config.log.file) return { logger: makeRootLogger(name), file: undefined, close: () => undefined };
  let file: RotatingLogFile;
  try {
    file = new RotatingLogFile({
      dir: logDirectory(config),
      maxFileBytes: Math.max(4096, Math.round(config.log.max_file_mb * 1024 * 1024)),
      maxFiles: config.log.max_files,
    });
  } catch (err) {
    // An unwritable log directory must not keep the agent from running: the journal still has it all.
    const logger = makeRootLogger(name);
    logger.error({ err: (err as Error).message, dir: logDirectory(config) }, 'log files unavailable; logging to stdout only');
    return { logger, file: undefined, close: () => undefined };
  }
  const streams = pino.multistream([
    { level, stream: pino.destination({ dest: 1, sync: true }) },
    { level, stream: file },
  ]);
  return { logger: makeRootLogger(name, streams), file, close: () => file.close() };
}
