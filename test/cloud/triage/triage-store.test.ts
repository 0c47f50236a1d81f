// The triage store contract on level and PostgreSQL: one alert per source (also under
// concurrency and across a restart), mutations serialized with an ordered audit log, pages
// that neither repeat nor miss, the escalation watch list, counts by state, settings.
import t from 'tap';
import { ulid } from 'ulid';
import { IocError } from '../../../common/errors.js';
import { forEachBackend } from '../../support/feature-stores.js';
import type { Alert, AlertState } from '../../../cloud/triage/types.js';

const T0 = Date.UTC(2026, 10, 25, 1, 0, 0);
let clock = T0;

function alert(sourceKey: string, over: Partial<Alert> = {}): Alert {
  clock += 1000;
  return {
    id: ulid(clock),
    source: 'alarm',
    sourceKey,
    kind: 'alarm',
    state: 'new',
    severity: 'high',
    title: `alert ${sourceKey}`,
    site: 'muong-nhe',
    deviceId: 'edge-a',
    rule: 'flood',
    location: null,
    eventIds: ['edge-a.alarm.1'],
    reportId: null,
    phase: 'raised',
    endedAtMs: null,
    createdAtMs: clock,
    updatedAtMs: clock,
    routing: { agency: null, channel: null, rule: null },
    dispatch: null,
    details: {},
    ...over,
  };
}
const created = { atMs: T0, actor: 'edge:edge-a', action: 'created' as const, to: 'new' as const };

