// Runs commands from the coordinator: one handler per command name from a table, each command
// id at most once — the coordinator re-sends a command whose receipt it never got (link cut),
// and the edge answers from its ledger instead of restarting a camera twice. The ledger is a
// small JSON file in data_dir, written atomically before and after each run.
import { readFileSync } from 'node:fs';
import { Counter, type Registry } from 'prom-client';
import { IocError, errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { writeFileAtomic } from '../../common/time.js';
import type { Command__Output } from '../../proto/generated/ioc/edgelink/v1/Command.js';
import type { CommandReceipt } from '../../proto/generated/ioc/edgelink/v1/CommandReceipt.js';
import type { CommandContext, CommandHandler } from './commands/command.js';

interface LedgerEntry {
  id: string;
  name: string;
  startedAtMs: number;
  receipt?: CommandReceipt;
}

/** Enough to cover every command the coordinator could still be re-sending. */
const LEDGER_SIZE = 500;

export class CommandRunner {
  private readonly handlers: Map<string, CommandHandler>;
  private ledger: LedgerEntry[];
  private readonly executed: Counter<'name' | 'status'>;

  constructor(
    handlers: readonly CommandHandler[],
    private readonly context: CommandContext,
    private readonly ledgerFile: string,
    registry: Registry,
    private readonly logger: Logger,
  ) {
    this.handlers = new Map(handlers.map((h) => [h.name, h]));
    this.ledger = readLedger(ledgerFile);
    this.executed = new Counter({
      name: 'ioc_edge_commands_total',
      help: 'Commands from the coordinator, by name and receipt status',
      labelNames: ['name', 'status'],
      registers: [registry],
    });
  }

  async run(command: Command__Output): Promise<CommandReceipt> {
    const seen = this.ledger.find((e) => e.id === command.id);
    if (seen) {
      this.logger.info({ command: command.id, name: command.name }, 'command received again; answering from the ledger');
      return seen.receipt ?? this.receipt(command, 'failed', 'interrupted: the agent restarted while running it; not run again');
    }
    const handler = this.handlers.get(command.name);
    if (!handler) return this.settle(command, 'unknown_command', `no command "${command.name}" on this edge (${[...this.handlers.keys()].join(', ')})`, false);
    let args: Record<string, unknown>;
    try {
      const parsed: unknown = command.args_json ? JSON.parse(command.args_json) : {};
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new IocError('BAD_REQUEST', 'not a JSON object');
      args = parsed as Record<string, unknown>;
    } catch (err) {
      return this.settle(command, 'failed', `args_json: ${errorMessage(err)}`, false);
    }
    this.remember({ id: command.id, name: command.name, startedAtMs: Date.now() });
    try {
      const outcome = await handler.run(args, this.context, command.id);
      return this.settle(command, outcome.status, outcome.detail, true);
    } catch (err) {
      return this.settle(command, 'failed', errorMessage(err), true);
    }
  }

  private settle(command: Command__Output, status: string, detail: string, ran: boolean): CommandReceipt {
    const receipt = this.receipt(command, status, detail);
    this.executed.inc({ name: command.name || '(none)', status });
    const entry = this.ledger.find((e) => e.id === command.id);
    if (entry) entry.receipt = receipt;
    else this.remember({ id: command.id, name: command.name, startedAtMs: Date.now(), receipt });
    this.save();
    (status === 'done' ? this.logger.info.bind(this.logger) : this.logger.warn.bind(this.logger))(
      { command: command.id, name: command.name, status, ran, detail: detail.slice(0, 200) },
      'command answered',
    );
    return receipt;
  }

  private receipt(command: Command__Output, status: string, detail: string): CommandReceipt {
    return { command_id: command.id, status, detail, edge_time_ms: Date.now() };
  }

  private remember(entry: LedgerEntry): void {
    this.ledger.push(entry);
    if (this.ledger.length > LEDGER_SIZE) this.ledger.splice(0, this.ledger.length - LEDGER_SIZE);
    this.save();
  }

  private save(): void {
    try {
      writeFileAtomic(this.ledgerFile, JSON.stringify(this.ledger));
    } catch (err) {
      this.logger.error({ err: errorMessage(err) }, 'command ledger not saved');
    }
  }
}

function readLedger(file: string): LedgerEntry[] {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(parsed) ? (parsed as LedgerEntry[]).filter((e) => typeof e?.id === 'string') : [];
  } catch {
    return [];
  }
}
