import t from 'tap';
import { parseReading } from '../../../edge/sensors/readings.js';
import type { SensorConfig } from '../../../common/config/edge-schema.js';

const sensor: SensorConfig = {
  id: 'rain-1',
  type: 'rain_gauge',
  credentials: { username: 'rain-1', password: 'secret-secret' },
  metrics: [{ name: 'rainfall', unit: 'mm', valid_range: [0, 200], windows_s: [60] }],
  thresholds: [],
  stale_after_s: 300,
};
const now = { wallMs: 1_800_000_000_000, monoMs: 5000 };
const parse = (topic: string, payload: string | Buffer) =>
  parseReading(sensor, topic, Buffer.isBuffer(payload) ? payload : Buffer.from(payload), { maxPayloadBytes: 64 }, now);

t.test('accepts a bare number and JSON with an optional timestamp', async (t) => {
  const bare = parse('sensors/rain-1/rainfall', '2.5');
  t.ok(bare.ok && bare.reading.value === 2.5 && bare.reading.wallMs === now.wallMs);
  const json = parse('sensors/rain-1/rainfall', JSON.stringify({ value: 1.25, ts: now.wallMs - 5000 }));
  t.ok(json.ok && json.reading.value === 1.25 && json.reading.wallMs === now.wallMs - 5000, 'a plausible sensor ts is used');
  const skewed = parse('sensors/rain-1/rainfall', JSON.stringify({ value: 1, ts: 0 }));
  t.ok(skewed.ok && skewed.reading.wallMs === now.wallMs, 'a sensor clock in 1970 is ignored');
});

t.test('rejects with a reason and never throws', async (t) => {
  const cases: [string, string | Buffer, string][] = [
    ['sensors/rain-1/rainfall', 'abc', 'malformed'],
    ['sensors/rain-1/rainfall', '', 'malformed'],
    ['sensors/rain-1/rainfall', '{"value":"7"}', 'malformed'],
    ['sensors/rain-1/rainfall', '[1,2]', 'malformed'],
    ['sensors/rain-1/rainfall', '{"value": 1e999}', 'non_finite'],
    ['sensors/rain-1/rainfall', 'NaN', 'non_finite'],
    ['sensors/rain-1/rainfall', '{"value":"Infinity"}', 'non_finite'],
    ['sensors/rain-1/rainfall', '-3', 'out_of_range'],
    ['sensors/rain-1/rainfall', 'x'.repeat(65), 'oversized'],
    ['sensors/rain-1/humidity', '5', 'unknown_metric'],
    ['sensors/rain-1', '5', 'off_topic'],
    ['sensors/other/rainfall', '5', 'off_topic'],
    ['sensors/rain-1/rainfall', Buffer.from([0xff, 0xfe, 0x00, 0x01]), 'malformed'],
  ];
  for (const [topic, payload, reason] of cases) {
    const r = parse(topic, payload);
    t.equal(r.ok ? 'ok' : r.reason, reason, `${topic} ${String(payload).slice(0, 20)} → ${reason}`);
  }
});

t.test('fuzzed payloads never throw', async (t) => {
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let i = 0; i < 5000; i++) {
    const bytes = Buffer.from(Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256)));
    t.doesNotThrow(() => parse('sensors/rain-1/rainfall', bytes), { silent: true });
  }
  t.pass('5000 random payloads handled');
});
