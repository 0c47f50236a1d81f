// Original file: proto/edgelink.proto

import type { BoundingBox as _ioc_edgelink_v1_BoundingBox, BoundingBox__Output as _ioc_edgelink_v1_BoundingBox__Output } from '../../../ioc/edgelink/v1/BoundingBox.js';
import type { Severity as _ioc_edgelink_v1_Severity, Severity__Output as _ioc_edgelink_v1_Severity__Output } from '../../../ioc/edgelink/v1/Severity.js';
import type { Long } from '@grpc/proto-loader';

export interface CameraEvent {
  'event_id'?: (string);
  'camera_id'?: (string);
  'phase'?: (string);
  'type'?: (string);
  'rule'?: (string);
  'zone'?: (string);
  'label'?: (string);
  'score'?: (number | string);
  'box'?: (_ioc_edgelink_v1_BoundingBox | null);
  'severity'?: (_ioc_edgelink_v1_Severity);
  'started_ms'?: (number | string | Long);
  'ended_ms'?: (number | string | Long);
  'object_count'?: (number);
  'motion_only'?: (boolean);
  'track_id'?: (string);
  'detail'?: (string);
}

export interface CameraEvent__Output {
  'event_id': (string);
  'camera_id': (string);
  'phase': (string);
  'type': (string);
  'rule': (string);
  'zone': (string);
  'label': (string);
  'score': (number);
  'box': (_ioc_edgelink_v1_BoundingBox__Output | null);
  'severity': (_ioc_edgelink_v1_Severity__Output);
  'started_ms': (number);
  'ended_ms': (number);
  'object_count': (number);
  'motion_only': (boolean);
  'track_id': (string);
  'detail': (string);
}
