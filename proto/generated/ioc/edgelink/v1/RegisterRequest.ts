// Original file: proto/edgelink.proto

import type { Long } from '@grpc/proto-loader';

export interface RegisterRequest {
  'protocol_version'?: (number);
  'device_id'?: (string);
  'site_id'?: (string);
  'token'?: (string);
  'software_version'?: (string);
  'config_version'?: (string);
  'edge_wall_time_ms'?: (number | string | Long);
  'capabilities'?: (string)[];
}

export interface RegisterRequest__Output {
  'protocol_version': (number);
  'device_id': (string);
  'site_id': (string);
  'token': (string);
  'software_version': (string);
  'config_version': (string);
  'edge_wall_time_ms': (number);
  'capabilities': (string)[];
}
