// Original file: proto/edgelink.proto

import type { Lane as _ioc_edgelink_v1_Lane, Lane__Output as _ioc_edgelink_v1_Lane__Output } from '../../../ioc/edgelink/v1/Lane.js';
import type { Telemetry as _ioc_edgelink_v1_Telemetry, Telemetry__Output as _ioc_edgelink_v1_Telemetry__Output } from '../../../ioc/edgelink/v1/Telemetry.js';
import type { Alarm as _ioc_edgelink_v1_Alarm, Alarm__Output as _ioc_edgelink_v1_Alarm__Output } from '../../../ioc/edgelink/v1/Alarm.js';
import type { CameraEvent as _ioc_edgelink_v1_CameraEvent, CameraEvent__Output as _ioc_edgelink_v1_CameraEvent__Output } from '../../../ioc/edgelink/v1/CameraEvent.js';
import type { Thumbnail as _ioc_edgelink_v1_Thumbnail, Thumbnail__Output as _ioc_edgelink_v1_Thumbnail__Output } from '../../../ioc/edgelink/v1/Thumbnail.js';
import type { TrafficCount as _ioc_edgelink_v1_TrafficCount, TrafficCount__Output as _ioc_edgelink_v1_TrafficCount__Output } from '../../../ioc/edgelink/v1/TrafficCount.js';
import type { DeviceNotice as _ioc_edgelink_v1_DeviceNotice, DeviceNotice__Output as _ioc_edgelink_v1_DeviceNotice__Output } from '../../../ioc/edgelink/v1/DeviceNotice.js';
import type { Long } from '@grpc/proto-loader';

export interface Record {
  'lane'?: (_ioc_edgelink_v1_Lane);
  'seq'?: (number | string | Long);
  'kind'?: (string);
  'edge_time_ms'?: (number | string | Long);
  'clock_offset_ms'?: (number | string | Long);
  'clock_synced'?: (boolean);
  'telemetry'?: (_ioc_edgelink_v1_Telemetry | null);
  'alarm'?: (_ioc_edgelink_v1_Alarm | null);
  'camera_event'?: (_ioc_edgelink_v1_CameraEvent | null);
  'thumbnail'?: (_ioc_edgelink_v1_Thumbnail | null);
  'traffic_count'?: (_ioc_edgelink_v1_TrafficCount | null);
  'notice'?: (_ioc_edgelink_v1_DeviceNotice | null);
  'body'?: "telemetry"|"alarm"|"camera_event"|"thumbnail"|"traffic_count"|"notice";
}

export interface Record__Output {
  'lane': (_ioc_edgelink_v1_Lane__Output);
  'seq': (number);
  'kind': (string);
  'edge_time_ms': (number);
  'clock_offset_ms': (number);
  'clock_synced': (boolean);
  'telemetry'?: (_ioc_edgelink_v1_Telemetry__Output | null);
  'alarm'?: (_ioc_edgelink_v1_Alarm__Output | null);
  'camera_event'?: (_ioc_edgelink_v1_CameraEvent__Output | null);
  'thumbnail'?: (_ioc_edgelink_v1_Thumbnail__Output | null);
  'traffic_count'?: (_ioc_edgelink_v1_TrafficCount__Output | null);
  'notice'?: (_ioc_edgelink_v1_DeviceNotice__Output | null);
  'body'?: "telemetry"|"alarm"|"camera_event"|"thumbnail"|"traffic_count"|"notice";
}
