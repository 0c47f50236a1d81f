// The agent's log files: rotation by size, a hard cap on files, the order edgectl reads them in.
import t from 'tap';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RotatingLogFile, logFiles, openAgentLog } from '../../edge/logging.js';
import { tempDir } from '../support/tmp.js';

const line = (i: number) => `${JSON.stringify({ level: 30, i, msg: 'x'.repeat(80) })}\n`;

t.test('rotates before a file would pass its size and keeps at most max_files', async (t) => {
  const dir = tempDir(t);
  const file = new RotatingLogFile({ dir, maxFileBytes: 1000, maxFiles: 3 });
  for (let i = 0; i < 200; i++) file.write(line(i));
  file.close();
  t.same(readdirSync(dir).sort(), ['agent.log', 'agent.log.1', 'agent.log.2']);
  for (const name of readdirSync(dir)) t.ok(statSync(join(dir, name)).size <= 1000, `${name} within its size`);
  const files = logFiles(dir);
  t.same(
    files.map((f) => f.split('/').pop()),
    ['agent.log.2', 'agent.log.1', 'agent.log'],
    'oldest first',
  );
  const numbers = files.flatMap((f) => readFileSync(f, 'utf8').trim().split('\n')).map((l) => (JSON.parse(l) as { i: number }).i);
  t.same(
    numbers,
    [...numbers].sort((a, b) => a - b),
    'reading in that order gives the lines in order',
  );
  t.equal(numbers.at(-1), 199, 'the newest line is in agent.log');
});

t.test('a restart appends to agent.log; a lowered max_files removes the surplus', async (t) => {
  const dir = tempDir(t);
  const first = new RotatingLogFile({ dir, maxFileBytes: 10_000, maxFiles: 5 });
  for (let i = 0; i < 5; i++) first.write(line(i));
  first.close();
  for (const n of [1, 2, 3, 4]) writeFileSync(join(dir, `agent.log.${n}`), line(-n));
  const second = new RotatingLogFile({ dir, maxFileBytes: 10_000, maxFiles: 2 });
  t.same(readdirSync(dir).sort(), ['agent.log', 'agent.log.1'], 'files beyond the new limit are gone');
  second.write('{"level":30,"msg":"after restart"}\n');
  second.close();
  const lines = readFileSync(join(dir, 'agent.log'), 'utf8').trim().split('\n');
  t.equal(lines.length, 6, 'the new run appended to the current file');
  t.match(lines.at(-1), /after restart/);
});

t.test('a failing disk costs log lines, not the process', async (t) => {
  const dir = tempDir(t);
  const file = new RotatingLogFile({ dir, maxFileBytes: 1000, maxFiles: 2 });
  // Rotation cannot rename agent.log onto a non-empty directory: every write after that fails.
  mkdirSync(join(dir, 'agent.log.1', 'x'), { recursive: true });
  const stderr = process.stderr.write.bind(process.stderr);
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    for (let i = 0; i < 50; i++) file.write(line(i));
  } finally {
    process.stderr.write = stderr;
  }
  t.ok(file.writeFailures > 0, 'failures are counted, nothing thrown');
  file.close();
});

t.test('openAgentLog writes JSON to the file at the configured level', async (t) => {
  const dir = tempDir(t);
  const saved = process.env.LOG_LEVEL;
  delete process.env.LOG_LEVEL;
  t.teardown(() => {
    if (saved === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = saved;
  });
  const stdout = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  const log = openAgentLog({ data_dir: dir, log: { file: true, level: 'warn', max_file_mb: 1, max_files: 2 } });
  try {
    log.logger.child({ component: 'uplink' }).info('not kept');
    log.logger.child({ component: 'uplink' }).warn({ retryInMs: 2000 }, 'uplink down; will retry');
  } finally {
    process.stdout.write = stdout;
    log.close();
  }
  const lines = readFileSync(join(dir, 'logs', 'agent.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  t.equal(lines.length, 1, 'below the level nothing is written');
  t.match(lines[0], { level: 40, component: 'uplink', msg: 'uplink down; will retry', retryInMs: 2000 });
});

t.test('an unwritable log directory falls back to stdout instead of stopping the agent', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'logs'), 'a file where the log directory should be');
  const stdout = process.stdout.write.bind(process.stdout);
  let printed = '';
  process.stdout.write = ((chunk: string) => {
    printed += chunk;
    return true;
  }) as typeof process.stdout.write;
  let log: ReturnType<typeof openAgentLog>;
  try {
    log = openAgentLog({ data_dir: dir, log: { file: true, level: 'info', max_file_mb: 1, max_files: 2 } });
    log.logger.info('still logging');
  } finally {
    process.stdout.write = stdout;
  }
  t.equal(log.file, undefined);
  log.close();
  t.match(printed, /log files unavailable; logging to stdout only/);
});
