// Applying a new site config to a running agent, one implementation for edgectl (config apply /
// rollback) and for configs pushed by the coordinator: validate, write it atomically next to
// the running one keeping the previous version, then reload in-process — restarting only the
// components whose settings changed — and put the previous config back if that fails.
import { existsSync, readFileSync } from 'node:fs';
import type { EdgeConfig } from '../common/config/edge-schema.js';
import { parseEdgeConfig } from '../common/config/edge-config.js';
import { IocError, errorMessage } from '../common/errors.js';
import { componentLogger, type Logger } from '../common/log.js';
import { writeFileAtomic } from '../common/time.js';
import { redactValue } from '../common/redact.js';

/** Parts of the agent that can be rebuilt in-process from a new config. */
export type ReloadPart = 'sensors' | 'cameras' | 'uplink';

/** Top-level sections and the part that reloads them; any other section needs a restart. */
const RELOADS: Record<string, ReloadPart> = {
  sensors: 'sensors',
  broker: 'sensors',
  cameras: 'cameras',
  coordinator: 'uplink',
  uplink: 'uplink',
};

const SECRET_KEYS = new Set(['password', 'token']);

export interface ConfigChange {
  /** e.g. `sensors[river-1].thresholds[flood].value` */
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface ConfigApplyResult {
  revision: string;
  previousRevision: string;
  changes: ConfigChange[];
  /** Components restarted in-process. */
  restarted: ReloadPart[];
  /** Changed settings that take effect only after the agent restarts. */
  restartRequired: string[];
}

/** What the applier needs from the agent. */
export interface ConfigTarget {
  readonly config: EdgeConfig;
  readonly configRevision: string;
  reconfigure(next: EdgeConfig, revision: string, parts: ReadonlySet<ReloadPart>): Promise<void>;
}

export type ConfigSource = 'edgectl' | 'coordinator' | 'rollback';

export class ConfigApplier {
  private chain: Promise<unknown> = Promise.resolve();
  private readonly log: Logger;

  constructor(
    /** The running config file; the previous version is kept beside it as `<file>.prev`. */
    readonly file: string,
    private readonly target: ConfigTarget,
    logger?: Logger,
  ) {
    this.log = logger ?? componentLogger('config');
  }

  get previousFile(): string {
    return `${this.file}.prev`;
  }

  /** Validates `text` and lists what it would change; throws ConfigError with every issue. */
  diff(text: string): { revision: string; changes: ConfigChange[] } {
    const next = parseEdgeConfig(text, this.file);
    return { revision: next.revision, changes: diffConfig(this.target.config, next.config) };
  }

  apply(text: string, source: ConfigSource): Promise<ConfigApplyResult> {
    const run = this.chain.then(() => this.applyNow(text, source));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Puts the previous config back (itself an apply, so a second rollback undoes the first). */
  rollback(): Promise<ConfigApplyResult> {
    if (!existsSync(this.previousFile)) throw new IocError('NOT_FOUND', `no previous config to roll back to (${this.previousFile} does not exist)`);
    return this.apply(readFileSync(this.previousFile, 'utf8'), 'rollback');
  }

  private async applyNow(text: string, source: ConfigSource): Promise<ConfigApplyResult> {
    const next = parseEdgeConfig(text, this.file);
    const previous = { config: this.target.config, revision: this.target.configRevision, text: readFileSync(this.file, 'utf8') };
    const changes = diffConfig(previous.config, next.config);
    const parts = new Set<ReloadPart>();
    const restartRequired: string[] = [];
    for (const change of changes) {
      const part = RELOADS[change.path.split(/[.[]/)[0]!];
      if (part) parts.add(part);
      else restartRequired.push(change.path);
    }
    writeFileAtomic(this.previousFile, previous.text);
    writeFileAtomic(this.file, text);
    try {
      await this.target.reconfigure(next.config, next.revision, parts);
    } catch (err) {
      this.log.error({ err: errorMessage(err), source }, 'new config failed to start; restoring the previous one');
      writeFileAtomic(this.file, previous.text);
      await this.target
        .reconfigure(previous.config, previous.revision, parts)
        .catch((again: unknown) => this.log.error({ err: errorMessage(again) }, 'the previous config did not come back cleanly either'));
      throw new IocError(
        'UNAVAILABLE',
        `config ${next.revision} failed to start (${errorMessage(err)}); the previous config ${previous.revision} is back in service`,
        { cause: err },
      );
    }
    const result: ConfigApplyResult = {
      revision: next.revision,
      previousRevision: previous.revision,
      changes,
      restarted: [...parts],
      restartRequired,
    };
    this.log.info(
      { source, revision: next.revision, previous: previous.revision, changed: changes.length, restarted: result.restarted, restartRequired },
      'config applied',
    );
    return result;
  }
}

/**
 * The settings that differ between two configs, as paths. Lists of things with an `id` (or a
 * `name`) are matched by it, so reordering sensors is not a change; secrets are masked.
 */
export function diffConfig(before: unknown, after: unknown, path = ''): ConfigChange[] {
  if (isKeyedList(before) && isKeyedList(after)) {
    const a = keyed(before);
    const b = keyed(after);
    const keys = [...new Set([...a.keys(), ...b.keys()])];
    return keys.flatMap((k) => diffConfig(a.get(k), b.get(k), `${path}[${k}]`));
  }
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => diffConfig(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const leaf =
    path
      .split(/[.[\]]/)
      .filter(Boolean)
      .at(-1) ?? '';
  if (SECRET_KEYS.has(leaf))
    return [{ path, before: before === undefined ? undefined : '(secret)', after: after === undefined ? undefined : '(secret, changed)' }];
  // Camera URLs carry passwords: a diff shows that the URL changed, never the password.
  return [{ path: path || '(root)', before: redactValue(before), after: redactValue(after) }];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function keyOf(v: unknown): string | undefined {
  if (!isPlainObject(v)) return undefined;
  const k = v.id ?? v.name;
  return typeof k === 'string' ? k : undefined;
}

function isKeyedList(v: unknown): v is unknown[] {
  if (!Array.isArray(v) || v.length === 0) return Array.isArray(v);
  const keys = v.map(keyOf);
  return keys.every((k) => k !== undefined) && new Set(keys).size === keys.length;
}

function keyed(list: unknown[]): Map<string, unknown> {
  return new Map(list.map((v) => [keyOf(v)!, v]));
}
