// Times shown to operators are Vietnam's (UTC+7) whatever the machine's zone is.
import t from 'tap';
import { formatAge, formatBytes, formatDateTime, formatPrecise, formatTick } from '../../console/src/format.js';

// 2026-11-25 17:05:09.042 UTC = 2026-11-26 00:05:09 in Hà Nội.
const MS = Date.UTC(2026, 10, 25, 17, 5, 9, 42);

t.test('wall-clock times in Asia/Ho_Chi_Minh', async (t) => {
  t.match(formatDateTime(MS, 'vi'), /00:05:09/);
  t.match(formatDateTime(MS, 'vi'), /26\/11\/2026/, 'already the next day in Vietnam');
  t.match(formatDateTime(MS, 'en'), /26\/11\/2026/);
  t.match(formatPrecise(MS, 'vi'), /00:05:09\.042/);
  t.equal(formatTick(MS, 'vi', false), '00:05', '24-hour axis ticks');
  t.equal(formatDateTime(null, 'vi'), '—');
});

t.test('ages and sizes', async (t) => {
  t.equal(formatAge(42_000), '42 s');
  t.equal(formatAge(3_900_000), '1 h 5 min');
  t.equal(formatAge(5 * 86_400_000), '5 d');
  t.equal(formatBytes(512), '512 B');
  t.equal(formatBytes(3 * 1024 * 1024), '3.0 MiB');
});
