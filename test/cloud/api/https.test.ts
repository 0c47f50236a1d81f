// The HTTP API over HTTPS (http.tls) with a real certificate made by openssl: an authenticated
// request over TLS works; a plain-HTTP request to the same port gets no API answer.
import t from 'tap';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCoordinatorConfig } from '../../../cloud/config.js';
import { startCoordinator } from '../../../cloud/coordinator.js';
import { makeRootLogger } from '../../../common/log.js';
import { inProcessYaml } from '../../support/in-process.js';
import { makeCa, makeServerCert } from '../../support/certs.js';
import { VIEWER_TOKEN } from '../../support/system.js';
import { tempDir } from '../../support/tmp.js';

function get(req: typeof httpsRequest | typeof httpRequest, url: string, options: object): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = req(url, { ...options, headers: { authorization: `Bearer ${VIEWER_TOKEN}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    r.setTimeout(5000, () => r.destroy(new Error('timeout')));
    r.on('error', reject);
    r.end();
  });
}

t.test('http.tls serves the API over HTTPS only', async (t) => {
  const dir = tempDir(t);
  const ca = makeCa(dir);
  const server = makeServerCert(dir, ca);
  const yaml = inProcessYaml(join(dir, 'c')).replace(
    'http: { host: 127.0.0.1, port: 0 }',
    `http: { host: 127.0.0.1, port: 0, tls: { cert_file: ${server.cert}, key_file: ${server.key} } }`,
  );
  const { config } = parseCoordinatorConfig(yaml, 'coordinator.yaml', {});
  const logger = makeRootLogger('coordinator');
  logger.level = process.env.LOG_LEVEL ?? 'error';
  const handle = await startCoordinator(config, { logger });
  t.teardown(() => handle.close());

  const ok = await get(httpsRequest, `https://127.0.0.1:${handle.httpPort}/api/v1/devices`, { ca: readFileSync(ca.cert) });
  t.equal(ok.status, 200, 'an authenticated request over TLS');
  t.match(JSON.parse(ok.body), { items: [{ id: 'edge-a' }] });
  const health = await get(httpsRequest, `https://localhost:${handle.httpPort}/healthz`, { ca: readFileSync(ca.cert) });
  t.equal(health.status, 200, 'the certificate is valid for localhost too');

  await t.rejects(get(httpsRequest, `https://127.0.0.1:${handle.httpPort}/healthz`, {}), 'a client that does not trust the CA refuses the server');
  const plain = await get(httpRequest, `http://127.0.0.1:${handle.httpPort}/api/v1/devices`, {}).catch((err: Error) => ({ status: 0, body: err.message }));
  t.not(plain.status, 200, 'plain HTTP gets no API answer');
});
