// `ping`: proves the command path end to end; answers with the edge's clock and uptime.
import type { CommandHandler } from './command.js';

export const ping: CommandHandler = {
  name: 'ping',
  async run(_args, context) {
    return { status: 'done', detail: JSON.stringify({ edgeTimeMs: Date.now(), uptimeS: context.uptimeS(), configRevision: context.configRevision() }) };
  },
};
