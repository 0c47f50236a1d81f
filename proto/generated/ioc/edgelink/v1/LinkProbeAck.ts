// Original file: proto/edgelink.proto

import type { Long } from '@grpc/proto-loader';

export interface LinkProbeAck {
  'probe_id'?: (number | string | Long);
  'received_bytes'?: (number);
  'coordinator_receive_time_ms'?: (number | string | Long);
  'coordinator_time_ms'?: (number | string | Long);
}

export interface LinkProbeAck__Output {
  'probe_id': (number);
  'received_bytes': (number);
  'coordinator_receive_time_ms': (number);
  'coordinator_time_ms': (number);
}
