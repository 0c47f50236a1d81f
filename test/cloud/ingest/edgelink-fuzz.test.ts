// A short run of the EdgeLink fuzzer (bench/fuzz-grpc.ts runs ≥ 10,000 inputs in `make fuzz`):
// malformed HTTP/2 and gRPC framing, broken protobuf, wrong tokens, oversized and over-counted
// batches and a gzip bomb against a coordinator process. It must not crash, must keep serving,
// and its memory must stay bounded.
import t from 'tap';
import { runGrpcFuzz } from '../../../bench/support/grpc-fuzz.js';
import { tempDir } from '../../support/tmp.js';

t.test('the coordinator survives a few hundred hostile inputs on EdgeLink', async (t) => {
  const result = await runGrpcFuzz({ inputs: 200, seed: Number(process.env.FUZZ_SEED ?? 7), dir: tempDir(t) });
  t.comment(JSON.stringify(result));
  t.equal(result.inputs, 200);
  t.equal(result.crashes, 0, 'no crash');
  t.ok(result.healthy_after, 'a good batch is still acknowledged and /healthz answers afterwards');
  t.ok(result.peak_rss_mb < 700, `peak RSS ${result.peak_rss_mb} MB stays bounded`);
  for (const kind of ['raw_bytes', 'h2_frames', 'grpc_framing', 'wrong_token_register', 'wrong_token_sync', 'garbage_batch', 'huge_batch'])
    t.ok(result.by_kind[kind]! > 0, `${kind} exercised`);
});
