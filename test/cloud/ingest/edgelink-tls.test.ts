// EdgeLink over TLS and mTLS with real certificates (made by openssl) and real sockets: the right
// CA connects and ingests; plaintext or an unknown CA does not; with mTLS a box needs a client
// certificate from the configured CA that names its own device id — besides its token.
import t from 'tap';
import type { TapTest } from '../../support/feature-stores.js';
import { join } from 'node:path';
import { parseCoordinatorConfig } from '../../../cloud/config.js';
import { startCoordinator, type CoordinatorHandle } from '../../../cloud/coordinator.js';
import { makeRootLogger } from '../../../common/log.js';
import { createEdgeLinkClient, register, type LinkTarget } from '../../../edge/uplink/client.js';
import { EdgeSender, encodeBatch, records } from '../../../bench/support/edge-sender.js';
import { inProcessYaml } from '../../support/in-process.js';
import { makeCa, makeLeaf, makeServerCert } from '../../support/certs.js';
import { tempDir } from '../../support/tmp.js';

const TOKEN = 'test-device-token-edge-a-0123456789';
const identity = { deviceId: 'edge-a', siteId: 'muong-nhe', token: TOKEN, softwareVersion: 'test', configVersion: () => '' };

async function coordinatorWith(t: TapTest, dir: string, grpcTls: string): Promise<CoordinatorHandle> {
  const yaml = inProcessYaml(dir).replace('grpc: { host: 127.0.0.1, port: 0 }', `grpc: { host: 127.0.0.1, port: 0, tls: ${grpcTls} }`);
  const { config } = parseCoordinatorConfig(yaml, 'coordinator.yaml', {});
  const logger = makeRootLogger('coordinator');
  logger.level = process.env.LOG_LEVEL ?? 'error';
  const handle = await startCoordinator(config, { logger });
  t.teardown(() => handle.close());
  return handle;
}

/** Register alone: resolves 'ok' or the failure's message. */
async function tryRegister(target: LinkTarget, token = TOKEN): Promise<string> {
  const client = createEdgeLinkClient(target);
  try {
    await register(client, { ...identity, token }, 3000);
    return 'ok';
  } catch (err) {
    return (err as Error).message;
  } finally {
    client.close();
  }
}

async function authFailures(handle: CoordinatorHandle, reason: string): Promise<number> {
  const metric = await handle.metrics.authFailures.get();
  return metric.values.filter((v) => v.labels.reason === reason).reduce((a, v) => a + v.value, 0);
}

async function ingestOne(t: TapTest, handle: CoordinatorHandle, target: LinkTarget, seq: number): Promise<void> {
  const sender = await EdgeSender.connect(target, 'edge-a', TOKEN);
  try {
    const ack = await sender.send(encodeBatch([records.telemetry(seq, Date.now())]));
    t.same(ack.acked.find((a) => a.lane === 'LANE_TELEMETRY')?.seq, seq, `record ${seq} acknowledged`);
  } finally {
    sender.close();
  }
  t.ok(
    (await handle.store.laneStates('edge-a')).some((s) => s.lane === 'telemetry' && s.contiguousSeq >= seq),
    'stored',
  );
}

t.test('TLS: the right CA connects and ingests; plaintext and an unknown CA do not', async (t) => {
  const dir = tempDir(t);
  const ca = makeCa(dir);
  const server = makeServerCert(dir, ca);
  const rogue = makeCa(dir, 'rogue');
  const handle = await coordinatorWith(t, join(dir, 'c'), `{ cert_file: ${server.cert}, key_file: ${server.key} }`);
  const address = `127.0.0.1:${handle.grpcPort}`;

  await ingestOne(t, handle, { address, tls: true, caFile: ca.cert }, 1);
  t.not(await tryRegister({ address, tls: false }), 'ok', 'a plaintext client cannot talk to the TLS server');
  t.not(await tryRegister({ address, tls: true, caFile: rogue.cert }), 'ok', 'a server certificate from another CA is not trusted');
});

t.test("mTLS: no client certificate, another device's certificate or another CA are refused; the right one ingests", async (t) => {
  const dir = tempDir(t);
  const ca = makeCa(dir);
  const server = makeServerCert(dir, ca);
  const edgeA = makeLeaf(dir, ca, 'edge-a', 'edge-a');
  const edgeASan = makeLeaf(dir, ca, 'edge-a-san', 'box 17', ['DNS:edge-a']);
  const edgeB = makeLeaf(dir, ca, 'edge-b', 'edge-b');
  const rogueCa = makeCa(dir, 'rogue');
  const rogueA = makeLeaf(dir, rogueCa, 'rogue-a', 'edge-a');
  const handle = await coordinatorWith(t, join(dir, 'c'), `{ cert_file: ${server.cert}, key_file: ${server.key}, client_ca_file: ${ca.cert} }`);
  const address = `127.0.0.1:${handle.grpcPort}`;
  const tls = (pair?: { cert: string; key: string }): LinkTarget => ({ address, tls: true, caFile: ca.cert, certFile: pair?.cert, keyFile: pair?.key });

  t.not(await tryRegister(tls()), 'ok', 'no client certificate: the handshake is refused');
  t.not(await tryRegister(tls(rogueA)), 'ok', 'a client certificate from another CA is refused');

  const mismatch = await tryRegister(tls(edgeB));
  t.match(mismatch, /UNAUTHENTICATED.*client certificate is for edge-b, not edge-a/, "edge-a's token with edge-b's certificate: refused with the reason");
  t.equal(await authFailures(handle, 'cert_device_mismatch'), 1, 'counted as cert_device_mismatch');
  t.match(await tryRegister(tls(edgeA), 'wrong-token-wrong-token-000'), /UNAUTHENTICATED/, 'the right certificate does not replace the token');

  await ingestOne(t, handle, tls(edgeA), 1);
  await ingestOne(t, handle, tls(edgeASan), 2);
  t.equal(await authFailures(handle, 'cert_device_mismatch'), 1, 'no further refusals');
});
