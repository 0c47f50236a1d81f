// Citizen uploads are bounded over real HTTP: a chunked upload (no Content-Length) larger than
// the allowed images is refused with 413 while the client is still sending, and photos decoded at
// once are capped per replica (beyond the cap and its queue: 503 + Retry-After, nothing lost).
import t from 'tap';
import http from 'node:http';
import sharp from 'sharp';
import { startInProcessCoordinator } from '../../support/in-process.js';
import { coordinatorMetrics, sumMetric } from '../../support/system.js';

t.test('a chunked upload over the limit gets 413 before the whole body is read', async (t) => {
  const c = await startInProcessCoordinator(
    t,
    'reports: { max_images: 1, max_image_bytes: 10240, max_text_chars: 100, rate_limit: { per_minute: 60, burst: 20 } }\n',
  );
  const boundary = 'limit-test';
  const port = Number(new URL(c.baseUrl).port);
  const req = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/api/v1/reports',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  t.teardown(() => req.destroy());
  req.on('error', () => undefined);
  const answered = new Promise<{ status: number; body: string; sentBytes: number }>((resolve) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, sentBytes: sent }));
    });
  });
  // Never ends: the body is endless from the server's side, so only a streaming limit answers.
  let sent = 0;
  req.write(`--${boundary}\r\ncontent-disposition: form-data; name="images"; filename="x.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  const pump = setInterval(() => {
    if (sent < 4 * 1024 * 1024) {
      req.write(chunk);
      sent += chunk.length;
    }
  }, 20);
  t.teardown(() => clearInterval(pump));
  t.equal(req.getHeader('content-length'), undefined, 'no Content-Length: sent chunked');
  const result = await Promise.race([answered, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 8000))]);
  clearInterval(pump);
  t.not(result, 'hung', 'answered while the client was still sending');
  if (result === 'hung') return;
  t.equal(result.status, 413);
  t.match(JSON.parse(result.body), { error: { code: 'PAYLOAD_TOO_LARGE' } });
  t.ok(result.sentBytes < 4 * 1024 * 1024, `refused after ${result.sentBytes} bytes sent, not the 4 MiB the client had`);
  t.ok(sumMetric(await coordinatorMetrics(c.baseUrl), 'ioc_citizen_reports_total', { outcome: 'PAYLOAD_TOO_LARGE' }) >= 1, 'counted');
});

t.test('photos decoded at once are capped: parallel reports beyond cap and queue get 503 + Retry-After', async (t) => {
  const c = await startInProcessCoordinator(t, 'reports: { max_concurrent_decodes: 1, max_queued_decodes: 0, rate_limit: { per_minute: 600, burst: 100 } }\n');
  // 36 megapixels: a flat JPEG that is small to send and slow to decode and resize.
  const photo = new Uint8Array(
    await sharp({ create: { width: 6000, height: 6000, channels: 3, background: '#48a' } })
      .jpeg({ quality: 90 })
      .toBuffer(),
  );
  const submit = () => {
    const f = new FormData();
    f.set('text', 'nước lên nhanh ở cầu');
    f.set('category', 'flood');
    f.set('lat', '22.18');
    f.set('lon', '102.46');
    f.set('images', new File([photo], 'big.jpg', { type: 'image/jpeg' }));
    return fetch(`${c.baseUrl}/api/v1/reports`, { method: 'POST', body: f });
  };
  const answers = await Promise.all(Array.from({ length: 6 }, submit));
  const statuses = answers.map((r) => r.status).sort();
  t.ok(statuses.includes(201), `some accepted (${statuses.join(',')})`);
  t.ok(statuses.includes(503), 'some refused for capacity');
  t.ok(
    statuses.every((s) => s === 201 || s === 503),
    'nothing else (no 500)',
  );
  const refused = answers.find((r) => r.status === 503)!;
  t.ok(Number(refused.headers.get('retry-after')) >= 1, 'Retry-After');
  t.match(await refused.json(), { error: { code: 'UNAVAILABLE', message: /photos being processed/ } });
  t.equal((await submit()).status, 201, 'a report sent after the burst is accepted: the slot was given back');
});
