// The API audit store contract on level and PostgreSQL, and the trail that records writes
// without delaying them: newest first, by actor, since a time, paged.
import t from 'tap';
import { ulid } from 'ulid';
import { forEachBackend } from '../../support/feature-stores.js';
import { AuditTrail } from '../../../cloud/audit/audit-trail.js';
import { makeRootLogger } from '../../../common/log.js';

const T0 = Date.UTC(2026, 10, 25, 5, 0, 0);

await forEachBackend(t, (t, make) => {
  t.test('append, then list newest first with filters and pages', async (t) => {
    const { features } = await make(t);
    const trail = new AuditTrail(features.audit, makeRootLogger('test'));
    for (let i = 0; i < 12; i++)
      trail.record({
        atMs: T0 + i * 1000,
        actor: i % 3 === 0 ? 'admin' : 'operator',
        role: 'operator',
        method: 'POST',
        path: `/api/v1/alerts/A${i}/verify`,
        status: 200,
      });
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await trail.list({ limit: 5, cursor });
      all.push(...page.items.map((r) => r.path));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    t.same(
      all,
      Array.from({ length: 12 }, (_, i) => `/api/v1/alerts/A${11 - i}/verify`),
    );
    const admin = await trail.list({ limit: 100, actor: 'admin' });
    t.same(
      admin.items.map((r) => r.path),
      ['/api/v1/alerts/A9/verify', '/api/v1/alerts/A6/verify', '/api/v1/alerts/A3/verify', '/api/v1/alerts/A0/verify'],
    );
    const recent = await trail.list({ limit: 100, sinceMs: T0 + 9000 });
    t.equal(recent.items.length, 3);
    await features.audit.append([{ id: ulid(T0), atMs: T0, actor: 'x', role: 'admin', method: 'PUT', path: '/p', status: 403 }]);
    t.equal((await trail.list({ limit: 100, actor: 'x' })).items[0]!.status, 403);
  });
});
