// Reconnect backoff: full jitter stays within [0, min(cap, initial·2^n)], covers that window
// evenly (a fleet cut off at once comes back spread out) and starts over after reset.
import t from 'tap';
import { Backoff } from '../../common/backoff.js';

t.test('full jitter: every delay within [0, min(cap, initial·2^n)], the window covered evenly', async (t) => {
  const samples = 20_000;
  for (let attempt = 0; attempt < 9; attempt++) {
    const ceiling = Math.min(60_000, 1000 * 2 ** attempt);
    const delays: number[] = [];
    for (let i = 0; i < samples; i++) {
      const b = new Backoff({ initialMs: 1000, maxMs: 60_000, fullJitter: true });
      for (let k = 0; k < attempt; k++) b.nextDelayMs();
      delays.push(b.nextDelayMs());
    }
    t.ok(
      delays.every((d) => d >= 0 && d <= ceiling),
      `attempt ${attempt}: within [0, ${ceiling}]`,
    );
    const mean = delays.reduce((a, b) => a + b, 0) / samples;
    t.ok(Math.abs(mean - ceiling / 2) < ceiling * 0.02, `attempt ${attempt}: mean ${Math.round(mean)} about half of ${ceiling}`);
    // Each tenth of the window holds about a tenth of the boxes: no wave at the step.
    const deciles = new Array<number>(10).fill(0);
    for (const d of delays) deciles[Math.min(9, Math.floor((d / ceiling) * 10))]!++;
    t.ok(
      deciles.every((n) => Math.abs(n / samples - 0.1) < 0.015),
      `attempt ${attempt}: deciles ${deciles.join(' ')}`,
    );
  }
});

t.test('full jitter is capped, and reset starts from the first step again', async (t) => {
  const b = new Backoff({ initialMs: 1000, maxMs: 60_000, fullJitter: true, random: () => 0.999_999 });
  const delays = Array.from({ length: 12 }, () => b.nextDelayMs());
  t.same(delays.slice(0, 7), [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000]);
  t.ok(
    delays.slice(6).every((d) => d === 60_000),
    'never above the cap',
  );
  b.reset();
  t.equal(b.nextDelayMs(), 1000);
  const low = new Backoff({ initialMs: 1000, maxMs: 60_000, fullJitter: true, random: () => 0 });
  t.equal(low.nextDelayMs(), 0, 'the window starts at zero');
});

t.test('proportional jitter (other users) is unchanged: step ± 30%', async (t) => {
  const lo = new Backoff({ initialMs: 1000, maxMs: 8000, random: () => 0 });
  const hi = new Backoff({ initialMs: 1000, maxMs: 8000, random: () => 1 });
  t.same([lo.nextDelayMs(), lo.nextDelayMs(), lo.nextDelayMs()], [700, 1400, 2800]);
  t.same([hi.nextDelayMs(), hi.nextDelayMs(), hi.nextDelayMs()], [1300, 2600, 5200]);
});
