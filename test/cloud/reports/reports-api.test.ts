// POST /api/v1/reports over real HTTP: anonymous, rate-limited per client with 429 and
// Retry-After, oversized and non-image uploads refused with the reason (type sniffed from the
// bytes), a valid photo re-encoded without its EXIF/GPS metadata and the report in triage.
import t from 'tap';
import sharp from 'sharp';
import { startInProcessCoordinator } from '../../support/in-process.js';
import { OPERATOR_TOKEN } from '../../support/system.js';

const REPORTS = `reports:
  rate_limit: { per_minute: 1, burst: 4 }
  token_rate_limit: { per_minute: 60, burst: 60 }
  max_images: 2
  max_image_bytes: 200000
`;

async function photoWithGps(): Promise<Buffer> {
  return sharp({ create: { width: 1200, height: 900, channels: 3, background: '#5a8' } })
    .jpeg({ quality: 90 })
    .withExif({
      IFD0: { Make: 'CitizenPhone', Copyright: 'Nguyễn Văn A' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '22/1 10/1 59/1', GPSLongitudeRef: 'E', GPSLongitude: '102/1 28/1 0/1' },
    })
    .toBuffer();
}

function form(fields: Record<string, string>, files: { name: string; data: Uint8Array; type: string }[] = []): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  for (const file of files) f.append('images', new Blob([new Uint8Array(file.data)], { type: file.type }), file.name);
  return f;
}

const valid = { text: 'Nước suối dâng cao, tràn qua đường vào bản', category: 'flood', lat: '22.19', lon: '102.47' };

t.test('a valid report: accepted without a token, photo re-encoded with no EXIF, an alert in triage', async (t) => {
  const c = await startInProcessCoordinator(t, REPORTS);
  const original = await photoWithGps();
  const originalMeta = await sharp(original).metadata();
  t.ok(originalMeta.exif?.includes(Buffer.from([0x25, 0x88])), 'the upload carries EXIF with a GPS block');

  const res = await fetch(`${c.baseUrl}/api/v1/reports`, { method: 'POST', body: form(valid, [{ name: 'song.jpg', data: original, type: 'image/jpeg' }]) });
  t.equal(res.status, 201, await res.clone().text());
  const { report, alertId } = (await res.json()) as {
    report: { id: string; site: string; images: { width: number; bytes: number }[]; submittedBy: string };
    alertId: string;
  };
  t.equal(report.site, 'muong-nhe', 'the nearest site');
  t.equal(report.submittedBy, 'anonymous');
  t.equal(report.images[0]!.width, 1200);

  const image = await c.api.raw(`/api/v1/reports/${report.id}/images/0`);
  t.equal(image.status, 200);
  t.equal(image.headers.get('content-type'), 'image/jpeg');
  const stored = Buffer.from(await image.arrayBuffer());
  const meta = await sharp(stored).metadata();
  t.equal(meta.format, 'jpeg');
  t.equal(meta.exif, undefined, 'no EXIF in the stored image');
  t.equal(meta.icc, undefined, 'no ICC profile either');
  t.notOk(stored.includes(Buffer.from('CitizenPhone')), 'the phone model is gone');
  t.notOk(stored.includes(Buffer.from([0x25, 0x88])) && stored.includes(Buffer.from('GPS')), 'no GPS block');
  t.equal(stored.length, report.images[0]!.bytes);

  const alert = await c.api.get<{ kind: string; state: string; reportId: string; rule: string; severity: string; location: { lat: number } }>(
    `/api/v1/alerts/${alertId}`,
  );
  t.same(
    [alert.kind, alert.state, alert.reportId, alert.rule, alert.severity],
    ['citizen_report', 'new', report.id, 'flood', 'high'],
    'in triage as a new alert',
  );
  t.equal(alert.location.lat, 22.19, 'at the place the citizen gave');
  const listed = await c.api.get<{ items: { id: string }[] }>('/api/v1/reports');
  t.same(
    listed.items.map((r) => r.id),
    [report.id],
  );
});

