// Original file: proto/edgelink.proto

import type { LaneSeq as _ioc_edgelink_v1_LaneSeq, LaneSeq__Output as _ioc_edgelink_v1_LaneSeq__Output } from '../../../ioc/edgelink/v1/LaneSeq.js';
import type { Long } from '@grpc/proto-loader';

export interface RegisterResponse {
  'protocol_version'?: (number);
  'coordinator_time_ms'?: (number | string | Long);
  'acked'?: (_ioc_edgelink_v1_LaneSeq)[];
  'session_id'?: (string);
  'desired_config_version'?: (string);
  'max_batch_bytes'?: (number);
  'coordinator_receive_time_ms'?: (number | string | Long);
}

export interface RegisterResponse__Output {
  'protocol_version': (number);
  'coordinator_time_ms': (number);
  'acked': (_ioc_edgelink_v1_LaneSeq__Output)[];
  'session_id': (string);
  'desired_config_version': (string);
  'max_batch_bytes': (number);
  'coordinator_receive_time_ms': (number);
}
