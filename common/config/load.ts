// Loading a YAML config: ${ENV} substitution, migrations from older schema versions, schema
// validation with error messages that name the file, the path and the reason.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import YAML from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';

export interface Migration {
  from: number;
  to: number;
  describe: string;
  apply(raw: Record<string, unknown>): Record<string, unknown>;
}

export interface LoadedConfig<T> {
  config: T;
  /** Short content hash: which config a box runs, comparable across boxes. */
  revision: string;
  /** Migrations applied on load, for the log. */
  migrated: string[];
}

/** Replaces ${VAR} and ${VAR:-default} in string values; an unset variable without default is an error. */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, path: string, missing: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      missing.push(`${path || '(root)'}: environment variable ${name} is not set`);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, `${path}[${i}]`, missing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, path ? `${path}.${k}` : k, missing)]));
  }
  return value;
}

export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

export function formatZodIssues(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) =>
    // Each unknown key on its own line with its full path: usually a typo of a real setting.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `${formatIssuePath([...issue.path, key])}: unknown setting (misspelled, or not in this version's config reference)`)
      : [`${formatIssuePath(issue.path)}: ${issue.message}`],
  );
}

export function parseConfigText<S extends z.ZodType>(
  schema: S,
  text: string,
  file: string,
  options: { env?: NodeJS.ProcessEnv; migrations?: readonly Migration[]; currentVersion?: number } = {},
): LoadedConfig<z.output<S>> {
  let raw: unknown;
  try {
    const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0)
      throw new ConfigError(
        file,
        doc.errors.map((e) => `YAML: ${e.message.split('\n')[0]}`),
      );
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(file, [`YAML: ${(err as Error).message}`]);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(file, ['(root): expected a mapping of settings']);

  const migrated: string[] = [];
  let doc = raw as Record<string, unknown>;
  if (options.migrations && options.currentVersion !== undefined) {
    doc = migrate(doc, options.migrations, options.currentVersion, migrated, file);
  }
  const missing: string[] = [];
  const substituted = substituteEnv(doc, options.env ?? process.env, '', missing);
  if (missing.length > 0) throw new ConfigError(file, missing);

  const result = schema.safeParse(substituted);
  if (!result.success) throw new ConfigError(file, formatZodIssues(result.error));
  const revision = createHash('sha256').update(text).digest('hex').slice(0, 12);
  return { config: result.data, revision, migrated };
}

export function loadConfigFile<S extends z.ZodType>(
  schema: S,
  file: string,
  options: { env?: NodeJS.ProcessEnv; migrations?: readonly Migration[]; currentVersion?: number } = {},
): LoadedConfig<z.output<S>> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  return parseConfigText(schema, text, file, options);
}

function migrate(doc: Record<string, unknown>, migrations: readonly Migration[], current: number, applied: string[], file: string): Record<string, unknown> {
  let version = typeof doc.version === 'number' ? doc.version : 0;
  if (version > current) {
    throw new ConfigError(file, [`version: ${version} is newer than this software understands (${current}); upgrade ioc-edge`]);
  }
  while (version < current) {
    const step = migrations.find((m) => m.from === version);
    if (!step) throw new ConfigError(file, [`version: no migration from version ${version}`]);
    doc = step.apply(structuredClone(doc));
    doc.version = step.to;
    applied.push(`v${step.from}→v${step.to}: ${step.describe}`);
    version = step.to;
  }
  return doc;
}
