// Original file: proto/edgelink.proto

import type { Lane as _ioc_edgelink_v1_Lane, Lane__Output as _ioc_edgelink_v1_Lane__Output } from '../../../ioc/edgelink/v1/Lane.js';
import type { Long } from '@grpc/proto-loader';

export interface DropRange {
  'lane'?: (_ioc_edgelink_v1_Lane);
  'first_seq'?: (number | string | Long);
  'last_seq'?: (number | string | Long);
  'reason'?: (string);
  'first_edge_time_ms'?: (number | string | Long);
  'last_edge_time_ms'?: (number | string | Long);
}

export interface DropRange__Output {
  'lane': (_ioc_edgelink_v1_Lane__Output);
  'first_seq': (number);
  'last_seq': (number);
  'reason': (string);
  'first_edge_time_ms': (number);
  'last_edge_time_ms': (number);
}