t.test('uploads that are too large or not images are refused with the reason', async (t) => {
  const c = await startInProcessCoordinator(t, REPORTS);
  const post = (body: FormData, token?: string) =>
    fetch(`${c.baseUrl}/api/v1/reports`, { method: 'POST', body, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const big = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
    .png()
    .toBuffer();
  t.ok(big.length > 200_000, `test image is ${big.length} bytes`);
  let res = await post(form(valid, [{ name: 'big.png', data: big, type: 'image/png' }]), OPERATOR_TOKEN);
  t.equal(res.status, 413);
  t.match(
    await res.json(),
    { error: { code: 'PAYLOAD_TOO_LARGE', message: /at most 2 images of 200000 bytes/ } },
    'refused from Content-Length, before reading the body',
  );
  const oneTooBig = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
    .png()
    .toBuffer();
  t.ok(oneTooBig.length > 200_000 && oneTooBig.length < 400_000, `second test image is ${oneTooBig.length} bytes`);
  res = await post(form(valid, [{ name: 'noise.png', data: oneTooBig, type: 'image/png' }]), OPERATOR_TOKEN);
  t.equal(res.status, 413, 'one image over the per-image limit');
  t.match(await res.json(), { error: { code: 'PAYLOAD_TOO_LARGE', message: `images[0]: ${oneTooBig.length} bytes; at most 200000` } });

  const script = Buffer.from('#!/bin/sh\necho pwned\n');
  res = await post(form(valid, [{ name: 'photo.jpg', data: script, type: 'image/jpeg' }]), OPERATOR_TOKEN);
  t.equal(res.status, 415, 'a shell script named .jpg with an image/jpeg header');
  t.match(await res.json(), {
    error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'images[0]: not a JPEG, PNG or WebP image (by its content; declared image/jpeg)' },
  });

  const truncated = (await photoWithGps()).subarray(0, 300);
  res = await post(form(valid, [{ name: 'cut.jpg', data: truncated, type: 'image/jpeg' }]), OPERATOR_TOKEN);
  t.equal(res.status, 415, 'JPEG magic bytes but an undecodable body');
  t.match(await res.json(), { error: { message: /images\[0\]: looks like jpeg but cannot be decoded/ } });

  res = await post(form({ ...valid, category: 'ufo' }), OPERATOR_TOKEN);
  t.equal(res.status, 400);
  t.match(await res.json(), { error: { code: 'VALIDATION', message: /category: "ufo" is not one of/ } });
  res = await post(form({ ...valid, lat: '123' }), OPERATOR_TOKEN);
  t.equal(res.status, 400);
  t.match(await res.json(), { error: { code: 'VALIDATION', message: /lat/ } });
  const three = await photoWithGps();
  res = await post(
    form(
      valid,
      [1, 2, 3].map((i) => ({ name: `${i}.jpg`, data: three, type: 'image/jpeg' })),
    ),
    OPERATOR_TOKEN,
  );
  t.equal(res.status, 400);
  t.match(await res.json(), { error: { message: 'images: 3 files; at most 2' } });
  t.same((await c.api.get<{ items: unknown[] }>('/api/v1/alerts')).items, [], 'nothing refused reached triage');
});

t.test('anonymous clients are rate-limited per address: 429 with Retry-After', async (t) => {
  const c = await startInProcessCoordinator(t, REPORTS);
  const statuses: number[] = [];
  let limited: Response | undefined;
  for (let i = 0; i < 6; i++) {
    const res = await fetch(`${c.baseUrl}/api/v1/reports`, { method: 'POST', body: form({ ...valid, text: `report ${i}` }) });
    statuses.push(res.status);
    if (res.status === 429) limited = res;
    else await res.arrayBuffer();
  }
  t.same(statuses, [201, 201, 201, 201, 429, 429], 'burst of 4, then refused');
  const retryAfter = Number(limited!.headers.get('retry-after'));
  t.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${retryAfter}`);
  t.match(await limited!.json(), { error: { code: 'RATE_LIMITED' } });
  const withToken = await fetch(`${c.baseUrl}/api/v1/reports`, { method: 'POST', body: form(valid), headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
  t.equal(withToken.status, 201, 'a token has its own budget');
  const badToken = await fetch(`${c.baseUrl}/api/v1/reports`, {
    method: 'POST',
    body: form(valid),
    headers: { authorization: 'Bearer not-a-real-token-000000' },
  });
  t.equal(badToken.status, 401, 'a presented token must be valid');
});
