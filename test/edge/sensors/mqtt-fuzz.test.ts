// A short run of the MQTT fuzzer (bench/mqtt-fuzz.ts; `make fuzz` runs 10,000 inputs): no
// crash, the broker still accepts a real sensor afterwards, memory stays bounded.
import t from 'tap';
import { fuzzBroker } from '../../../bench/mqtt-fuzz.js';

t.test('300 malformed, oversize, slow and garbage inputs: no crash, bounded RSS', async (t) => {
  const result = await fuzzBroker({ inputs: 300, seed: Number(process.env.FUZZ_SEED ?? 1) });
  t.equal(result.inputs, 300);
  t.equal(result.crashes, 0, `no crash (${JSON.stringify(result.refusedByReason)})`);
  t.ok(result.peakRssMb - result.startRssMb < 64, `peak RSS ${result.peakRssMb} MB from ${result.startRssMb} MB`);
  t.ok((result.refusedByReason.oversized_packet ?? 0) > 0, 'oversize packets were refused by the guard');
});
