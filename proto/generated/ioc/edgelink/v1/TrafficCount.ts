// Original file: proto/edgelink.proto

import type { TrafficCountEntry as _ioc_edgelink_v1_TrafficCountEntry, TrafficCountEntry__Output as _ioc_edgelink_v1_TrafficCountEntry__Output } from '../../../ioc/edgelink/v1/TrafficCountEntry.js';
import type { Long } from '@grpc/proto-loader';

export interface TrafficCount {
  'camera_id'?: (string);
  'line'?: (string);
  'interval_start_ms'?: (number | string | Long);
  'interval_end_ms'?: (number | string | Long);
  'entries'?: (_ioc_edgelink_v1_TrafficCountEntry)[];
}

export interface TrafficCount__Output {
  'camera_id': (string);
  'line': (string);
  'interval_start_ms': (number);
  'interval_end_ms': (number);
  'entries': (_ioc_edgelink_v1_TrafficCountEntry__Output)[];
}
