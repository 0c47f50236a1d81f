// Open311 GeoReport v2 with a real client flow over a real socket: form-encoded and multipart
// POSTs into the report intake (rate limit, image checks, optional api_key), then the list and
// single request in JSON and XML (parsed with libxml2), status from triage, no personal data.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startInProcessCoordinator } from '../../support/in-process.js';
import { OPERATOR_TOKEN } from '../../support/system.js';
import { xpath } from '../../support/xml.js';

const PHOTO = readFileSync(fileURLToPath(new URL('../../fixtures/messi5.jpg', import.meta.url)));

t.test('GeoReport v2: services, POST form-encoded and multipart, GET list/one in JSON and XML, spec errors', async (t) => {
  const c = await startInProcessCoordinator(
    t,
    `agencies: [{ id: fire-rescue, name: PCCC }]
routing: { default_agency: fire-rescue }
reports: { rate_limit: { per_minute: 0.01, burst: 5 } }
`,
  );
  const base = `${c.baseUrl}/open311/v2`;
  const operator = c.api.as(OPERATOR_TOKEN);
  const form = (fields: Record<string, string>) => fetch(`${base}/requests.json`, { method: 'POST', body: new URLSearchParams(fields) });

  const services = (await (await fetch(`${base}/services.json`)).json()) as { service_code: string; metadata: boolean }[];
  t.ok(
    services.some((s) => s.service_code === 'flood' && s.metadata === false),
    'report categories as services',
  );
  const servicesXml = await (await fetch(`${base}/services.xml`)).text();
  t.equal(xpath(servicesXml, 'count(/services/service)'), String(services.length));
  t.equal(xpath(servicesXml, '/services/service[service_code="fire"]/service_name/text()'), 'Fire');

  // 1: a citizen's app, form-encoded with contact details.
  const personal = { email: 'nguyen.van.a@example.vn', first_name: 'Nguyễn', last_name: 'Văn A', phone: '+84912345678' };
  const res = await form({
    service_code: 'fire',
    lat: '22.18912',
    long: '102.46931',
    address_string: 'Chợ Mường Nhé',
    description: 'Cháy nhà gần chợ',
    ...personal,
  });
  t.equal(res.status, 201);
  const [created] = (await res.json()) as { service_request_id: string; service_notice: string }[];
  t.match(created, { service_request_id: /^[0-9A-Z]{26}$/, service_notice: 'received' });
  const fireId = created!.service_request_id;
  const stored = await c.api.get<{ text: string; category: string; alertId: string; submittedBy: string }>(`/api/v1/reports/${fireId}`);
  t.match(stored, { category: 'fire', submittedBy: 'anonymous', text: 'Cháy nhà gần chợ\n(address: Chợ Mường Nhé)' }, 'the same intake as /api/v1/reports');
  for (const v of Object.values(personal)) t.notOk(JSON.stringify(stored).includes(v), `contact detail ${v} not stored`);
  const alert = await c.api.get<{ kind: string; reportId: string }>(`/api/v1/alerts/${stored.alertId}`);
  t.match(alert, { kind: 'citizen_report', reportId: fireId }, 'raised in triage');

  // 2: anonymous flood report.
  t.equal((await form({ service_code: 'flood', lat: '21.86', long: '103.35', description: 'Nước ngập đường' })).status, 201);

  // 3-5: bad requests, each the spec's error array.
  const noLat = await form({ service_code: 'fire', long: '102.4', description: 'x' });
  t.equal(noLat.status, 400);
  t.same(await noLat.json(), [{ code: 400, description: 'lat and long: required (address-only requests cannot be placed here)' }]);
  const noLatXml = await (
    await fetch(`${base}/requests.xml`, { method: 'POST', body: new URLSearchParams({ service_code: 'fire', description: 'x' }) })
  ).text();
  t.equal(xpath(noLatXml, '/errors/error/code/text()'), '400');
  const notImage = new FormData();
  for (const [k, v] of Object.entries({ service_code: 'fire', lat: '22.1', long: '102.4', description: 'photo' })) notImage.set(k, v);
  notImage.set('media', new Blob([Buffer.from('not an image at all')], { type: 'image/jpeg' }), 'x.jpg');
  const refused = await fetch(`${base}/requests.json`, { method: 'POST', body: notImage });
  t.equal(refused.status, 415, 'image checked from its bytes, as the intake does');
  t.match(await refused.json(), [{ code: 415, description: /not a JPEG, PNG or WebP/ }]);

  // 6: over the per-address rate limit.
  const limited = await form({ service_code: 'fire', lat: '22.1', long: '102.4', description: 'again' });
  t.equal(limited.status, 429);
  t.ok(Number(limited.headers.get('retry-after')) > 0);
  t.match(await limited.json(), [{ code: 429, description: /too many reports/ }]);

  // An officer's app: multipart with a photo and an api_key (its own, per-token limit).
  const withPhoto = new FormData();
  for (const [k, v] of Object.entries({ service_code: 'landslide', lat: '21.25', long: '103.24', description: 'Sạt lở taluy', api_key: OPERATOR_TOKEN }))
    withPhoto.set(k, v);
  withPhoto.set('media', new Blob([PHOTO], { type: 'image/jpeg' }), 'photo.jpg');
  const xmlRes = await fetch(`${base}/requests.xml`, { method: 'POST', body: withPhoto });
  t.equal(xmlRes.status, 201);
  t.match(xmlRes.headers.get('content-type'), /^text\/xml/);
  const landslideId = xpath(await xmlRes.text(), '/service_requests/request/service_request_id/text()');
  const landslide = await c.api.get<{ images: unknown[]; submittedBy: string }>(`/api/v1/reports/${landslideId}`);
  t.equal(landslide.images.length, 1, 'the photo went through the image checks and was kept');
  t.equal(landslide.submittedBy, 'operator');
  const badKey = await fetch(`${base}/requests.json`, {
    method: 'POST',
    body: new URLSearchParams({ service_code: 'fire', lat: '1', long: '1', description: 'x', api_key: 'wrong-key-0123456789' }),
  });
  t.equal(badKey.status, 403);
  t.match(await badKey.json(), [{ code: 403, description: 'api_key: unknown key' }]);

  // Triage closes the fire: its request is closed.
  t.equal(
    (
      await operator.raw(`/api/v1/alerts/${stored.alertId}/dismiss`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ comment: 'duplicate' }),
      })
    ).status,
    200,
  );

  type Req = { service_request_id: string; status: string; service_code: string; lat: number; long: number; requested_datetime: string };
  const all = (await (await fetch(`${base}/requests.json`)).json()) as Req[];
  t.same(
    all.map((r) => r.service_code),
    ['landslide', 'flood', 'fire'],
    'newest first',
  );
  const fireView = all.find((r) => r.service_request_id === fireId)!;
  t.match(
    fireView,
    { status: 'closed', lat: 22.189, long: 102.469, requested_datetime: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/ },
    'closed by triage; position rounded',
  );
  const text = JSON.stringify(all);
  for (const v of [...Object.values(personal), 'Cháy nhà', 'Chợ Mường Nhé']) t.notOk(text.includes(v), `"${v}" not published`);
  t.same(
    ((await (await fetch(`${base}/requests.json?status=closed`)).json()) as Req[]).map((r) => r.service_request_id),
    [fireId],
  );
  t.same(
    ((await (await fetch(`${base}/requests.json?status=open&service_code=flood,landslide`)).json()) as Req[]).map((r) => r.service_code),
    ['landslide', 'flood'],
  );
  t.same(await (await fetch(`${base}/requests.json?start_date=2099-01-01T00:00:00Z`)).json(), []);
  const badDate = await fetch(`${base}/requests.json?end_date=yesterday`);
  t.equal(badDate.status, 400);
  t.match(await badDate.json(), [{ code: 400, description: /end_date/ }]);

  const listXml = await (await fetch(`${base}/requests.xml?service_code=fire`)).text();
  t.equal(xpath(listXml, 'count(/service_requests/request)'), '1');
  t.equal(xpath(listXml, '/service_requests/request/status/text()'), 'closed');
  const one = (await (await fetch(`${base}/requests/${landslideId}.json`)).json()) as Req[];
  t.match(one, [{ service_request_id: landslideId, status: 'open', service_code: 'landslide' }]);
  const oneXml = await (await fetch(`${base}/requests/${landslideId}.xml`)).text();
  t.equal(xpath(oneXml, '/service_requests/request/service_request_id/text()'), landslideId);
  const missing = await fetch(`${base}/requests/01JB0000000000000000000000.json`);
  t.equal(missing.status, 404);
  t.match(await missing.json(), [{ code: 404 }]);
  t.equal(xpath(await (await fetch(`${base}/requests/01JB0000000000000000000000.xml`)).text(), '/errors/error/code/text()'), '404');
});
