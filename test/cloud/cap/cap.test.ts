// CAP 1.2 out over real HTTP on an in-process coordinator: a dispatched citizen report becomes
// a CAP Alert, resolving it a Cancel that references it; both are pushed, signed, to a webhook
// endpoint with format cap, listed in the Atom feed and served at their stable URLs. Every
// message is validated against the OASIS CAP 1.2 schema with xmllint.
import t from 'tap';
import type { TapTest } from '../../support/feature-stores.js';
import { startInProcessCoordinator } from '../../support/in-process.js';
import { OPERATOR_TOKEN } from '../../support/system.js';
import { WebhookReceiver } from '../../support/webhook-receiver.js';
import { waitFor } from '../../support/wait.js';
import { ns, xpath, xsdErrors } from '../../support/xml.js';
import { verifySignature } from '../../../cloud/webhooks/signature.js';
import { capMessagesOf, capXml, type CapSettings } from '../../../cloud/cap/cap-message.js';
import type { Alert, AlertAuditEntry } from '../../../cloud/triage/types.js';
import { parseCoordinatorConfig } from '../../../cloud/config.js';
import { ConfigError } from '../../../common/errors.js';

const SECRET = 'cap-endpoint-secret-0123456789';
let validated = 0;
function valid(t: TapTest, xml: string, what: string): void {
  t.equal(xsdErrors(xml), '', `${what}: valid CAP 1.2`);
  validated++;
}

t.test('the schema check can fail: a "Z" time and a missing <info> category are refused', async (t) => {
  const alert = {
    id: '01JB0000000000000000000000',
    kind: 'alarm',
    state: 'dispatched',
    severity: 'high',
    title: 'Rain',
    site: null,
    deviceId: 'edge-a',
    rule: 'heavy-rain',
    location: { lat: 22.18, lon: 102.46 },
    dispatch: null,
  } as unknown as Alert;
  const settings: CapSettings = {
    sender: 'ioc.test',
    sender_name: 'IOC',
    language: 'vi-VN',
    publish_verified: false,
    public_kinds: [],
    area_radius_km: 10,
    expires_h: 24,
  };
  const audit = [{ action: 'transition', to: 'dispatched', atMs: 1_700_000_000_000 }] as AlertAuditEntry[];
  const [msg] = capMessagesOf(alert, audit, settings);
  t.equal(msg!.scope, 'Restricted', 'kinds outside cap.public_kinds are Restricted');
  const xml = capXml(msg!, alert, undefined, settings);
  valid(t, xml, 'restricted alarm');
  t.equal(xpath(xml, `${ns('alert', 'restriction')}/text()`), 'IOC partner agencies only; not for public release');
  t.match(xsdErrors(xml.replace(/<sent>([^<]+)\+00:00<\/sent>/, '<sent>$1Z</sent>')), /sent/, 'UTC as "Z" breaks the schema pattern');
  t.match(xsdErrors(xml.replace(/<category>[^<]+<\/category>/, '')), /event/, 'info without category is refused');
});

