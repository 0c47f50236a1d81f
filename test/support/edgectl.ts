// Runs the compiled edgectl against an agent's config, as a technician would from a shell.
import { runNode } from './process.js';

export interface EdgectlRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as one JSON document (throws with the output when it is not). */
  json<T = unknown>(): T;
  /** stdout parsed as JSON lines (streaming commands with --json). */
  lines<T = unknown>(): T[];
}

export async function edgectl(configFile: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<EdgectlRun> {
  const r = await runNode('edge/cli/main.js', ['--config', configFile, ...args], env);
  return {
    ...r,
    json<T>() {
      try {
        return JSON.parse(r.stdout) as T;
      } catch {
        throw new Error(`edgectl ${args.join(' ')} did not print JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
      }
    },
    lines<T>() {
      return r.stdout
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as T);
    },
  };
}
