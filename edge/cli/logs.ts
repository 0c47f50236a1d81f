// `edgectl logs [-f] [--component X]`: the agent's JSON log files under <data_dir>/logs, read
// directly (the agent need not run), filtered and pretty-printed; -f follows across rotation.
import type { Command } from 'commander';
import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_FILE_NAME, logFiles } from '../logging.js';
import { action, UsageError } from './command.js';
import { EXIT } from './exit-codes.js';
import type { Output } from './output.js';
import { dataDir } from './target.js';
import { interruptSignal } from './interrupt.js';

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
const LEVEL_NAMES = Object.fromEntries(Object.entries(LEVELS).map(([k, v]) => [v, k]));
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'component', 'device', 'v']);

interface Filter {
  component?: string;
  minLevel: number;
}

type LogEntry = Record<string, unknown> & { level?: number; time?: string; msg?: string; component?: string };

function parse(line: string): LogEntry | undefined {
  try {
    const v = JSON.parse(line) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as LogEntry) : undefined;
  } catch {
    return undefined;
  }
}

function matches(entry: LogEntry, filter: Filter): boolean {
  if ((entry.level ?? 30) < filter.minLevel) return false;
  if (filter.component && entry.component !== filter.component && !String(entry.component ?? '').startsWith(`${filter.component}:`)) return false;
  return true;
}

export function formatEntry(out: Output, entry: LogEntry): string {
  const level = LEVEL_NAMES[entry.level ?? 30] ?? String(entry.level);
  const paint = (entry.level ?? 30) >= 50 ? out.c.red : (entry.level ?? 30) >= 40 ? out.c.yellow : (entry.level ?? 30) <= 20 ? out.c.dim : (s: string) => s;
  const time = typeof entry.time === 'string' ? entry.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
  const extra = Object.entries(entry)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v)}`)
    .join(' ');
  return `${out.c.dim(time)} ${paint(level.toUpperCase().padEnd(5))} ${out.c.cyan(String(entry.component ?? '-').padEnd(10))} ${entry.msg ?? ''}${extra ? ` ${out.c.dim(extra)}` : ''}`;
}

function emit(out: Output, line: string, filter: Filter): void {
  const entry = parse(line);
  if (!entry || !matches(entry, filter)) return;
  if (out.json) out.item(entry);
  else out.line(formatEntry(out, entry));
}

/** Follows agent.log: new lines as they come, and on to the new file when it rotates. */
async function follow(out: Output, file: string, filter: Filter, signal: AbortSignal): Promise<void> {
  let fd: number | undefined;
  let ino = 0;
  let pos = 0;
  let partial = '';
  const buffer = Buffer.alloc(64 * 1024);
  const drain = () => {
    if (fd === undefined) return;
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, pos);
      if (n <= 0) break;
      pos += n;
      const lines = (partial + buffer.subarray(0, n).toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) emit(out, line, filter);
    }
  };
  const open = (atEnd: boolean) => {
    try {
      fd = openSync(file, 'r');
      const st = fstatSync(fd);
      ino = st.ino;
      pos = atEnd ? st.size : 0;
    } catch {
      fd = undefined;
    }
  };
  open(true);
  while (!signal.aborted) {
    drain();
    let current: number | undefined;
    try {
      const st = statSync(file);
      current = st.ino;
      if (fd !== undefined && st.ino === ino && st.size < pos) pos = 0; // truncated in place
    } catch {
      current = undefined;
    }
    if (current !== undefined && current !== ino) {
      drain();
      if (fd !== undefined) closeSync(fd);
      open(false);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  if (fd !== undefined) closeSync(fd);
}

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .option('-f, --follow', 'keep printing new lines (across rotation) until Ctrl-C')
    .option('--component <name>', 'only this component (uplink, broker, sensors, outbox, camera:<id>, detector, admin …)')
    .option('--level <level>', 'at least this level: trace, debug, info, warn, error, fatal', 'trace')
    .option('-n, --lines <n>', 'last lines to show first', '100')
    .description("the agent's log files, pretty-printed and filtered (works without the agent)")
    .addHelpText('after', '\nExamples:\n  edgectl logs -n 50\n  edgectl logs -f --component uplink\n  edgectl logs --level warn --json | jq .msg')
    .action(
      action(async ({ globals, out }, options: { follow?: boolean; component?: string; level: string; lines: string }) => {
        const minLevel = LEVELS[options.level];
        if (minLevel === undefined) throw new UsageError(`--level must be one of ${Object.keys(LEVELS).join(', ')}`);
        const lines = Number(options.lines);
        if (!Number.isInteger(lines) || lines < 0) throw new UsageError('--lines must be a whole number');
        const dir = join(dataDir(globals), 'logs');
        const files = logFiles(dir);
        if (files.length === 0 && !options.follow) {
          out.error('NOT_FOUND', `no log files in ${dir}`, 'file logging may be off (log.file: false); the journal has them: journalctl -u ioc-edge');
          return EXIT.NOT_FOUND;
        }
        const filter: Filter = { component: options.component, minLevel };
        const recent: string[] = [];
        for (const file of files) {
          for (const line of readFileSync(file, 'utf8').split('\n')) {
            const entry = parse(line);
            if (!entry || !matches(entry, filter)) continue;
            recent.push(line);
            if (recent.length > lines) recent.shift();
          }
        }
        for (const line of recent) emit(out, line, filter);
        if (options.follow) await follow(out, join(dir, LOG_FILE_NAME), filter, interruptSignal());
        return EXIT.OK;
      }),
    );
}
