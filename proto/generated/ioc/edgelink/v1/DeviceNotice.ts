// Original file: proto/edgelink.proto

import type { Severity as _ioc_edgelink_v1_Severity, Severity__Output as _ioc_edgelink_v1_Severity__Output } from '../../../ioc/edgelink/v1/Severity.js';

export interface DeviceNotice {
  'code'?: (string);
  'severity'?: (_ioc_edgelink_v1_Severity);
  'message'?: (string);
  'detail_json'?: (string);
}

export interface DeviceNotice__Output {
  'code': (string);
  'severity': (_ioc_edgelink_v1_Severity__Output);
  'message': (string);
  'detail_json': (string);
}
