// GET /api/v1/live over real HTTP: the token in the query for EventSource, filters by site,
// kind and severity, resume with Last-Event-ID (exactly what was missed), a `reset` when the
// client is further behind than the replay buffer, heartbeats that also move a filtered
// client's resume point.
import t from 'tap';
import { startInProcessCoordinator } from '../../support/in-process.js';
import { SseClient } from '../../support/sse-client.js';
import { liveTicket, VIEWER_TOKEN } from '../../support/system.js';
import { waitFor, delay } from '../../support/wait.js';

const LIVE = 'live: { replay_buffer: 10, heartbeat_s: 1 }\n';
let n = 0;
const row = (site: string, kind: string, severity: string | null) => ({
  id: `edge-a.event.${++n}`,
  deviceId: 'edge-a',
  site,
  kind,
  severity,
  timeMs: Date.now(),
  payload: { n },
});

t.test('filters, token in the query, and the 401 without one', async (t) => {
  const c = await startInProcessCoordinator(t, LIVE);
  const noToken = await SseClient.connect(`${c.baseUrl}/api/v1/live`);
  t.equal(noToken.status, 401);
  const all = await SseClient.connect(`${c.baseUrl}/api/v1/live?ticket=${await liveTicket(c.baseUrl)}`);
  const filtered = await SseClient.connect(`${c.baseUrl}/api/v1/live?site=muong-nhe&kind=alarm,camera_event&min_severity=high`, {
    authorization: `Bearer ${VIEWER_TOKEN}`,
  });
  t.teardown(() => Promise.all([all.close(), filtered.close()]));
  t.equal(all.status, 200);
  t.match(all.contentType, /text\/event-stream/);
  await c.handle.bus.publish('records', {
    deviceId: 'edge-a',
    rows: [row('muong-nhe', 'alarm', 'critical'), row('tua-chua', 'alarm', 'critical'), row('muong-nhe', 'telemetry', null)],
  });
  await c.handle.bus.publish('records', { deviceId: 'edge-a', rows: [row('muong-nhe', 'camera_event', 'medium'), row('muong-nhe', 'camera_event', 'high')] });
  await waitFor('all five records', () => all.events.length >= 5);
  await delay(200);
  t.equal(all.events.length, 5);
  t.same(
    filtered.json<{ site: string; kind: string; severity: string }>().map((r) => [r.site, r.kind, r.severity]),
    [
      ['muong-nhe', 'alarm', 'critical'],
      ['muong-nhe', 'camera_event', 'high'],
    ],
  );
  t.same(
    all.events.map((e) => e.event),
    ['record', 'record', 'record', 'record', 'record'],
  );
  t.same(
    all.events.map((e) => e.id !== undefined),
    [false, false, true, false, true],
    'the id is on the last event of each published batch',
  );
});

t.test('alert changes and reports from the real API arrive on the feed', async (t) => {
  const c = await startInProcessCoordinator(t, LIVE);
  const feed = await SseClient.connect(`${c.baseUrl}/api/v1/live?topics=alerts,reports&ticket=${await liveTicket(c.baseUrl)}`);
  t.teardown(() => feed.close());
  const body = new FormData();
  for (const [k, v] of Object.entries({ text: 'Cháy rừng gần bản', category: 'fire', lat: '21.86', lon: '103.35' })) body.set(k, v);
  t.equal((await fetch(`${c.baseUrl}/api/v1/reports`, { method: 'POST', body })).status, 201);
  await waitFor('alert and report events', () => feed.events.length >= 2);
  t.same(feed.events.map((e) => e.event).sort(), ['alert', 'report']);
  const alert = feed.json<{ type: string; alert: { site: string; kind: string } }>().find((m) => m.type === 'alert.created')!;
  t.same([alert.alert.site, alert.alert.kind], ['tua-chua', 'citizen_report']);
});

t.test('Last-Event-ID resumes with exactly what was missed; too far behind gets a reset', async (t) => {
  const c = await startInProcessCoordinator(t, LIVE);
  const first = await SseClient.connect(`${c.baseUrl}/api/v1/live?ticket=${await liveTicket(c.baseUrl)}`);
  for (let i = 0; i < 3; i++) await c.handle.bus.publish('records', { deviceId: 'edge-a', rows: [row('muong-nhe', 'alarm', 'high')] });
  await waitFor('three events', () => first.events.length >= 3);
  await first.close();
  const resumeFrom = first.lastEventId!;
  t.ok(resumeFrom, 'the client has a Last-Event-ID');
  const missed = [];
  for (let i = 0; i < 2; i++) {
    const r = row('muong-nhe', 'alarm', 'high');
    missed.push(r.id);
    await c.handle.bus.publish('records', { deviceId: 'edge-a', rows: [r] });
  }
  const second = await SseClient.connect(`${c.baseUrl}/api/v1/live?ticket=${await liveTicket(c.baseUrl)}`, { 'last-event-id': resumeFrom });
  t.teardown(() => second.close());
  await waitFor('the two missed events', () => second.events.length >= 2);
  await delay(200);
  t.same(
    second.json<{ id: string }>().map((r) => r.id),
    missed,
    'exactly the two missed, in order, nothing repeated',
  );
  await c.handle.bus.publish('records', { deviceId: 'edge-a', rows: [row('tua-chua', 'alarm', 'low')] });
  await waitFor('then live again', () => second.events.length >= 3);

  for (let i = 0; i < 15; i++) await c.handle.bus.publish('records', { deviceId: 'edge-a', rows: [row('muong-nhe', 'telemetry', null)] });
  const late = await SseClient.connect(`${c.baseUrl}/api/v1/live?ticket=${await liveTicket(c.baseUrl)}`, { 'last-event-id': resumeFrom });
  t.teardown(() => late.close());
  await waitFor('a reset', () => late.events.length >= 1);
  t.equal(late.events[0]!.event, 'reset', 'first a reset: the buffer (10) no longer reaches back that far');
  t.match(late.json<{ reason: string }>()[0]!.reason, /older than the replay buffer/);
  await c.handle.bus.publish('records', { deviceId: 'edge-a', rows: [row('muong-nhe', 'alarm', 'high')] });
  await waitFor('live after the reset', () => late.events.some((e) => e.event === 'record'));
  t.equal(late.events.filter((e) => e.event === 'record').length, 1, 'no replay after a reset, only what comes next');
});

t.test('heartbeats keep the stream open and move a filtered client past events it did not want', async (t) => {
  const c = await startInProcessCoordinator(t, LIVE);
  const quiet = await SseClient.connect(`${c.baseUrl}/api/v1/live?site=dien-bien-dong&ticket=${await liveTicket(c.baseUrl)}`);
  t.teardown(() => quiet.close());
  await c.handle.bus.publish('records', { deviceId: 'edge-a', rows: [row('muong-nhe', 'alarm', 'high')] });
  await waitFor('a keepalive carrying the newest id', () => quiet.comments.includes('keepalive') && quiet.lastEventId !== undefined, { timeoutMs: 5000 });
  t.equal(quiet.events.length, 0, 'the filtered-out event was not sent');
  const resumed = await SseClient.connect(`${c.baseUrl}/api/v1/live?site=dien-bien-dong&ticket=${await liveTicket(c.baseUrl)}`, {
    'last-event-id': quiet.lastEventId!,
  });
  t.teardown(() => resumed.close());
  await delay(300);
  t.same(
    resumed.events.map((e) => e.event),
    [],
    'resuming from the heartbeat id replays nothing and needs no reset',
  );
});
