// Original file: proto/edgelink.proto

import type { Lane as _ioc_edgelink_v1_Lane, Lane__Output as _ioc_edgelink_v1_Lane__Output } from '../../../ioc/edgelink/v1/Lane.js';
import type { Long } from '@grpc/proto-loader';

export interface LaneStats {
  'lane'?: (_ioc_edgelink_v1_Lane);
  'records'?: (number | string | Long);
  'bytes'?: (number | string | Long);
  'oldest_age_ms'?: (number | string | Long);
  'dropped_budget'?: (number | string | Long);
  'dropped_ttl'?: (number | string | Long);
  'dead_lettered'?: (number | string | Long);
  'complete_before_ms'?: (number | string | Long);
  'dropped_corrupt'?: (number | string | Long);
  'dropped_lost'?: (number | string | Long);
}

export interface LaneStats__Output {
  'lane': (_ioc_edgelink_v1_Lane__Output);
  'records': (number);
  'bytes': (number);
  'oldest_age_ms': (number);
  'dropped_budget': (number);
  'dropped_ttl': (number);
  'dead_lettered': (number);
  'complete_before_ms': (number);
  'dropped_corrupt': (number);
  'dropped_lost': (number);
}
