// gRPC plumbing of the uplink: the EdgeLink client with keepalive, the handshake, and the
// authenticated Sync stream.
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { IocError } from '../../common/errors.js';
import { edgeLinkGrpc, KEEPALIVE_OPTIONS, MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from '../../common/proto.js';
import type { EdgeConfig } from '../../common/config/edge-schema.js';
import type { EdgeLinkClient } from '../../proto/generated/ioc/edgelink/v1/EdgeLink.js';
import type { RegisterResponse__Output } from '../../proto/generated/ioc/edgelink/v1/RegisterResponse.js';
import type { EdgeMessage } from '../../proto/generated/ioc/edgelink/v1/EdgeMessage.js';
import type { CoordinatorMessage__Output } from '../../proto/generated/ioc/edgelink/v1/CoordinatorMessage.js';

export type SyncCall = grpc.ClientDuplexStream<EdgeMessage, CoordinatorMessage__Output>;

export interface LinkIdentity {
  deviceId: string;
  siteId: string;
  token: string;
  softwareVersion: string;
  configVersion: () => string;
}

export interface LinkTarget {
  address: string;
  tls: boolean;
  caFile?: string;
  /** Client certificate and key, for a coordinator that requires mTLS. */
  certFile?: string;
  keyFile?: string;
}

/** Where and how the config says to reach the coordinator (`address` overrides it, for provision). */
export function linkTargetOf(coordinator: EdgeConfig['coordinator'], address = coordinator.address): LinkTarget {
  const { enabled, ca_file, cert_file, key_file } = coordinator.tls;
  return { address, tls: enabled, caFile: ca_file, certFile: cert_file, keyFile: key_file };
}

/** `channelOptions` add to (or override) the uplink's own, e.g. a private connection per client. */
export function createEdgeLinkClient(target: LinkTarget, channelOptions: grpc.ChannelOptions = {}): EdgeLinkClient {
  const credentials = target.tls
    ? grpc.credentials.createSsl(
        target.caFile ? readFileSync(target.caFile) : undefined,
        target.keyFile ? readFileSync(target.keyFile) : undefined,
        target.certFile ? readFileSync(target.certFile) : undefined,
      )
    : grpc.credentials.createInsecure();
  const Client = edgeLinkGrpc().ioc.edgelink.v1.EdgeLink;
  return new Client(target.address, credentials, {
    ...KEEPALIVE_OPTIONS,
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    // The uplink's backoff (full jitter, up to a minute) paces reconnects: a fresh client and one
    // connection attempt per handshake (see connect), its connection not shared through grpc-js's
    // global pool, whose backoff state would carry over from one attempt to the next.
    'grpc.use_local_subchannel_pool': 1,
    'grpc.initial_reconnect_backoff_ms': 1000,
    'grpc.max_reconnect_backoff_ms': 5000,
    'grpc.enable_retries': 0,
    ...channelOptions,
  });
}

export interface Handshake {
  response: RegisterResponse__Output;
  sentMs: number;
  receivedMs: number;
}

/**
 * One connection attempt of a fresh client: resolves when the channel is ready, rejects when the
 * attempt fails or at the deadline. grpc-js's waitForReady would keep retrying on its own
 * schedule (1-5 s, the same for every box) until the deadline; the uplink's jittered backoff
 * decides instead. (A channel that failed once stays in TRANSIENT_FAILURE until it is ready, so
 * an attempt cannot be told apart from the last one's: hence a fresh client per attempt.)
 */
export function connect(client: EdgeLinkClient, timeoutMs: number): Promise<void> {
  const channel = client.getChannel();
  const deadline = Date.now() + timeoutMs;
  return new Promise<void>((resolve, reject) => {
    const check = () => {
      const state = channel.getConnectivityState(true);
      if (state === grpc.connectivityState.READY) return resolve();
      if (state === grpc.connectivityState.SHUTDOWN) return reject(new IocError('UPLINK_UNREACHABLE', 'the uplink client was closed before it connected'));
      if (state === grpc.connectivityState.TRANSIENT_FAILURE) return reject(new IocError('UPLINK_UNREACHABLE', `cannot connect to ${channel.getTarget()}`));
      channel.watchConnectivityState(state, deadline, (err) =>
        err ? reject(new IocError('UPLINK_UNREACHABLE', `no connection to ${channel.getTarget()} within ${timeoutMs} ms`)) : check(),
      );
    };
    check();
  });
}

export async function register(client: EdgeLinkClient, identity: LinkIdentity, timeoutMs: number): Promise<Handshake> {
  // Connect first, so the handshake's round trip (and so the clock offset) excludes TCP set-up.
  await connect(client, timeoutMs);
  const sentMs = Date.now();
  return new Promise((resolve, reject) => {
    client.Register(
      {
        protocol_version: PROTOCOL_VERSION,
        device_id: identity.deviceId,
        site_id: identity.siteId,
        token: identity.token,
        software_version: identity.softwareVersion,
        config_version: identity.configVersion(),
        edge_wall_time_ms: sentMs,
        capabilities: ['gzip', 'sensors', 'camera', 'drop-report', 'link-probe'],
      },
      { deadline: new Date(Date.now() + timeoutMs) },
      (err, response) => {
        if (err || !response) return reject(err ?? new IocError('INTERNAL', 'the coordinator answered Register with an empty response'));
        resolve({ response, sentMs, receivedMs: Date.now() });
      },
    );
  });
}

export function openSync(client: EdgeLinkClient, identity: LinkIdentity): SyncCall {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${identity.token}`);
  metadata.set('x-device-id', identity.deviceId);
  return client.Sync(metadata) as SyncCall;
}

/** A status a retry will not fix without a person (revoked token, unknown device). */
export function isAuthFailure(err: unknown): boolean {
  const code = (err as { code?: number } | undefined)?.code;
  return code === grpc.status.UNAUTHENTICATED || code === grpc.status.PERMISSION_DENIED;
}
