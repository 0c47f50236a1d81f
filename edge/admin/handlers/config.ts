// `edgectl config diff | apply | rollback`: the agent compares a candidate with the running
// config, and applies or rolls back through the one shared implementation (config-apply.ts).
import { z } from 'zod';
import { IocError } from '../../../common/errors.js';
import { parseEdgeConfig } from '../../../common/config/edge-config.js';
import { diffConfig, type ConfigApplier } from '../../config-apply.js';
import type { AdminHandlers } from '../server.js';
import type { AgentView } from '../agent-view.js';
import { parseParams } from './params.js';

const YamlParam = z.object({ yaml: z.string(), file: z.string().optional() });

type ConfigView = Pick<AgentView, 'config' | 'configRevision' | 'configApplier'>;

function applier(agent: ConfigView): ConfigApplier {
  const applier = agent.configApplier();
  if (!applier) throw new IocError('UNAVAILABLE', 'this agent was started without a config file; nothing to apply to');
  return applier;
}

export function configHandlers(agent: ConfigView): AdminHandlers {
  return {
    'config.diff': async (params) => {
      const { yaml, file } = parseParams(YamlParam, params);
      const next = parseEdgeConfig(yaml, file ?? '<candidate>');
      return { runningRevision: agent.configRevision(), revision: next.revision, changes: diffConfig(agent.config(), next.config) };
    },

    'config.apply': async (params) => {
      const { yaml } = parseParams(YamlParam, params);
      return applier(agent).apply(yaml, 'edgectl');
    },

    'config.rollback': async () => applier(agent).rollback(),
  };
}
