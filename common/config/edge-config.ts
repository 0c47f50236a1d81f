// Loads and validates an edge site config, migrating files written for older schema versions.
import { EDGE_CONFIG_SCHEMA_VERSION, EdgeConfigSchema, type EdgeConfig } from './edge-schema.js';
import { loadConfigFile, parseConfigText, type LoadedConfig, type Migration } from './load.js';

export type { EdgeConfig };

/** Field boxes get upgraded from any older config; each step is one small, named change. */
export const EDGE_CONFIG_MIGRATIONS: readonly Migration[] = [
  {
    from: 0,
    to: 1,
    describe: 'unversioned draft: `mqtt:` renamed to `broker:`',
    apply(raw) {
      if (raw.mqtt && !raw.broker) {
        raw.broker = raw.mqtt;
        delete raw.mqtt;
      }
      return raw;
    },
  },
];

const OPTIONS = { migrations: EDGE_CONFIG_MIGRATIONS, currentVersion: EDGE_CONFIG_SCHEMA_VERSION };

export function loadEdgeConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig<EdgeConfig> {
  return loadConfigFile(EdgeConfigSchema, file, { ...OPTIONS, env });
}

export function parseEdgeConfig(text: string, file = '<config>', env: NodeJS.ProcessEnv = process.env): LoadedConfig<EdgeConfig> {
  return parseConfigText(EdgeConfigSchema, text, file, { ...OPTIONS, env });
}
