// A coordinator process for benchmarks: the real main from the sources, on ephemeral ports,
// with the config body the bench gives (store, devices, tokens). Resolves once it is ready.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../common/paths.js';

/** The V8 flags bin/ioc-coordinator.js runs the coordinator with. */
const COORDINATOR_NODE_FLAGS = ['--max-semi-space-size=64'];

export interface BenchCoordinator {
  child: ChildProcess;
  httpPort: number;
  grpcPort: number;
}

export interface BenchCoordinatorOptions {
  /** Directory for the config file. */
  dir: string;
  /** YAML after the http/grpc lines: store:, devices:, api_tokens: … */
  bodyYaml: string;
  /** Extra keys for the grpc: line, e.g. "max_batch_records: 20000". */
  grpcExtra?: string;
  env?: NodeJS.ProcessEnv;
}

export async function startBenchCoordinator(o: BenchCoordinatorOptions): Promise<BenchCoordinator> {
  const config = join(o.dir, 'coordinator.yaml');
  writeFileSync(
    config,
    `version: 1
http: { host: 127.0.0.1, port: 0 }
grpc: { host: 127.0.0.1, port: 0${o.grpcExtra ? `, ${o.grpcExtra}` : ''} }
${o.bodyYaml}
`,
  );
  const child = spawn(process.execPath, [...COORDINATOR_NODE_FLAGS, '--import', 'tsx', join(projectRoot(), 'cloud/main.ts'), '--config', config], {
    env: { ...process.env, LOG_LEVEL: 'error', ...o.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = await new Promise<{ grpcPort: number; httpPort: number }>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.startsWith('{"ready":true'));
      if (line) resolve(JSON.parse(line) as { grpcPort: number; httpPort: number });
    });
    child.once('exit', (code) => reject(new Error(`coordinator exited with ${code}`)));
  });
  return { child, httpPort: ready.httpPort, grpcPort: ready.grpcPort };
}

/** SIGTERM, then waits for the exit (a clean shutdown, as in service). */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
