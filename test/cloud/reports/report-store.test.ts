// The citizen report store contract on level and PostgreSQL: reports with their photos byte for
// byte, the alert link set later, newest first with a category filter and pages.
import t from 'tap';
import { ulid } from 'ulid';
import { forEachBackend } from '../../support/feature-stores.js';
import type { CitizenReport } from '../../../cloud/reports/types.js';

const T0 = Date.UTC(2026, 10, 25, 6, 0, 0);
let n = 0;
const report = (category: string, images = 0): CitizenReport => {
  n++;
  return {
    id: ulid(T0 + n),
    createdAtMs: T0 + n,
    category,
    text: `báo cáo ${n}`,
    location: { lat: 22.1 + n / 100, lon: 102.4 },
    site: 'muong-nhe',
    images: Array.from({ length: images }, (_, i) => ({ index: i, contentType: 'image/jpeg' as const, width: 10, height: 10, bytes: 3 })),
    alertId: null,
    submittedBy: 'anonymous',
  };
};

await forEachBackend(t, (t, make) => {
  t.test('reports and photos round-trip; alert link; newest first, by category, paged', async (t) => {
    const { features } = await make(t);
    const withPhotos = report('flood', 2);
    const photos = [Uint8Array.from([0xff, 0xd8, 0xff, 1]), Uint8Array.from([0xff, 0xd8, 0xff, 0, 2])];
    await features.reports.createReport(withPhotos, photos);
    const others = [report('fire'), report('flood'), report('landslide'), report('flood')];
    for (const r of others) await features.reports.createReport(r, []);
    t.same(await features.reports.getReport(withPhotos.id), withPhotos);
    t.same(Buffer.from((await features.reports.getImage(withPhotos.id, 1))!), Buffer.from(photos[1]!), 'photo bytes intact');
    t.equal(await features.reports.getImage(withPhotos.id, 2), undefined);
    await features.reports.setAlert(withPhotos.id, '01ALERT');
    t.equal((await features.reports.getReport(withPhotos.id))?.alertId, '01ALERT');

    const floods = await features.reports.listReports({ limit: 10, category: ['flood'] });
    t.same(
      floods.items.map((r) => r.id),
      [others[3]!.id, others[1]!.id, withPhotos.id],
    );
    const first = await features.reports.listReports({ limit: 2 });
    const second = await features.reports.listReports({ limit: 10, cursor: first.nextCursor! });
    t.same(
      [...first.items, ...second.items].map((r) => r.id),
      [...others]
        .reverse()
        .map((r) => r.id)
        .concat(withPhotos.id),
    );
    t.equal(second.nextCursor, null);
  });
});
