// Loads the coordinator config.
import { COORDINATOR_CONFIG_SCHEMA_VERSION, CoordinatorConfigSchema, type CoordinatorConfig } from '../common/config/coordinator-schema.js';
import { loadConfigFile, parseConfigText, type LoadedConfig } from '../common/config/load.js';

export type { CoordinatorConfig };

const OPTIONS = { migrations: [], currentVersion: COORDINATOR_CONFIG_SCHEMA_VERSION };

export function loadCoordinatorConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig<CoordinatorConfig> {
  return loadConfigFile(CoordinatorConfigSchema, file, { ...OPTIONS, env });
}

export function parseCoordinatorConfig(text: string, file = '<config>', env: NodeJS.ProcessEnv = process.env): LoadedConfig<CoordinatorConfig> {
  return parseConfigText(CoordinatorConfigSchema, text, file, { ...OPTIONS, env });
}
