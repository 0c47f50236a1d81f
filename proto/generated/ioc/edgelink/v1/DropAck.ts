// Original file: proto/edgelink.proto

import type { LaneSeq as _ioc_edgelink_v1_LaneSeq, LaneSeq__Output as _ioc_edgelink_v1_LaneSeq__Output } from '../../../ioc/edgelink/v1/LaneSeq.js';
import type { Long } from '@grpc/proto-loader';

export interface DropAck {
  'report_id'?: (number | string | Long);
  'acked'?: (_ioc_edgelink_v1_LaneSeq)[];
}

export interface DropAck__Output {
  'report_id': (number);
  'acked': (_ioc_edgelink_v1_LaneSeq__Output)[];
}
