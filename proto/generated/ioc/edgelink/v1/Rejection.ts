// Original file: proto/edgelink.proto

import type { Lane as _ioc_edgelink_v1_Lane, Lane__Output as _ioc_edgelink_v1_Lane__Output } from '../../../ioc/edgelink/v1/Lane.js';
import type { Long } from '@grpc/proto-loader';

export interface Rejection {
  'lane'?: (_ioc_edgelink_v1_Lane);
  'seq'?: (number | string | Long);
  'code'?: (string);
  'reason'?: (string);
}

export interface Rejection__Output {
  'lane': (_ioc_edgelink_v1_Lane__Output);
  'seq': (number);
  'code': (string);
  'reason': (string);
}
