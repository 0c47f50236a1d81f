// The long API fuzz run: a coordinator process (level store), seeded with a device's records,
// then ≥ 10 000 fuzzed inputs (test/support/api-fuzzer.ts) against every route it lists.
// Prints JSON {inputs, crashes, unavailable_by_design, statuses, peak_rss_mb, seconds, seed}:
// crashes counts 5xx (other than a 503 by design) and requests that got no answer.
//   node --import tsx bench/fuzz-api.ts [--requests 10000] [--seed 20261125] [--concurrency 8]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { coordinatorYaml } from '../test/support/system.js';
import { FUZZ_DEVICE, fuzzCoordinator, seed } from '../test/support/api-fuzzer.js';
import { startBenchCoordinator, stopProcess } from './support/coordinator.js';

const { values } = parseArgs({
  options: { requests: { type: 'string', default: '10000' }, seed: { type: 'string', default: '20261125' }, concurrency: { type: 'string', default: '8' } },
});
const requests = Number(values.requests);
const seedValue = Number(values.seed);

/** Peak resident set of a process (VmHWM), in MiB. */
function peakRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return Math.round(Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) / 1024);
}

const dir = mkdtempSync(join(tmpdir(), 'fuzz-api-'));
// The test coordinator's config (sites, device, role tokens) after its http/grpc lines.
const body = coordinatorYaml({ dir, devices: [{ id: FUZZ_DEVICE, site: 'muong-nhe' }] }, { http: 0, grpc: 0 })
  .split('\n')
  .slice(3)
  .join('\n');
const coordinator = await startBenchCoordinator({ dir, bodyYaml: body });
try {
  await seed(coordinator.grpcPort);
  const base = `http://127.0.0.1:${coordinator.httpPort}`;
  const started = performance.now();
  const run = await fuzzCoordinator({
    base,
    httpPort: coordinator.httpPort,
    seed: seedValue,
    requests,
    concurrency: Number(values.concurrency),
    maxFailures: Number.POSITIVE_INFINITY,
  });
  const alive = coordinator.child.exitCode === null && (await fetch(`${base}/healthz`)).status === 200;
  console.log(
    JSON.stringify({
      bench: 'fuzz-api',
      inputs: run.inputs,
      crashes: run.failures.length,
      alive,
      unavailable_by_design: Object.fromEntries(run.unavailable),
      statuses: Object.fromEntries([...run.statuses].sort((a, b) => a[0] - b[0])),
      peak_rss_mb: peakRssMb(coordinator.child.pid!),
      seconds: Math.round((performance.now() - started) / 100) / 10,
      seed: seedValue,
      ...(run.failures.length > 0 ? { first_failures: run.failures.slice(0, 5) } : {}),
    }),
  );
  if (run.failures.length > 0 || !alive) process.exitCode = 1;
} finally {
  await stopProcess(coordinator.child);
  rmSync(dir, { recursive: true, force: true });
}
