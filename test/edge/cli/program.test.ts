// Every edgectl command a technician can type has help with examples; the tree is what the
// README documents.
import t from 'tap';
import type { Command } from 'commander';
import { buildProgram } from '../../../edge/cli/program.js';

function leaves(command: Command, path: string[] = []): { path: string[]; command: Command }[] {
  if (command.commands.length === 0) return [{ path, command }];
  return command.commands.flatMap((c) => leaves(c, [...path, c.name()]));
}

function help(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  command.outputHelp();
  return text;
}

t.test('every command has a description and examples in its help', async (t) => {
  const program = buildProgram();
  const all = leaves(program);
  t.same(all.map((l) => l.path.join(' ')).sort(), [
    'cameras list',
    'cameras live',
    'cameras snapshot',
    'config apply',
    'config diff',
    'config rollback',
    'config validate',
    'doctor',
    'link test',
    'logs',
    'model install',
    'model show',
    'outbox dead-letter list',
    'outbox dead-letter resend',
    'outbox drain',
    'outbox stats',
    'provision',
    'sensors list',
    'sensors tail',
    'status',
  ]);
  for (const { path, command } of all) {
    const text = help(command);
    t.ok(command.description().length > 10, `${path.join(' ')} says what it does`);
    t.match(text, new RegExp(`Examples:\\n\\s+(sudo )?edgectl ${path.join(' ')}`), `${path.join(' ')} --help has examples`);
  }
  t.match(help(program), /Exit status:\n\s+0 {2}ok/);
});
