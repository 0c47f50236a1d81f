// The edge's commands, one file each: adding a command = one file + one line here (and its
// argument schema in cloud/devices/commands.ts).
import type { CommandHandler } from './command.js';
import { ping } from './ping.js';
import { snapshot } from './snapshot.js';
import { restartCamera } from './restart-camera.js';
import { resendRange } from './resend-range.js';

export const COMMAND_HANDLERS: readonly CommandHandler[] = [ping, snapshot, restartCamera, resendRange];

export type { CommandContext, CommandHandler, CommandOutcome, CommandCamera } from './command.js';
