// The shape of an edge command handler (one file per command, registered in index.ts) and what
// the agent gives handlers to work with.
import { IocError } from '../../../common/errors.js';
import type { LaneName } from '../../../common/lanes.js';
import type { AppendResult, DeadLetter, OutboxInput } from '../../outbox/types.js';

export interface CommandCamera {
  readonly name: string;
  readonly config: { readonly id: string };
  snapshot(): Promise<Buffer>;
}

export interface CommandContext {
  cameras(): readonly CommandCamera[];
  /** Stops and starts a supervised component by name (e.g. camera:gate). */
  restartComponent(name: string): Promise<void>;
  outbox: {
    append(input: OutboxInput): Promise<AppendResult>;
    listDeadLetters(): Promise<DeadLetter[]>;
    resendDeadLetter(lane: LaneName, seq: number): Promise<AppendResult>;
  };
  uptimeS(): number;
  configRevision(): string;
}

/** What a handler answers: `done` with a detail (JSON text where it has data), or it throws. */
export interface CommandOutcome {
  status: 'done' | 'failed';
  detail: string;
}

export interface CommandHandler {
  readonly name: string;
  run(args: Record<string, unknown>, context: CommandContext, commandId: string): Promise<CommandOutcome>;
}

export function stringArg(args: Record<string, unknown>, key: string): string {
  const v = args[key];
  if (typeof v !== 'string' || v.length === 0) throw new IocError('BAD_REQUEST', `args.${key}: expected a non-empty string`);
  return v;
}

export function findCamera(context: CommandContext, id: string): CommandCamera {
  const camera = context.cameras().find((c) => c.config.id === id);
  if (!camera)
    throw new IocError(
      'NOT_FOUND',
      `args.camera: no camera "${id}" on this edge (${
        context
          .cameras()
          .map((c) => c.config.id)
          .join(', ') || 'none'
      })`,
    );
  return camera;
}
