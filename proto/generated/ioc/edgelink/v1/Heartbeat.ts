// Original file: proto/edgelink.proto

import type { LaneStats as _ioc_edgelink_v1_LaneStats, LaneStats__Output as _ioc_edgelink_v1_LaneStats__Output } from '../../../ioc/edgelink/v1/LaneStats.js';
import type { ComponentHealth as _ioc_edgelink_v1_ComponentHealth, ComponentHealth__Output as _ioc_edgelink_v1_ComponentHealth__Output } from '../../../ioc/edgelink/v1/ComponentHealth.js';
import type { Long } from '@grpc/proto-loader';

export interface Heartbeat {
  'edge_time_ms'?: (number | string | Long);
  'uptime_s'?: (number | string | Long);
  'lanes'?: (_ioc_edgelink_v1_LaneStats)[];
  'outbox_records'?: (number | string | Long);
  'outbox_bytes'?: (number | string | Long);
  'oldest_unsent_age_ms'?: (number | string | Long);
  'components'?: (_ioc_edgelink_v1_ComponentHealth)[];
  'cpu_percent'?: (number | string);
  'rss_bytes'?: (number | string | Long);
  'disk_free_bytes'?: (number | string | Long);
  'clock_offset_ms'?: (number | string | Long);
  'config_version'?: (string);
  'software_version'?: (string);
  'disk_budget_bytes'?: (number | string | Long);
}

export interface Heartbeat__Output {
  'edge_time_ms': (number);
  'uptime_s': (number);
  'lanes': (_ioc_edgelink_v1_LaneStats__Output)[];
  'outbox_records': (number);
  'outbox_bytes': (number);
  'oldest_unsent_age_ms': (number);
  'components': (_ioc_edgelink_v1_ComponentHealth__Output)[];
  'cpu_percent': (number);
  'rss_bytes': (number);
  'disk_free_bytes': (number);
  'clock_offset_ms': (number);
  'config_version': (string);
  'software_version': (string);
  'disk_budget_bytes': (number);
}
