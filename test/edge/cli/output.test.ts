// edgectl's output rules: colour only on a terminal (NO_COLOR and TERM=dumb win, FORCE_COLOR
// forces), --json errors are JSON, numbers and ages read naturally, errors map to exit statuses.
import t from 'tap';
import { Writable } from 'node:stream';
import { Output, ago, colourWanted, columns, formatBytes, formatDuration } from '../../../edge/cli/output.js';
import { report, UsageError } from '../../../edge/cli/command.js';
import { AgentNotRunningError, AdminError, SocketPermissionError } from '../../../edge/admin/client.js';
import { EXIT } from '../../../edge/cli/exit-codes.js';
import { ConfigError } from '../../../common/errors.js';

function sink(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const stream = new Writable({
    write(chunk, _enc, done) {
      stream.text += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream & { text: string };
  stream.text = '';
  (stream as { isTTY?: boolean }).isTTY = isTTY;
  return stream;
}

t.test('colour only on a terminal, never with NO_COLOR', async (t) => {
  t.equal(colourWanted(sink(true), {}), true);
  t.equal(colourWanted(sink(false), {}), false, 'piped: no colour');
  t.equal(colourWanted(sink(false), { CI: 'true' }), false, 'CI alone does not turn colour on');
  t.equal(colourWanted(sink(true), { NO_COLOR: '1' }), false);
  t.equal(colourWanted(sink(true), { NO_COLOR: '' }), true, 'an empty NO_COLOR does not count (no-color.org)');
  t.equal(colourWanted(sink(true), { TERM: 'dumb' }), false);
  t.equal(colourWanted(sink(false), { FORCE_COLOR: '1' }), true);
  t.equal(colourWanted(sink(true), {}, false), false, '--no-color');
});

t.test('human text and --json', async (t) => {
  const out = sink(false);
  const err = sink(false);
  const human = new Output(false, true, out, err);
  human.line(human.state('ok'));
  human.result({ a: 1 });
  human.error('NOT_FOUND', 'no camera "x"', 'see edgectl cameras list');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matches the ANSI colour escape
  t.match(out.text, /\x1b\[32m● ok/);
  t.notMatch(out.text, /"a"/, 'results are printed by the command as text');
  t.match(err.text, /error:.* no camera "x"\n.*hint:.* see edgectl cameras list/);

  const jsonOut = sink(true);
  const json = new Output(true, true, jsonOut, sink(true));
  json.line('not shown');
  json.result({ a: 1 });
  json.error('NOT_FOUND', 'no camera "x"');
  const docs = jsonOut.text
    .trim()
    .split(/\n(?=\{)/)
    .map((d) => JSON.parse(d) as unknown);
  t.same(docs, [{ a: 1 }, { error: 'no camera "x"', code: 'NOT_FOUND' }], 'only JSON on stdout, no colour even on a tty');
});

t.test('errors map to the documented exit statuses', async (t) => {
  const quiet = new Output(true, false, sink(false), sink(false));
  t.equal(report(quiet, new AgentNotRunningError('/x.sock', 'no socket')), EXIT.AGENT_DOWN);
  t.equal(report(quiet, new SocketPermissionError('/x.sock')), EXIT.PERMISSION);
  t.equal(report(quiet, new UsageError('bad')), EXIT.USAGE);
  t.equal(report(quiet, new ConfigError('f.yaml', ['broker.port: too big'])), EXIT.USAGE);
  t.equal(report(quiet, new AdminError('NOT_FOUND', 'no sensor')), EXIT.NOT_FOUND);
  t.equal(report(quiet, new AdminError('VALIDATION', 'bad params')), EXIT.USAGE);
  t.equal(report(quiet, new AdminError('UNAVAILABLE', 'uplink down')), EXIT.FAILED);
  t.equal(report(quiet, Object.assign(new Error('denied'), { code: 'EACCES' })), EXIT.PERMISSION);
  t.equal(report(quiet, new Error('boom')), EXIT.FAILED);
});

t.test("edgectl's own errors carry a stable code, and the code is what --json prints", async (t) => {
  t.equal(new AgentNotRunningError('/x.sock', 'no socket').code, 'UNAVAILABLE');
  t.equal(new SocketPermissionError('/x.sock').code, 'FORBIDDEN');
  t.equal(new UsageError('bad').code, 'BAD_REQUEST');
  const out = sink(false);
  report(new Output(true, false, out, sink(false)), new AgentNotRunningError('/x.sock', 'no socket'));
  t.match(JSON.parse(out.text), { code: 'AGENT_DOWN' }, 'the documented edgectl code, not the generic one');
});

t.test('numbers, durations and columns read naturally', async (t) => {
  t.equal(formatBytes(0), '0 B');
  t.equal(formatBytes(1536), '1.5 KB');
  t.equal(formatBytes(512 * 1024 * 1024), '512 MB');
  t.equal(formatDuration(42_000), '42 s');
  t.equal(formatDuration(125_000), '2 min 5 s');
  t.equal(formatDuration(3 * 3_600_000 + 60_000), '3 h 1 min');
  t.equal(formatDuration(3 * 86_400_000), '3 d 0 h');
  t.equal(ago(0), 'never');
  t.equal(ago(1_000, 13_000), '12 s ago');
  t.same(
    columns([
      ['a', 'bb', 'c'],
      ['\x1b[32mlong\x1b[39m', 'x', 'y'],
    ]),
    ['a     bb  c', '\x1b[32mlong\x1b[39m  x   y'],
    'colour codes do not count towards width',
  );
});
