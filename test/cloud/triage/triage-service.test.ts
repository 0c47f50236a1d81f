// Triage on a real level store: the state machine (409 with the reason), dispatch to the routed
// or a chosen agency, the audit log, escalation of silent agencies on a controlled clock, and
// the intake turning alarms and camera events into one alert each, also across a restart.
import t from 'tap';
import type { TapTest } from '../../support/feature-stores.js';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { LevelStore } from '../../../cloud/store/level/level-store.js';
import { LevelTriageStore } from '../../../cloud/store/level/level-triage-store.js';
import { RoutingTable } from '../../../cloud/triage/routing.js';
import { TriageService, type AlertNotifier } from '../../../cloud/triage/triage-service.js';
import { createTriageMetrics } from '../../../cloud/triage/metrics.js';
import { AlertIntake } from '../../../cloud/triage/intake.js';
import { InMemoryBus, type BusMessage } from '../../../cloud/live/bus.js';
import type { EventRow } from '../../../cloud/store/contract/types.js';
import { makeRootLogger } from '../../../common/log.js';
import { sumMetric } from '../../support/system.js';
import { tempDir } from '../../support/tmp.js';

const logger = makeRootLogger('test');
logger.level = 'error';
const T0 = Date.UTC(2026, 10, 25, 3, 0, 0);
const agencies = [
  { id: 'disaster-committee', name: 'Ban chỉ huy PCTT', channel: 'pctt-hook', ack_timeout_s: 600 },
  { id: 'police', name: 'Công an tỉnh', channel: 'police-hook' },
];
const routing = { rules: [{ match: { kind: ['alarm'], rule: ['flood'] }, agency: 'disaster-committee' }] };

type Notified = { event: string; channels: (string | null | undefined)[] };

