// Original file: proto/edgelink.proto

import type { Long } from '@grpc/proto-loader';

export interface CommandReceipt {
  'command_id'?: (string);
  'status'?: (string);
  'detail'?: (string);
  'edge_time_ms'?: (number | string | Long);
}

export interface CommandReceipt__Output {
  'command_id': (string);
  'status': (string);
  'detail': (string);
  'edge_time_ms': (number);
}
