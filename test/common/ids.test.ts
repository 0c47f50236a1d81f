import t from 'tap';
import { decodeTime } from 'ulid';
import { newId } from '../../common/ids.js';

t.test('ids made in one millisecond keep the order they were made in', async (t) => {
  const at = Date.UTC(2026, 11, 4, 8, 0, 0);
  const ids = Array.from({ length: 1000 }, () => newId(at));
  t.same([...ids].sort(), ids, 'sorted order is creation order');
  t.equal(new Set(ids).size, ids.length, 'all distinct');
  t.ok(
    ids.every((id) => decodeTime(id) === at),
    'each carries the time it was made for',
  );
});

t.test('an id for an earlier time is stamped with that time', async (t) => {
  const later = newId(Date.UTC(2026, 11, 4, 9));
  const earlier = newId(Date.UTC(2026, 11, 4, 8));
  t.equal(decodeTime(earlier), Date.UTC(2026, 11, 4, 8));
  t.ok(earlier < later);
});
