// The frame around every edgectl action: global options, the output mode, and one mapping from
// errors to messages with hints and to the documented exit statuses.
import type { Command } from 'commander';
import { ConfigError, IocError, errorMessage } from '../../common/errors.js';
import { AgentNotRunningError, SocketPermissionError } from '../admin/client.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { Output, colourWanted } from './output.js';
import type { GlobalOptions } from './target.js';

export interface Invocation {
  globals: GlobalOptions;
  out: Output;
}

/** A mistake on the command line that commander cannot see (e.g. a bad --lane value). */
export class UsageError extends IocError {
  constructor(message: string) {
    super('BAD_REQUEST', message);
    this.name = 'UsageError';
  }
}

export function invocation(command: Command): Invocation {
  const globals = command.optsWithGlobals() as GlobalOptions;
  return { globals, out: new Output(globals.json === true, colourWanted(process.stdout, process.env, globals.color)) };
}

/** Wraps a command action: its return value (or its error) becomes the exit status. */
export function action<A extends unknown[]>(fn: (inv: Invocation, ...args: A) => Promise<ExitCode | void>) {
  return async (...args: [...A, Command]): Promise<void> => {
    const command = args.at(-1) as Command;
    const inv = invocation(command);
    try {
      process.exitCode = (await fn(inv, ...(args.slice(0, -1) as A))) ?? EXIT.OK;
    } catch (err) {
      process.exitCode = report(inv.out, err);
    }
  };
}

export function report(out: Output, err: unknown): ExitCode {
  if (err instanceof AgentNotRunningError) {
    out.error('AGENT_DOWN', err.message);
    return EXIT.AGENT_DOWN;
  }
  if (err instanceof SocketPermissionError) {
    out.error('PERMISSION', err.message);
    return EXIT.PERMISSION;
  }
  if (err instanceof UsageError) {
    out.error('USAGE', err.message, 'see edgectl <command> --help');
    return EXIT.USAGE;
  }
  if (err instanceof ConfigError) {
    out.error('CONFIG_INVALID', err.message);
    return EXIT.USAGE;
  }
  if (err instanceof IocError) {
    const issues = Array.isArray(err.details) && err.code === 'CONFIG_INVALID' ? err.details : undefined;
    out.error(err.code, issues ? `invalid config\n  ${issues.join('\n  ')}` : err.message);
    if (err.code === 'NOT_FOUND') return EXIT.NOT_FOUND;
    if (err.code === 'VALIDATION' || err.code === 'CONFIG_INVALID' || err.code === 'BAD_REQUEST') return EXIT.USAGE;
    return EXIT.FAILED;
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') {
    out.error('PERMISSION', `${errorMessage(err)}`, 'run edgectl with sudo or as a member of the ioc-edge group');
    return EXIT.PERMISSION;
  }
  if (code === 'ENOENT') {
    out.error('NOT_FOUND', errorMessage(err));
    return EXIT.USAGE;
  }
  out.error('FAILED', errorMessage(err));
  return EXIT.FAILED;
}
