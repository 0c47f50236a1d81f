// Original file: proto/edgelink.proto

import type { Severity as _ioc_edgelink_v1_Severity, Severity__Output as _ioc_edgelink_v1_Severity__Output } from '../../../ioc/edgelink/v1/Severity.js';

export interface Alarm {
  'alarm_id'?: (string);
  'rule_id'?: (string);
  'sensor_id'?: (string);
  'metric'?: (string);
  'state'?: (string);
  'severity'?: (_ioc_edgelink_v1_Severity);
  'value'?: (number | string);
  'threshold'?: (number | string);
  'condition'?: (string);
  'message'?: (string);
  'unit'?: (string);
}

export interface Alarm__Output {
  'alarm_id': (string);
  'rule_id': (string);
  'sensor_id': (string);
  'metric': (string);
  'state': (string);
  'severity': (_ioc_edgelink_v1_Severity__Output);
  'value': (number);
  'threshold': (number);
  'condition': (string);
  'message': (string);
  'unit': (string);
}
