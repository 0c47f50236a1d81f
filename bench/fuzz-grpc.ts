// Fuzzes the coordinator's EdgeLink gRPC server (see support/grpc-fuzz.ts) and prints one JSON
// object: {inputs, crashes, timeouts, peak_rss_mb, ...}. Exit status 1 when it crashed.
//   node --import tsx bench/fuzz-grpc.ts [--inputs 10000] [--seed 1]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runGrpcFuzz } from './support/grpc-fuzz.js';

const { values } = parseArgs({
  options: { inputs: { type: 'string', default: '10000' }, seed: { type: 'string', default: '1' }, concurrency: { type: 'string', default: '8' } },
});
const dir = mkdtempSync(join(tmpdir(), 'ioc-fuzz-grpc-'));
try {
  const result = await runGrpcFuzz({ inputs: Number(values.inputs), seed: Number(values.seed), concurrency: Number(values.concurrency), dir });
  process.stdout.write(`${JSON.stringify({ bench: 'fuzz-grpc', seed: Number(values.seed), ...result })}\n`);
  if (result.crashes > 0 || !result.healthy_after) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
