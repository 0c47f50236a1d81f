// Original file: proto/edgelink.proto

import type { Long } from '@grpc/proto-loader';

export interface Telemetry {
  'sensor_id'?: (string);
  'metric'?: (string);
  'unit'?: (string);
  'window_s'?: (number);
  'window_start_ms'?: (number | string | Long);
  'window_end_ms'?: (number | string | Long);
  'count'?: (number);
  'min'?: (number | string);
  'max'?: (number | string);
  'mean'?: (number | string);
  'last'?: (number | string);
  'sum'?: (number | string);
  'sensor_type'?: (string);
}

export interface Telemetry__Output {
  'sensor_id': (string);
  'metric': (string);
  'unit': (string);
  'window_s': (number);
  'window_start_ms': (number);
  'window_end_ms': (number);
  'count': (number);
  'min': (number);
  'max': (number);
  'mean': (number);
  'last': (number);
  'sum': (number);
  'sensor_type': (string);
}
