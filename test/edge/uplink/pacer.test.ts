import t from 'tap';
import { TokenBucket, DailyBudget, controlReserveBytesPerSecond } from '../../../edge/uplink/pacer.js';

t.test('token bucket: starts with one burst, refills at its rate, never beyond the burst', async (t) => {
  let now = 0;
  const bucket = new TokenBucket(1000, 2000, () => now);
  t.equal(bucket.available(), 2000);
  bucket.take(2000);
  t.equal(bucket.available(), 0);
  now += 500;
  t.equal(bucket.available(), 500, 'half a second at 1000 B/s');
  now += 60_000;
  t.equal(bucket.available(), 2000, 'an idle minute does not save up more than the burst');
});

t.test('token bucket: a record larger than the burst goes, and later sends wait off the debt', async (t) => {
  let now = 0;
  const bucket = new TokenBucket(1000, 1000, () => now);
  bucket.take(5000);
  t.equal(bucket.available(), 0);
  t.equal(bucket.waitMs(1000), 5000, 'four seconds of debt plus one of burst');
  now += 4000;
  t.equal(bucket.available(), 0);
  now += 1000;
  t.equal(bucket.available(), 1000);
});

t.test('token bucket at rate 0 is unlimited', async (t) => {
  const bucket = new TokenBucket(0, 0, () => 0);
  t.equal(bucket.available(), Number.POSITIVE_INFINITY);
  bucket.take(1e9);
  t.equal(bucket.waitMs(1e6), 0);
});

t.test('daily budget: spent bytes count until the UTC day changes', async (t) => {
  let now = Date.UTC(2026, 10, 25, 23, 59, 0);
  const budget = new DailyBudget(10_000, () => now);
  budget.spend(6000);
  t.equal(budget.exhausted(), false);
  budget.spend(4000);
  t.equal(budget.exhausted(), true);
  now += 2 * 60_000; // 00:01 UTC the next day
  t.equal(budget.exhausted(), false, 'a new day, a new budget');
  t.equal(budget.usedBytes, 0);
  t.equal(new DailyBudget(0, () => now).exhausted(), false, '0 = unlimited');
});

t.test('control reserve: 10 % of a slow link, at most 2 kbps', async (t) => {
  t.equal(controlReserveBytesPerSecond(0), 0, 'unlimited links reserve nothing');
  t.equal(controlReserveBytesPerSecond(9.6), 120, '9.6 kbps GSM data: 10 %');
  t.equal(controlReserveBytesPerSecond(20_000), 250, 'capped at 2 kbps');
});

t.test('daily budget: what was spent today survives a restart, not into tomorrow', async (t) => {
  const { tempDir } = await import('../../support/tmp.js');
  const file = `${tempDir(t)}/uplink-daily.json`;
  let now = Date.UTC(2026, 10, 25, 12, 0, 0);
  const first = new DailyBudget(10_000, () => now, file);
  first.spend(9000);
  first.close(); // as the agent's stop does; a SIGKILL loses at most the last few seconds
  const second = new DailyBudget(10_000, () => now, file);
  t.equal(second.usedBytes, 9000, 'the restarted agent remembers today');
  second.spend(1000);
  t.equal(second.exhausted(), true);
  second.close();
  now += 86_400_000;
  const tomorrow = new DailyBudget(10_000, () => now, file);
  t.equal(tomorrow.usedBytes, 0, 'a new day starts at zero');
  tomorrow.close();
});
