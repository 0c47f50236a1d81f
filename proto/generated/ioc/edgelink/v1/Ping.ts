// Original file: proto/edgelink.proto

import type { Long } from '@grpc/proto-loader';

export interface Ping {
  'ping_id'?: (number | string | Long);
  'coordinator_time_ms'?: (number | string | Long);
  'payload_bytes'?: (number);
}

export interface Ping__Output {
  'ping_id': (number);
  'coordinator_time_ms': (number);
  'payload_bytes': (number);
}