t.test('dispatch → CAP Alert, resolve → Cancel referencing it: webhook (signed), Atom feed, stable URLs', async (t) => {
  const agency = await new WebhookReceiver().start();
  t.teardown(() => agency.stop());
  const c = await startInProcessCoordinator(
    t,
    `agencies:
  - { id: fire-rescue, name: PCCC&CNCH, channel: agency-cap }
routing:
  rules: [{ match: { kind: [citizen_report] }, agency: fire-rescue }]
webhooks:
  endpoints:
    - { name: agency-cap, url: "${agency.url}", secret: ${SECRET}, format: cap, events: ["alert.*", "report.created"] }
  retry: { initial_ms: 50, max_ms: 200 }
cap: { sender: ioc.dienbien.test, public_kinds: [citizen_report, alarm], area_radius_km: 5 }
`,
  );
  const operator = c.api.as(OPERATOR_TOKEN);
  const post = (path: string, body: object = {}) =>
    operator.raw(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const report = async (category: string) => {
    const f = new FormData();
    for (const [k, v] of Object.entries({ text: `${category} at Mường Nhé market`, category, lat: '22.19', lon: '102.47' })) f.set(k, v);
    const res = await fetch(`${c.baseUrl}/api/v1/reports`, { method: 'POST', body: f });
    t.equal(res.status, 201);
    return ((await res.json()) as { alertId: string }).alertId;
  };

  const fire = await report('fire');
  t.equal((await post(`/api/v1/alerts/${fire}/verify`)).status, 200);
  t.equal((await fetch(`${c.baseUrl}/api/open/v1/cap/ioc-${fire}-verified.xml`)).status, 404, 'verification alone publishes nothing by default');
  t.equal((await post(`/api/v1/alerts/${fire}/dispatch`)).status, 200);
  const alertMsg = await waitFor('CAP Alert delivered', () => agency.received.find((r) => r.event === 'alert.dispatched'));
  t.match(alertMsg.contentType, /^application\/cap\+xml/);
  t.ok(verifySignature(SECRET, { timestamp: alertMsg.timestamp, signature: alertMsg.signature }, alertMsg.body), 'signed like JSON deliveries');
  valid(t, alertMsg.body, 'webhook Alert');
  const at = (xml: string, ...path: string[]) => xpath(xml, `${ns('alert', ...path)}/text()`);
  t.equal(at(alertMsg.body, 'msgType'), 'Alert');
  t.equal(at(alertMsg.body, 'identifier'), `ioc-${fire}-dispatched`);
  t.equal(at(alertMsg.body, 'sender'), 'ioc.dienbien.test');
  t.equal(at(alertMsg.body, 'scope'), 'Public');
  t.equal(at(alertMsg.body, 'info', 'category'), 'Fire');
  t.equal(at(alertMsg.body, 'info', 'severity'), 'Severe', 'our high → CAP Severe');
  t.equal(at(alertMsg.body, 'info', 'urgency'), 'Immediate');
  t.equal(at(alertMsg.body, 'info', 'certainty'), 'Observed');
  t.equal(at(alertMsg.body, 'info', 'area', 'areaDesc'), 'Mường Nhé, Huyện Mường Nhé');
  t.equal(at(alertMsg.body, 'info', 'area', 'circle'), '22.19000,102.47000 1', "the report's own point, 1 km");

  t.equal((await post(`/api/v1/alerts/${fire}/resolve`, { comment: 'fire out' })).status, 200);
  const cancel = await waitFor('CAP Cancel delivered', () => agency.received.find((r) => r.event === 'alert.resolved'));
  valid(t, cancel.body, 'webhook Cancel');
  t.equal(at(cancel.body, 'msgType'), 'Cancel');
  t.equal(
    at(cancel.body, 'references'),
    `ioc.dienbien.test,ioc-${fire}-dispatched,${at(alertMsg.body, 'sent')}`,
    'references the original: sender,identifier,sent',
  );

  // A report dismissed before dispatch was never published: nothing to cancel.
  const hoax = await report('other');
  t.equal((await post(`/api/v1/alerts/${hoax}/dismiss`, { comment: 'hoax' })).status, 200);
  await new Promise((r) => setTimeout(r, 300));
  t.same(
    agency.received.map((r) => r.event),
    ['alert.dispatched', 'alert.resolved'],
    'only publishing changes reach a CAP endpoint',
  );
  t.equal((await fetch(`${c.baseUrl}/api/open/v1/cap/ioc-${hoax}-dismissed.xml`)).status, 404);

  const feedRes = await fetch(`${c.baseUrl}/api/open/v1/cap.atom`);
  t.equal(feedRes.status, 200, 'no token needed');
  t.match(feedRes.headers.get('content-type'), /^application\/atom\+xml/);
  const feed = await feedRes.text();
  t.equal(xpath(feed, `count(${ns('feed', 'entry')})`), '1');
  t.equal(xpath(feed, `${ns('feed', 'entry', 'title')}/text()`), `Cancelled: fire: fire at Mường Nhé market`);
  const href = xpath(feed, `string(${ns('feed', 'entry', 'link')}/@href)`);
  t.equal(href, `${c.baseUrl}/api/open/v1/cap/ioc-${fire}-resolved.xml`);
  const linked = await fetch(href);
  t.match(linked.headers.get('content-type'), /^application\/cap\+xml/);
  const linkedXml = await linked.text();
  valid(t, linkedXml, 'feed-linked Cancel');
  t.equal(linkedXml, cancel.body, 'the URL serves the very message pushed');
  const original = await (await fetch(`${c.baseUrl}/api/open/v1/cap/ioc-${fire}-dispatched.xml`)).text();
  valid(t, original, 'stable-URL Alert');
  t.equal(original, alertMsg.body, 'stable: the same bytes after later changes');
  t.equal((await fetch(`${c.baseUrl}/api/open/v1/cap/nope.xml`)).status, 404);
});

t.test('cap.publish_verified: verify → Alert, dispatch → Update, resolve → Cancel referencing both; a site-wide alert carries the site boundary', async (t) => {
  const agency = await new WebhookReceiver().start();
  t.teardown(() => agency.stop());
  const c = await startInProcessCoordinator(
    t,
    `agencies:
  - { id: police, name: Công an huyện, channel: agency-cap }
routing:
  rules: [{ match: { kind: [citizen_report] }, agency: police }]
webhooks:
  endpoints:
    - { name: agency-cap, url: "${agency.url}", secret: ${SECRET}, format: cap, events: ["alert.*"] }
  retry: { initial_ms: 50, max_ms: 200 }
cap: { sender: ioc.dienbien.test, publish_verified: true, public_kinds: [citizen_report] }
`,
  );
  const operator = c.api.as(OPERATOR_TOKEN);
  const post = (path: string, body: object = {}) =>
    operator.raw(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  // Reported at the site's own point: the alert stands for the site, not a spot in it.
  const f = new FormData();
  for (const [k, v] of Object.entries({ text: 'landslide blocks the road into Tủa Chùa', category: 'landslide', lat: '21.86', lon: '103.346' })) f.set(k, v);
  const res = await fetch(`${c.baseUrl}/api/v1/reports`, { method: 'POST', body: f });
  t.equal(res.status, 201);
  const id = ((await res.json()) as { alertId: string }).alertId;

  const at = (xml: string, ...path: string[]) => xpath(xml, `${ns('alert', ...path)}/text()`);
  const delivered = (event: string) => waitFor(`CAP ${event} delivered`, () => agency.received.find((r) => r.event === event));
  t.equal((await post(`/api/v1/alerts/${id}/verify`)).status, 200);
  const verified = await delivered('alert.verified');
  valid(t, verified.body, 'verified Alert');
  t.equal(at(verified.body, 'msgType'), 'Alert', 'the first published change is the Alert');
  t.equal(at(verified.body, 'identifier'), `ioc-${id}-verified`);
  t.equal(at(verified.body, 'info', 'urgency'), 'Expected', 'verified, not yet dispatched');
  t.equal(at(verified.body, 'info', 'area', 'areaDesc'), 'Tủa Chùa');
  t.equal(
    at(verified.body, 'info', 'area', 'polygon'),
    '21.95000,103.25000 21.95000,103.45000 21.77000,103.45000 21.77000,103.25000 21.95000,103.25000',
    "the site's boundary, as CAP's closed ring of lat,lon pairs",
  );
  t.equal(xpath(verified.body, `count(${ns('alert', 'info', 'area', 'circle')})`), '0', 'no circle when the boundary is known');

  t.equal((await post(`/api/v1/alerts/${id}/dispatch`)).status, 200);
  const dispatched = await delivered('alert.dispatched');
  valid(t, dispatched.body, 'dispatched Update');
  t.equal(at(dispatched.body, 'msgType'), 'Update', 'a later change updates the published Alert');
  t.equal(at(dispatched.body, 'info', 'urgency'), 'Immediate');
  t.equal(at(dispatched.body, 'references'), `ioc.dienbien.test,ioc-${id}-verified,${at(verified.body, 'sent')}`, 'the Update references the Alert');

  t.equal((await post(`/api/v1/alerts/${id}/resolve`, { comment: 'road cleared' })).status, 200);
  const resolved = await delivered('alert.resolved');
  valid(t, resolved.body, 'resolved Cancel');
  t.equal(at(resolved.body, 'msgType'), 'Cancel');
  t.equal(
    at(resolved.body, 'references'),
    [`ioc-${id}-verified,${at(verified.body, 'sent')}`, `ioc-${id}-dispatched,${at(dispatched.body, 'sent')}`].map((r) => `ioc.dienbien.test,${r}`).join(' '),
    'the Cancel references every message it withdraws',
  );
  const feed = await (await fetch(`${c.baseUrl}/api/open/v1/cap.atom`)).text();
  t.equal(xpath(feed, `count(${ns('feed', 'entry')})`), '1', 'the feed lists the alert once, at its latest message');
  t.comment(`CAP messages validated against CAP-v1.2.xsd: ${validated}`);
});

t.test('a site boundary must be a closed ring of at least four points', async (t) => {
  const site = (boundary: string) => `version: 1
sites:
  - { id: s1, name: S1, location: { lat: 21.8, lon: 103.3 }, boundary: ${boundary} }
`;
  const p = (lat: number, lon: number) => `{ lat: ${lat}, lon: ${lon} }`;
  t.ok(parseCoordinatorConfig(site(`[${[p(1, 1), p(1, 2), p(2, 2), p(1, 1)].join(', ')}]`), 'c.yaml', {}).config.sites[0]!.boundary);
  for (const [boundary, why] of [
    [`[${[p(1, 1), p(1, 2), p(2, 2), p(2, 1)].join(', ')}]`, /closed ring/],
    [`[${[p(1, 1), p(1, 2), p(1, 1)].join(', ')}]`, /4/],
    ['[]', /4/],
    [`[${[p(1, 1), p(1, 2), p(99, 2), p(1, 1)].join(', ')}]`, /90/],
  ] as const) {
    try {
      parseCoordinatorConfig(site(boundary), 'c.yaml', {});
      t.fail(`accepted ${boundary}`);
    } catch (err) {
      t.type(err, ConfigError);
      t.match((err as ConfigError).issues.join(' | '), why, `refused: ${boundary}`);
    }
  }
});
