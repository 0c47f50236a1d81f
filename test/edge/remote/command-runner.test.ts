// The edge's command runner: one handler per name from the table, bad arguments and unknown
// names answered with a reason, and each command id run at most once — also across an agent
// restart (the ledger file), including one interrupted mid-run.
import t from 'tap';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { CommandRunner } from '../../../edge/remote/command-runner.js';
import { COMMAND_HANDLERS, type CommandContext, type CommandHandler } from '../../../edge/remote/commands/index.js';
import { makeRootLogger } from '../../../common/log.js';
import { sumMetric } from '../../support/system.js';
import { tempDir } from '../../support/tmp.js';

const logger = makeRootLogger('test');
logger.level = 'error';

function context(restarted: string[]): CommandContext {
  return {
    cameras: () => [{ name: 'camera:gate', config: { id: 'gate' }, snapshot: async () => Buffer.alloc(0) }],
    restartComponent: async (name) => void restarted.push(name),
    outbox: {
      append: async () => ({ lane: 'thumbnail', seq: 1, bytes: 0 }) as never,
      listDeadLetters: async () => [],
      resendDeadLetter: async () => ({ lane: 'event', seq: 1, bytes: 0 }) as never,
    },
    uptimeS: () => 42,
    configRevision: () => 'abc123',
  };
}
const command = (id: string, name: string, args: unknown = {}) => ({ id, name, args_json: JSON.stringify(args), expires_at_ms: 0 });

t.test('runs each command id once, also after a restart; answers unknown names and bad arguments', async (t) => {
  const dir = tempDir(t);
  const restarted: string[] = [];
  const registry = new Registry();
  const ledger = join(dir, 'commands.json');
  const runner = new CommandRunner(COMMAND_HANDLERS, context(restarted), ledger, registry, logger);

  const first = await runner.run(command('C1', 'restart_camera', { camera: 'gate' }));
  t.equal(first.status, 'done');
  const again = await runner.run(command('C1', 'restart_camera', { camera: 'gate' }));
  t.same(again, first, 'the same receipt for a re-sent command');
  t.same(restarted, ['camera:gate'], 'the camera restarted once');

  const afterRestart = new CommandRunner(COMMAND_HANDLERS, context(restarted), ledger, new Registry(), logger);
  t.same(await afterRestart.run(command('C1', 'restart_camera', { camera: 'gate' })), first, 'still answered from the ledger after a restart');
  t.same(restarted, ['camera:gate']);

  t.match(await runner.run(command('C2', 'self_destruct')), {
    status: 'unknown_command',
    detail: /no command "self_destruct" on this edge \(ping, snapshot, restart_camera, resend_range\)/,
  });
  t.match(await runner.run({ ...command('C3', 'ping'), args_json: '[1,2' }), { status: 'failed', detail: /^args_json: / });
  t.match(await runner.run(command('C4', 'restart_camera', { camera: 'roof' })), { status: 'failed', detail: /no camera "roof"/ });
  t.match(await runner.run(command('C5', 'resend_range', { lane: 'nowhere', from_seq: 1, to_seq: 2 })), { status: 'failed', detail: /args\.lane/ });
  t.equal(sumMetric(await registry.metrics(), 'ioc_edge_commands_total', { name: 'restart_camera' }), 2, 'C1 once and C4');
});

t.test('a command interrupted by a restart is not run again', async (t) => {
  const dir = tempDir(t);
  const ledger = join(dir, 'commands.json');
  writeFileSync(ledger, JSON.stringify([{ id: 'C9', name: 'restart_camera', startedAtMs: Date.now() - 1000 }]));
  const ran: string[] = [];
  const spy: CommandHandler = { name: 'restart_camera', run: async () => (ran.push('x'), { status: 'done', detail: '' }) };
  const runner = new CommandRunner([spy], context([]), ledger, new Registry(), logger);
  t.match(await runner.run(command('C9', 'restart_camera', { camera: 'gate' })), { status: 'failed', detail: /interrupted/ });
  t.same(ran, [], 'not started a second time');
});