async function setup(t: TapTest, dir = join(tempDir(t), 'store')) {
  const store = new LevelStore(dir);
  await store.open();
  const triageStore = new LevelTriageStore(store.database, store.journal);
  const clock = { now: T0 };
  const notified: Notified[] = [];
  const notifier: AlertNotifier = { notify: async (event, _data, options) => void notified.push({ event, channels: options?.channels ?? [] }) };
  const bus = new InMemoryBus();
  const published: BusMessage<{ type: string }>[] = [];
  bus.subscribe<{ type: string }>('alerts', (m) => published.push(m));
  const registry = new Registry();
  const triage = new TriageService({
    store: triageStore,
    routing: new RoutingTable(triageStore, routing, agencies),
    bus,
    notifier,
    metrics: createTriageMetrics(registry, () => triageStore.countByState()),
    escalation: { ack_timeout_s: 300, max_escalations: 2, channel: 'duty-hook' },
    logger,
    now: () => clock.now,
  });
  const intake = new AlertIntake({
    triage,
    minSeverity: 'medium',
    kinds: ['alarm', 'camera_event'],
    siteLocation: () => ({ lat: 22.18, lon: 102.46 }),
    logger,
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await triageStore.close();
    await store.close();
  };
  t.teardown(close);
  return { store, triage, intake, clock, notified, published, registry, dir, close };
}

let seq = 0;
function alarmRow(alarmId: string, state: 'raised' | 'cleared', severity: 'high' | 'low' = 'high', deviceId = 'edge-a'): EventRow {
  seq++;
  return {
    id: `${deviceId}.alarm.${seq}`,
    deviceId,
    site: 'muong-nhe',
    kind: 'alarm',
    lane: 'alarm',
    seq,
    severity,
    edgeTimeMs: T0 + seq,
    timeMs: T0 + seq,
    receivedMs: T0 + seq,
    clockSynced: true,
    hasThumbnail: false,
    sensorId: 'river-1',
    metric: 'level',
    rule: 'flood',
    phase: state,
    payload: {
      alarm_id: alarmId,
      rule_id: 'flood',
      sensor_id: 'river-1',
      metric: 'level',
      state,
      value: state === 'raised' ? 4.9 : 3.9,
      threshold: 4.5,
      condition: 'above',
      message: 'river above 4.5 m',
      unit: 'm',
    },
  };
}

function cameraRow(eventId: string, phase: 'new' | 'update' | 'end', severity: 'medium' | 'info' = 'medium'): EventRow {
  seq++;
  return {
    id: `edge-a.camera.${eventId}`,
    deviceId: 'edge-a',
    site: 'muong-nhe',
    kind: 'camera_event',
    lane: 'event',
    seq,
    severity,
    edgeTimeMs: T0,
    timeMs: T0,
    receivedMs: T0 + seq,
    clockSynced: true,
    hasThumbnail: false,
    cameraId: 'gate',
    rule: 'intrusion',
    phase,
    payload: {
      event_id: eventId,
      camera_id: 'gate',
      phase,
      type: 'object',
      rule: 'intrusion',
      label: 'person',
      object_count: 1,
      started_ms: T0,
      ended_ms: phase === 'end' ? T0 + 40_000 : 0,
    },
  };
}

t.test('the state machine: allowed moves only, each audited with who, when and the comment', async (t) => {
  const { triage, intake, clock, notified, published, registry } = await setup(t);
  await intake.onStored([alarmRow('a1', 'raised')]);
  const [alert] = (await triage.list({ limit: 10 })).items;
  t.ok(alert, 'a raised high alarm became an alert');
  t.same(alert!.routing, { agency: 'disaster-committee', channel: 'pctt-hook', rule: 'rules[0]' }, 'routed at creation');

  await t.rejects(triage.transition(alert!.id, 'resolved', 'op'), {
    code: 'CONFLICT',
    message: 'cannot go from new to resolved; next allowed: verified, dismissed',
  });
  clock.now += 1000;
  await triage.transition(alert!.id, 'verified', 'operator-lan', { comment: 'camera shows water on the road' });
  await t.rejects(triage.transition(alert!.id, 'verified', 'op'), { code: 'CONFLICT', message: 'the alert is already verified' });
  clock.now += 1000;
  const dispatched = await triage.transition(alert!.id, 'dispatched', 'operator-lan');
  t.equal(dispatched.dispatch?.agency, 'disaster-committee', 'the routed agency by default');
  t.equal(dispatched.dispatch?.channel, 'pctt-hook');
  await t.rejects(triage.transition(alert!.id, 'dismissed', 'op'), { code: 'CONFLICT' }, 'a dispatched alert is resolved, not dismissed');
  clock.now += 1000;
  await triage.transition(alert!.id, 'resolved', 'operator-minh', { comment: 'water receded' });
  await t.rejects(triage.transition(alert!.id, 'verified', 'op'), { code: 'CONFLICT', message: 'the alert is resolved, a final state' });

  const log = await triage.auditLog(alert!.id);
  t.same(
    log.map((e) => [e.action, e.from ?? null, e.to ?? null, e.actor]),
    [
      ['created', null, 'new', 'edge:edge-a'],
      ['transition', 'new', 'verified', 'operator-lan'],
      ['transition', 'verified', 'dispatched', 'operator-lan'],
      ['transition', 'dispatched', 'resolved', 'operator-minh'],
    ],
  );
  t.equal(log[1]!.comment, 'camera shows water on the road');
  t.equal(log[2]!.detail?.agency, 'disaster-committee');
  t.same(
    log.map((e) => e.atMs),
    [T0, T0 + 1000, T0 + 2000, T0 + 3000],
    'when',
  );
  t.same(
    notified.map((n) => n.event),
    ['alert.created', 'alert.verified', 'alert.dispatched', 'alert.resolved'],
  );
  t.same(notified[2]!.channels, ['pctt-hook'], 'the dispatch goes to the agency channel');
  t.same(
    published.map((m) => m.data.type),
    ['alert.created', 'alert.verified', 'alert.dispatched', 'alert.resolved'],
    'every change on the bus',
  );
  const metrics = await registry.metrics();
  t.equal(sumMetric(metrics, 'ioc_alerts', { state: 'resolved' }), 1);
  t.equal(sumMetric(metrics, 'ioc_alerts', { state: 'new' }), 0);
});

t.test('every change announced on the bus is in the record journal under the same name; comments are not', async (t) => {
  const { store, triage, intake, clock, published } = await setup(t);
  store.enableJournal();
  await intake.onStored([alarmRow('jr1', 'raised')]);
  const [alert] = (await triage.list({ limit: 1 })).items;
  for (const to of ['verified', 'dispatched'] as const) {
    clock.now += 1000;
    await triage.transition(alert!.id, to, 'op');
  }
  clock.now += 1000;
  await triage.comment(alert!.id, 'op', 'just a note');
  clock.now += 1000;
  await triage.acknowledge(alert!.id, 'pctt-liaison');
  await intake.onStored([alarmRow('jr1', 'cleared')]);
  const journaled = (await store.readJournal(20)).flatMap((e) => (e.data.type === 'alert' ? [`${e.data.change}@${e.data.alert.updatedAtMs}`] : []));
  const announced = published.map((m) => `${m.data.type}@${(m.data as unknown as { alert: { updatedAtMs: number } }).alert.updatedAtMs}`);
  t.same(journaled, announced, 'same names and versions, same order');
  t.same(
    journaled.map((j) => j.split('@')[0]),
    ['alert.created', 'alert.verified', 'alert.dispatched', 'alert.acknowledged', 'alert.updated'],
  );
});

t.test('dispatch to another agency keeps the routed one; unknown agencies are refused', async (t) => {
  const { triage, intake } = await setup(t);
  await intake.onStored([alarmRow('a2', 'raised')]);
  const [alert] = (await triage.list({ limit: 1 })).items;
  await triage.transition(alert!.id, 'verified', 'op');
  await t.rejects(triage.transition(alert!.id, 'dispatched', 'op', { agency: 'army' }), {
    code: 'VALIDATION',
    message: /unknown agency "army"; known: disaster-committee, police/,
  });
  t.equal((await triage.get(alert!.id)).state, 'verified', 'still verified after the refusal');
  const d = await triage.transition(alert!.id, 'dispatched', 'op', { agency: 'police' });
  t.same([d.dispatch?.agency, d.dispatch?.routedAgency, d.dispatch?.channel], ['police', 'disaster-committee', 'police-hook']);
});

t.test('a silent agency escalates after its timeout, at most max times; acknowledging stops it', async (t) => {
  const { triage, intake, clock, notified, registry } = await setup(t);
  await intake.onStored([alarmRow('e1', 'raised'), alarmRow('e2', 'raised')]);
  const [second, first] = (await triage.list({ limit: 10 })).items;
  for (const a of [first!, second!]) {
    await triage.transition(a.id, 'verified', 'op');
    await triage.transition(a.id, 'dispatched', 'op');
  }
  clock.now += 599_000;
  t.equal(await triage.escalateDue(), 0, 'not before the agency ack_timeout_s (600 s)');
  clock.now += 1_000;
  t.equal(await triage.escalateDue(), 2, 'both escalate at 600 s');
  t.equal(await triage.escalateDue(), 0, 'not twice for the same step');
  await triage.acknowledge(first!.id, 'pctt-liaison', { agency: 'disaster-committee', comment: 'team on the way' });
  await t.rejects(triage.acknowledge(first!.id, 'x'), { code: 'CONFLICT', message: /already acknowledged/ });
  await t.rejects(triage.acknowledge(second!.id, 'x', { agency: 'police' }), {
    code: 'CONFLICT',
    message: 'the alert was dispatched to disaster-committee, not police',
  });
  clock.now += 600_000;
  t.equal(await triage.escalateDue(), 1, 'only the unacknowledged one escalates again');
  clock.now += 600_000;
  t.equal(await triage.escalateDue(), 0, 'max_escalations (2) reached');
  const log = await triage.auditLog(second!.id);
  t.same(
    log.filter((e) => e.action === 'escalated').map((e) => [e.actor, e.detail?.level]),
    [
      ['system', 1],
      ['system', 2],
    ],
  );
  t.match(log.find((e) => e.action === 'escalated')!.comment, /disaster-committee has not acknowledged after 600 s/);
  t.same((await triage.auditLog(first!.id)).at(-1)!.action, 'acknowledged');
  const escalations = notified.filter((n) => n.event === 'alert.escalated');
  t.equal(escalations.length, 3);
  t.same(escalations[0]!.channels, ['pctt-hook', 'duty-hook'], 'the agency channel and the duty channel hear of it');
  t.equal(sumMetric(await registry.metrics(), 'ioc_dispatch_escalations_total', { agency: 'disaster-committee' }), 3);
});

t.test('intake: one alert per alarm (raise twice, clear annotates), per camera event across phases; low severity ignored', async (t) => {
  const { triage, intake } = await setup(t);
  await intake.onStored([alarmRow('f1', 'raised'), alarmRow('f1', 'raised'), alarmRow('low-1', 'raised', 'low')]);
  await intake.onStored([alarmRow('f1', 'cleared')]);
  await intake.onStored([cameraRow('ev-gate-1', 'new'), cameraRow('ev-gate-1', 'update'), cameraRow('ev-gate-1', 'end'), cameraRow('ev-quiet', 'new', 'info')]);
  const alerts = (await triage.list({ limit: 10 })).items;
  t.equal(alerts.length, 2, 'the flood alarm and the intrusion; not the low alarm nor the info camera event');
  const flood = alerts.find((a) => a.kind === 'alarm')!;
  t.equal(flood.phase, 'cleared');
  t.equal(flood.eventIds.length, 2, 'raise and clear rows');
  t.equal(flood.title, 'river above 4.5 m');
  const camera = alerts.find((a) => a.kind === 'camera_event')!;
  t.equal(camera.phase, 'end');
  t.equal(camera.endedAtMs, T0 + 40_000, 'the end time from the edge, relative to the corrected start');
  t.same(
    (await triage.auditLog(camera.id)).map((e) => e.comment ?? e.action),
    ['created', 'camera event update', 'camera event ended'],
  );
  t.same(
    (await triage.auditLog(flood.id)).map((e) => e.action),
    ['created', 'annotated'],
  );
});

t.test("intake: an alert raised under a bare camera event id is still found by the same device's later phases, not by another device", async (t) => {
  const { triage, intake } = await setup(t);
  await intake.onStored([{ ...cameraRow('ev-legacy', 'new'), id: 'ev-legacy' }]); // as stored before row ids named the device
  const qualified = (row: EventRow, deviceId: string): EventRow => ({ ...row, deviceId, id: `${deviceId}.camera.ev-legacy` });
  await intake.onStored([qualified(cameraRow('ev-legacy', 'update'), 'edge-a')]);
  let alerts = (await triage.list({ limit: 10 })).items;
  t.equal(alerts.length, 1, 'the later phase annotates the existing alert');
  t.equal(alerts[0]!.phase, 'update');
  await intake.onStored([qualified(cameraRow('ev-legacy', 'new'), 'edge-b')]);
  alerts = (await triage.list({ limit: 10 })).items;
  t.equal(alerts.length, 2, "another device's event of the same id raises its own alert");
  t.same(alerts.map((a) => a.deviceId).sort(), ['edge-a', 'edge-b']);
});

t.test('after a restart the same alarm and camera event raise nothing new (catch-up replays safely)', async (t) => {
  const first = await setup(t);
  const rows = [alarmRow('r1', 'raised'), cameraRow('ev-r1', 'new')];
  await first.store.ingest(
    'edge-a',
    rows.map((event) => ({ lane: event.lane, seq: event.seq, event })),
  );
  await first.intake.onStored(rows);
  const before = (await first.triage.list({ limit: 10 })).items.map((a) => a.id).sort();
  await first.close();

  const second = await setup(t, first.dir);
  await second.intake.onStored(rows);
  const replayed = await second.intake.catchUp(second.store, T0 - 3_600_000);
  t.equal(replayed, 2, 'catch-up saw both stored records');
  t.same((await second.triage.list({ limit: 10 })).items.map((a) => a.id).sort(), before, 'the same two alerts, no duplicates');
  t.same(second.notified, [], 'nothing announced again');
});
