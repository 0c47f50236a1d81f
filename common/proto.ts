// Codec for the EdgeLink contract: one protobufjs root for records and batch bodies, and the
// grpc-js service definition, both loaded from proto/edgelink.proto with the same conversion
// options so that the generated TypeScript types describe both.
import protobuf from 'protobufjs';
import * as protoLoader from '@grpc/proto-loader';
import * as grpc from '@grpc/grpc-js';
import { gzipSync, gunzipSync } from 'node:zlib';
import { projectPath } from './paths.js';
import { IocError } from './errors.js';
import type { Record as ProtoRecord, Record__Output } from '../proto/generated/ioc/edgelink/v1/Record.js';
import type { ProtoGrpcType } from '../proto/generated/edgelink.js';

export type { ProtoRecord, Record__Output };

/** Bump when the contract changes meaning; additive field changes do not need a bump. */
export const PROTOCOL_VERSION = 1;

export const PROTO_FILE = projectPath('proto', 'edgelink.proto');

const CONVERSION = { longs: Number, enums: String, defaults: true, oneofs: true } as const;

const root = new protobuf.Root();
root.loadSync(PROTO_FILE, { keepCase: true });
const RecordType = root.lookupType('ioc.edgelink.v1.Record');

export function encodeRecord(record: ProtoRecord): Uint8Array {
  const message = RecordType.fromObject(record);
  return RecordType.encode(message).finish();
}

export function decodeRecord(bytes: Uint8Array): Record__Output {
  const message = RecordType.decode(bytes);
  return RecordType.toObject(message, CONVERSION) as Record__Output;
}

export type BatchCompression = 'COMPRESSION_NONE' | 'COMPRESSION_GZIP';

/** Concatenates already-encoded records length-delimited, optionally gzipped as one block. */
export function encodeBatchBody(encodedRecords: readonly Uint8Array[], compression: BatchCompression): Buffer {
  const writer = protobuf.Writer.create();
  for (const bytes of encodedRecords) writer.bytes(bytes);
  const raw = Buffer.from(writer.finish());
  return compression === 'COMPRESSION_GZIP' ? gzipSync(raw, { level: 6 }) : raw;
}

/** Inverse of encodeBatchBody; throws IocError('BAD_REQUEST') on anything malformed. */
export function decodeBatchBody(body: Uint8Array, compression: string | number, maxRecords: number): Record__Output[] {
  let raw: Buffer;
  try {
    raw = compression === 'COMPRESSION_GZIP' || compression === 1 ? gunzipSync(body, { maxOutputLength: 64 * 1024 * 1024 }) : Buffer.from(body);
  } catch (err) {
    throw new IocError('BAD_REQUEST', `batch body does not decompress: ${(err as Error).message}`);
  }
  const reader = protobuf.Reader.create(raw);
  const records: Record__Output[] = [];
  try {
    while (reader.pos < reader.len) {
      if (records.length >= maxRecords) throw new IocError('BAD_REQUEST', `batch holds more than ${maxRecords} records`);
      records.push(decodeRecord(reader.bytes()));
    }
  } catch (err) {
    if (err instanceof IocError) throw err;
    throw new IocError('BAD_REQUEST', `batch body is not a sequence of records: ${(err as Error).message}`);
  }
  return records;
}

let grpcDefinition: ProtoGrpcType | undefined;

export function edgeLinkGrpc(): ProtoGrpcType {
  if (grpcDefinition) return grpcDefinition;
  const definition = protoLoader.loadSync(PROTO_FILE, { keepCase: true, ...CONVERSION });
  grpcDefinition = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  return grpcDefinition;
}

/**
 * Keepalive on both ends so a dead peer behind a NAT or a blackholed link is noticed (grpc-node
 * #2953). The ping's answer can queue behind a thumbnail already in the modem's buffer (24 KB
 * takes ~10 s at 20 kbps), so the timeout leaves room for that: a dead link shows in ≤ 45 s.
 */
export const KEEPALIVE_OPTIONS = {
  'grpc.keepalive_time_ms': 20_000,
  'grpc.keepalive_timeout_ms': 25_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.max_pings_without_data': 0,
} as const;

export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
