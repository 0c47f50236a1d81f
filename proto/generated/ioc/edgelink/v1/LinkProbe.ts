// Original file: proto/edgelink.proto

import type { Long } from '@grpc/proto-loader';

export interface LinkProbe {
  'probe_id'?: (number | string | Long);
  'padding'?: (Buffer | Uint8Array | string);
}

export interface LinkProbe__Output {
  'probe_id': (number);
  'padding': (Buffer);
}