await forEachBackend(t, (t, make) => {
  t.test('one alert per source, also when raised concurrently and after a restart', async (t) => {
    let { features, reopen } = await make(t);
    const attempts = await Promise.all(Array.from({ length: 6 }, () => features.triage.createAlert(alert('alarm:edge-a:flood-1'), created)));
    t.equal(attempts.filter((a) => a.created).length, 1, 'exactly one of six concurrent raises creates');
    const id = attempts.find((a) => a.created)!.alert.id;
    t.ok(
      attempts.every((a) => a.alert.id === id),
      'the others get the existing alert',
    );
    ({ features } = await reopen());
    const again = await features.triage.createAlert(alert('alarm:edge-a:flood-1'), created);
    t.equal(again.created, false, 'after a restart the same source still maps to the same alert');
    t.equal(again.alert.id, id);
    t.equal((await features.triage.getAlertBySource('alarm:edge-a:flood-1'))?.id, id);
    t.same(
      (await features.triage.auditLog(id)).map((e) => e.action),
      ['created'],
      'one created entry, not six',
    );
  });

  t.test('mutations serialize and append the audit log in order; a throwing mutation changes nothing', async (t) => {
    const { features } = await make(t);
    const { alert: a } = await features.triage.createAlert(alert('camera:ev-1'), created);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        features.triage.mutateAlert(a.id, (cur) => ({
          alert: { ...cur, details: { ...cur.details, [`c${i}`]: true } },
          audit: [{ atMs: T0 + i, actor: `op${i}`, action: 'commented', comment: `note ${i}` }],
        })),
      ),
    );
    const log = await features.triage.auditLog(a.id);
    t.same(
      log.map((e) => e.seq),
      Array.from({ length: 11 }, (_, i) => i + 1),
      'seqs 1..11 without gaps or repeats',
    );
    t.equal(Object.keys((await features.triage.getAlert(a.id))!.details).length, 10, 'no lost update among 10 concurrent mutations');

    const before = await features.triage.getAlert(a.id);
    await t.rejects(
      features.triage.mutateAlert(a.id, () => {
        throw new IocError('CONFLICT', 'not allowed');
      }),
      { code: 'CONFLICT' },
    );
    t.same(await features.triage.getAlert(a.id), before, 'unchanged after a refused mutation');
    t.equal((await features.triage.auditLog(a.id)).length, 11, 'no audit entry for a refused mutation');
    const same = await features.triage.mutateAlert(a.id, () => undefined);
    t.same(same, before, 'undefined means no change');
    await t.rejects(
      features.triage.mutateAlert('01NOPE', (c) => ({ alert: c, audit: [] })),
      { code: 'NOT_FOUND' },
    );
  });

  t.test('lists newest first with filters; pages neither repeat nor miss', async (t) => {
    const { features } = await make(t);
    const states: AlertState[] = ['new', 'verified', 'dispatched', 'resolved', 'dismissed'];
    const made: Alert[] = [];
    for (let i = 0; i < 23; i++) {
      const a = alert(`alarm:edge-a:a${i}`, {
        state: states[i % 5]!,
        site: i % 2 ? 'tua-chua' : 'muong-nhe',
        severity: i % 3 ? 'high' : 'low',
        kind: i % 4 ? 'alarm' : 'citizen_report',
      });
      made.push((await features.triage.createAlert(a, created)).alert);
    }
    const pages: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await features.triage.listAlerts({ limit: 5, cursor });
      t.ok(page.items.length <= 5);
      pages.push(...page.items.map((a) => a.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    t.same(pages, made.map((a) => a.id).reverse(), 'all 23, newest first, once each');

    const filtered = await features.triage.listAlerts({ limit: 100, state: ['new', 'verified'], site: ['tua-chua'], minSeverity: 'medium' });
    const expected = made
      .filter((a) => ['new', 'verified'].includes(a.state) && a.site === 'tua-chua' && a.severity === 'high')
      .map((a) => a.id)
      .reverse();
    t.same(
      filtered.items.map((a) => a.id),
      expected,
      'state, site and severity filters',
    );
    t.ok(expected.length > 0);
    const kinds = await features.triage.listAlerts({ limit: 100, kind: ['citizen_report'] });
    t.equal(kinds.items.length, made.filter((a) => a.kind === 'citizen_report').length);

    const counts = await features.triage.countByState();
    t.same(counts, { new: 5, verified: 5, dispatched: 5, resolved: 4, dismissed: 4 });
  });

  t.test('the escalation watch list holds exactly the unacknowledged dispatches', async (t) => {
    const { features } = await make(t);
    const { alert: a } = await features.triage.createAlert(alert('alarm:edge-a:w1'), created);
    const { alert: b } = await features.triage.createAlert(alert('alarm:edge-a:w2'), created);
    const dispatch = { agency: 'fire-rescue', atMs: T0, by: 'op', escalations: 0 };
    await features.triage.mutateAlert(a.id, (c) => ({ alert: { ...c, state: 'dispatched', dispatch }, audit: [] }));
    await features.triage.mutateAlert(b.id, (c) => ({ alert: { ...c, state: 'dispatched', dispatch }, audit: [] }));
    t.same((await features.triage.unacknowledgedDispatches()).map((x) => x.id).sort(), [a.id, b.id].sort());
    await features.triage.mutateAlert(a.id, (c) => ({ alert: { ...c, dispatch: { ...dispatch, acknowledgedAtMs: T0 + 5 } }, audit: [] }));
    await features.triage.mutateAlert(b.id, (c) => ({ alert: { ...c, state: 'resolved' }, audit: [] }));
    t.same(await features.triage.unacknowledgedDispatches(), [], 'acknowledged and resolved ones leave the list');
  });

  t.test('with the journal on, a created alert and each typed change are journaled in the same write', async (t) => {
    let { store, features, reopen } = await make(t);
    await features.triage.createAlert(alert('alarm:edge-a:j0'), created);
    t.same(await store.readJournal(10), [], 'nothing journaled while off');
    store.enableJournal();
    const { alert: a } = await features.triage.createAlert(alert('alarm:edge-a:j1'), created);
    await features.triage.createAlert(alert('alarm:edge-a:j1'), created);
    await features.triage.mutateAlert(a.id, (c) => ({
      alert: { ...c, state: 'verified', updatedAtMs: T0 + 7 },
      audit: [{ atMs: T0 + 7, actor: 'op', action: 'transition', to: 'verified' }],
      type: 'alert.verified',
    }));
    await features.triage.mutateAlert(a.id, (c) => ({
      alert: { ...c, updatedAtMs: T0 + 8 },
      audit: [{ atMs: T0 + 8, actor: 'op', action: 'commented', comment: 'no type' }],
    }));
    await t.rejects(
      features.triage.mutateAlert(a.id, () => {
        throw new IocError('CONFLICT', 'refused');
      }),
    );
    // Survives a restart: the entries were written with the alert, not after it.
    ({ store } = await reopen());
    const changes = (await store.readJournal(10)).map((e) =>
      e.data.type === 'alert' ? [e.data.change, e.data.alert.id, e.data.alert.updatedAtMs] : e.data.type,
    );
    t.same(
      changes,
      [
        ['alert.created', a.id, a.updatedAtMs],
        ['alert.verified', a.id, T0 + 7],
      ],
      'created once, the typed change; no comment, nothing for a duplicate or a refusal',
    );
  });

  t.test('settings: put, read, delete', async (t) => {
    const { features } = await make(t);
    t.equal(await features.triage.getSetting('routing'), undefined);
    await features.triage.putSetting('routing', { rules: [{ agency: 'police' }] });
    t.same(await features.triage.getSetting('routing'), { rules: [{ agency: 'police' }] });
    await features.triage.putSetting('routing', undefined);
    t.equal(await features.triage.getSetting('routing'), undefined);
  });

  t.test('the audit log cannot be edited in the database', async (t) => {
    const opened = await make(t);
    if (opened.backend !== 'postgres') {
      t.pass('level: the store exposes no update or delete of audit entries');
      return;
    }
    const { alert: a } = await opened.features.triage.createAlert(alert('alarm:edge-a:x'), created);
    await t.rejects(opened.pool.query("UPDATE triage_audit SET data = '{}' WHERE alert_id = $1", [a.id]), /append-only/);
    await t.rejects(opened.pool.query('DELETE FROM triage_audit WHERE alert_id = $1', [a.id]), /append-only/);
  });
});
