// Original file: proto/edgelink.proto

import type { Long } from '@grpc/proto-loader';

export interface Command {
  'id'?: (string);
  'name'?: (string);
  'args_json'?: (string);
  'expires_at_ms'?: (number | string | Long);
}

export interface Command__Output {
  'id': (string);
  'name': (string);
  'args_json': (string);
  'expires_at_ms': (number);
}
