// The agent's answers to the coordinator: config pushes (config-apply.ts) and commands
// (command-runner.ts with the handlers in commands/), built from the running agent's parts.
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { IocError } from '../../common/errors.js';
import { componentLogger, type Logger } from '../../common/log.js';
import type { Component } from '../component.js';
import type { ConfigPush__Output } from '../../proto/generated/ioc/edgelink/v1/ConfigPush.js';
import type { ConfigReport } from '../../proto/generated/ioc/edgelink/v1/ConfigReport.js';
import type { Command__Output } from '../../proto/generated/ioc/edgelink/v1/Command.js';
import type { CommandReceipt } from '../../proto/generated/ioc/edgelink/v1/CommandReceipt.js';
import { ConfigPushHandler, type PushTarget } from './config-apply.js';
import { CommandRunner } from './command-runner.js';
import { COMMAND_HANDLERS, type CommandCamera, type CommandContext } from './commands/index.js';

/** What remote control needs from the agent (EdgeAgent has all of it). */
export interface RemoteAgent extends PushTarget {
  readonly cameras: readonly CommandCamera[];
  readonly supervisor: { get(name: string): Component | undefined; replace(component: Component): Promise<void> };
  readonly outbox: CommandContext['outbox'];
  readonly metrics: { registry: Registry };
  readonly startedAtMs: number;
}

export interface RemoteControl {
  onConfigPush(push: ConfigPush__Output): Promise<ConfigReport>;
  onCommand(command: Command__Output): Promise<CommandReceipt>;
}

export function createRemoteControl(agent: RemoteAgent, logger: Logger): RemoteControl {
  const push = new ConfigPushHandler(agent, componentLogger('config-push', logger));
  const context: CommandContext = {
    cameras: () => agent.cameras,
    async restartComponent(name) {
      const component = agent.supervisor.get(name);
      if (!component) throw new IocError('NOT_FOUND', `no component ${name} is running`);
      await agent.supervisor.replace(component);
    },
    outbox: agent.outbox,
    uptimeS: () => Math.round((Date.now() - agent.startedAtMs) / 1000),
    configRevision: () => agent.configRevision,
  };
  const commands = new CommandRunner(
    COMMAND_HANDLERS,
    context,
    join(agent.config.data_dir, 'commands.json'),
    agent.metrics.registry,
    componentLogger('commands', logger),
  );
  return { onConfigPush: (p) => push.handle(p), onCommand: (c) => commands.run(c) };
}
