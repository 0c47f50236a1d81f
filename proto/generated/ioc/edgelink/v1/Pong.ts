// Original file: proto/edgelink.proto

import type { Long } from '@grpc/proto-loader';

export interface Pong {
  'ping_id'?: (number | string | Long);
  'edge_time_ms'?: (number | string | Long);
}

export interface Pong__Output {
  'ping_id': (number);
  'edge_time_ms': (number);
}
