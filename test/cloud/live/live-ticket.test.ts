// The live feed's browser credential over real HTTP: a bearer token in the URL is refused; a
// ticket from POST /api/v1/live/ticket opens one stream within its TTL, carries the token's role,
// and is refused once used or expired.
import t from 'tap';
import { startInProcessCoordinator } from '../../support/in-process.js';
import { SseClient } from '../../support/sse-client.js';
import { liveTicket, OPERATOR_TOKEN, VIEWER_TOKEN } from '../../support/system.js';

t.test('bearer tokens in the query are refused; tickets open one stream', async (t) => {
  const c = await startInProcessCoordinator(t, 'live: { ticket_ttl_s: 5 }\n');
  const live = `${c.baseUrl}/api/v1/live`;

  for (const q of [`access_token=${VIEWER_TOKEN}`, `token=${VIEWER_TOKEN}`, `ticket=${VIEWER_TOKEN}`]) {
    const res = await fetch(`${live}?${q}`);
    t.equal(res.status, 401, `?${q.split('=')[0]}=<bearer token> is refused`);
    await res.body?.cancel();
  }
  t.equal((await fetch(`${c.baseUrl}/api/v1/live/ticket`, { method: 'POST' })).status, 401, 'no ticket without a bearer token');

  const issued = await fetch(`${c.baseUrl}/api/v1/live/ticket`, { method: 'POST', headers: { authorization: `Bearer ${VIEWER_TOKEN}` } });
  t.equal(issued.status, 201, 'a viewer gets a ticket');
  const { ticket, expiresAtMs } = (await issued.json()) as { ticket: string; expiresAtMs: number };
  t.ok(expiresAtMs > Date.now() && expiresAtMs <= Date.now() + 5_000, 'valid for live.ticket_ttl_s');
  t.not(ticket, VIEWER_TOKEN);

  const stream = await SseClient.connect(`${live}?ticket=${ticket}`);
  t.equal(stream.status, 200, 'the ticket opens the stream');
  stream.close();
  const again = await SseClient.connect(`${live}?ticket=${ticket}`);
  t.equal(again.status, 401, 'a used ticket is refused');
  t.match(JSON.parse(again.raw), { error: { code: 'UNAUTHENTICATED', message: /used or expired ticket/ } });

  const ticketAsBearer = await fetch(`${c.baseUrl}/api/v1/events`, { headers: { authorization: `Bearer ${await liveTicket(c.baseUrl)}` } });
  t.equal(ticketAsBearer.status, 401, 'a ticket is not an API token');
  const ticketElsewhere = await fetch(`${c.baseUrl}/api/v1/events?ticket=${await liveTicket(c.baseUrl)}`);
  t.equal(ticketElsewhere.status, 401, 'and opens nothing but the live feed');

  const operatorTicket = await liveTicket(c.baseUrl, OPERATOR_TOKEN);
  const asOperator = await SseClient.connect(`${live}?ticket=${operatorTicket}`);
  t.equal(asOperator.status, 200, 'an operator ticket works too');
  asOperator.close();
});

t.test('an expired ticket is refused', async (t) => {
  const c = await startInProcessCoordinator(t, 'live: { ticket_ttl_s: 5 }\n');
  const ticket = await liveTicket(c.baseUrl);
  await new Promise((r) => setTimeout(r, 5_300));
  const late = await SseClient.connect(`${c.baseUrl}/api/v1/live?ticket=${ticket}`);
  t.equal(late.status, 401, 'past live.ticket_ttl_s');
});
