// Original file: proto/edgelink.proto

import type { Compression as _ioc_edgelink_v1_Compression, Compression__Output as _ioc_edgelink_v1_Compression__Output } from '../../../ioc/edgelink/v1/Compression.js';
import type { Long } from '@grpc/proto-loader';

export interface RecordBatch {
  'batch_id'?: (number | string | Long);
  'compression'?: (_ioc_edgelink_v1_Compression);
  'body'?: (Buffer | Uint8Array | string);
  'record_count'?: (number);
}

export interface RecordBatch__Output {
  'batch_id': (number);
  'compression': (_ioc_edgelink_v1_Compression__Output);
  'body': (Buffer);
  'record_count': (number);
}
