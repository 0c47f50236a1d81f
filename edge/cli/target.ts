// Which agent edgectl talks to: the site config (--config, $IOC_EDGE_CONFIG or the installed
// /etc/ioc-edge/config.yaml) names the data directory, the socket and the log files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { AdminClient } from '../admin/client.js';

export const DEFAULT_CONFIG_FILE = '/etc/ioc-edge/config.yaml';
const DEFAULT_DATA_DIR = '/var/lib/ioc-edge';

export interface GlobalOptions {
  config?: string;
  socket?: string;
  json?: boolean;
  color?: boolean;
}

export function configFile(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string {
  return options.config ?? env.IOC_EDGE_CONFIG ?? DEFAULT_CONFIG_FILE;
}

/**
 * The few settings edgectl needs to find the agent, read leniently: a config that no longer
 * validates (the very thing a technician may be fixing) must not stop `edgectl status`.
 */
export function looseSettings(file: string): { dataDir: string; socket: string | undefined } {
  let raw: Record<string, unknown> = {};
  try {
    raw = (YAML.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) ?? {};
  } catch {
    // unreadable or not YAML: defaults
  }
  const dataDir = typeof raw.data_dir === 'string' ? raw.data_dir : DEFAULT_DATA_DIR;
  const admin = raw.admin as { socket?: unknown } | undefined;
  return { dataDir, socket: typeof admin?.socket === 'string' ? admin.socket : undefined };
}

export function socketPath(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string {
  if (options.socket) return options.socket;
  if (env.EDGECTL_SOCKET) return env.EDGECTL_SOCKET;
  const settings = looseSettings(configFile(options, env));
  return settings.socket ?? join(settings.dataDir, 'edgectl.sock');
}

export function dataDir(options: GlobalOptions): string {
  return looseSettings(configFile(options)).dataDir;
}

/** Runs `fn` with a connection to the agent, closed afterwards. */
export async function withAgent<T>(options: GlobalOptions, fn: (client: AdminClient) => Promise<T>): Promise<T> {
  const client = await AdminClient.connect(socketPath(options));
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}
