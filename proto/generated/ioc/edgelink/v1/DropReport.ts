// Original file: proto/edgelink.proto

import type { DropRange as _ioc_edgelink_v1_DropRange, DropRange__Output as _ioc_edgelink_v1_DropRange__Output } from '../../../ioc/edgelink/v1/DropRange.js';
import type { Long } from '@grpc/proto-loader';

export interface DropReport {
  'report_id'?: (number | string | Long);
  'ranges'?: (_ioc_edgelink_v1_DropRange)[];
}

export interface DropReport__Output {
  'report_id': (number);
  'ranges': (_ioc_edgelink_v1_DropRange__Output)[];
}
