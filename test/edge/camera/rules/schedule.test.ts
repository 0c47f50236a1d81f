import t from 'tap';
import { localMinuteOfDay } from '../../../../edge/camera/rules/schedule.js';

t.test('local minute of day matches the Asia/Ho_Chi_Minh time zone', async (t) => {
  const zone = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const expected = (ms: number) => {
    const parts = zone.formatToParts(new Date(ms));
    return Number(parts.find((p) => p.type === 'hour')!.value) * 60 + Number(parts.find((p) => p.type === 'minute')!.value);
  };
  // Every 7 minutes and 13 seconds across two years, plus the edges of local midnight.
  const start = Date.parse('2025-01-01T00:00:00Z');
  let mismatches = 0;
  for (let ms = start; ms < start + 2 * 365 * 86_400_000; ms += 433_000) if (localMinuteOfDay(ms) !== expected(ms)) mismatches++;
  t.equal(mismatches, 0, 'no instant differs from the time zone database');
  t.equal(localMinuteOfDay(Date.parse('2026-01-10T16:59:59.999Z')), 23 * 60 + 59, 'one millisecond before local midnight');
  t.equal(localMinuteOfDay(Date.parse('2026-01-10T17:00:00Z')), 0, 'local midnight');
  t.equal(localMinuteOfDay(Date.parse('1969-12-31T16:30:00Z')), 23 * 60 + 30, 'before the epoch');
});
