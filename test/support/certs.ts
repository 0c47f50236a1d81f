// Real X.509 material for TLS tests, made by the openssl CLI at test time: a CA, a server
// certificate for 127.0.0.1/localhost, and client certificates whose CN is a device id.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface CertPair {
  cert: string;
  key: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A self-signed CA; `name` keeps several CAs apart in one directory. */
export function makeCa(dir: string, name = 'ca'): CertPair {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name} test CA`,
      '-keyout',
      pair.key,
      '-out',
      pair.cert,
    ],
    dir,
  );
  return pair;
}

/** A leaf certificate signed by `ca` with the given CN and subjectAltNames (e.g. IP:127.0.0.1). */
export function makeLeaf(dir: string, ca: CertPair, name: string, cn: string, sans: string[] = []): CertPair {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const csr = join(dir, `${name}.csr`);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${cn}`, '-keyout', pair.key, '-out', csr], dir);
  const ext = join(dir, `${name}.ext`);
  const lines = ['basicConstraints=CA:FALSE', 'keyUsage=digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth,clientAuth'];
  if (sans.length > 0) lines.push(`subjectAltName=${sans.join(',')}`);
  execFileSync('sh', ['-c', `printf '%s\\n' "$@" > ${JSON.stringify(ext)}`, 'sh', ...lines]);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', pair.cert], dir);
  return pair;
}

/** A server certificate for loopback tests. */
export function makeServerCert(dir: string, ca: CertPair, name = 'server'): CertPair {
  return makeLeaf(dir, ca, name, 'localhost', ['DNS:localhost', 'IP:127.0.0.1']);
}
