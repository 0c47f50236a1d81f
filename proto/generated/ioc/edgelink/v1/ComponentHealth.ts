// Original file: proto/edgelink.proto

import type { Long } from '@grpc/proto-loader';

export interface ComponentHealth {
  'name'?: (string);
  'state'?: (string);
  'detail'?: (string);
  'restarts'?: (number);
  'last_seen_ms'?: (number | string | Long);
}

export interface ComponentHealth__Output {
  'name': (string);
  'state': (string);
  'detail': (string);
  'restarts': (number);
  'last_seen_ms': (number);
}
