// Original file: proto/edgelink.proto

import type { LaneSeq as _ioc_edgelink_v1_LaneSeq, LaneSeq__Output as _ioc_edgelink_v1_LaneSeq__Output } from '../../../ioc/edgelink/v1/LaneSeq.js';
import type { Rejection as _ioc_edgelink_v1_Rejection, Rejection__Output as _ioc_edgelink_v1_Rejection__Output } from '../../../ioc/edgelink/v1/Rejection.js';
import type { Long } from '@grpc/proto-loader';

export interface Ack {
  'batch_id'?: (number | string | Long);
  'acked'?: (_ioc_edgelink_v1_LaneSeq)[];
  'rejected'?: (_ioc_edgelink_v1_Rejection)[];
  'error'?: (string);
}

export interface Ack__Output {
  'batch_id': (number);
  'acked': (_ioc_edgelink_v1_LaneSeq__Output)[];
  'rejected': (_ioc_edgelink_v1_Rejection__Output)[];
  'error': (string);
}
