// Original file: proto/edgelink.proto

import type { SyncHello as _ioc_edgelink_v1_SyncHello, SyncHello__Output as _ioc_edgelink_v1_SyncHello__Output } from '../../../ioc/edgelink/v1/SyncHello.js';
import type { RecordBatch as _ioc_edgelink_v1_RecordBatch, RecordBatch__Output as _ioc_edgelink_v1_RecordBatch__Output } from '../../../ioc/edgelink/v1/RecordBatch.js';
import type { Heartbeat as _ioc_edgelink_v1_Heartbeat, Heartbeat__Output as _ioc_edgelink_v1_Heartbeat__Output } from '../../../ioc/edgelink/v1/Heartbeat.js';
import type { DropReport as _ioc_edgelink_v1_DropReport, DropReport__Output as _ioc_edgelink_v1_DropReport__Output } from '../../../ioc/edgelink/v1/DropReport.js';
import type { ConfigReport as _ioc_edgelink_v1_ConfigReport, ConfigReport__Output as _ioc_edgelink_v1_ConfigReport__Output } from '../../../ioc/edgelink/v1/ConfigReport.js';
import type { CommandReceipt as _ioc_edgelink_v1_CommandReceipt, CommandReceipt__Output as _ioc_edgelink_v1_CommandReceipt__Output } from '../../../ioc/edgelink/v1/CommandReceipt.js';
import type { Pong as _ioc_edgelink_v1_Pong, Pong__Output as _ioc_edgelink_v1_Pong__Output } from '../../../ioc/edgelink/v1/Pong.js';
import type { LinkProbe as _ioc_edgelink_v1_LinkProbe, LinkProbe__Output as _ioc_edgelink_v1_LinkProbe__Output } from '../../../ioc/edgelink/v1/LinkProbe.js';

export interface EdgeMessage {
  'hello'?: (_ioc_edgelink_v1_SyncHello | null);
  'batch'?: (_ioc_edgelink_v1_RecordBatch | null);
  'heartbeat'?: (_ioc_edgelink_v1_Heartbeat | null);
  'drops'?: (_ioc_edgelink_v1_DropReport | null);
  'config_report'?: (_ioc_edgelink_v1_ConfigReport | null);
  'command_receipt'?: (_ioc_edgelink_v1_CommandReceipt | null);
  'pong'?: (_ioc_edgelink_v1_Pong | null);
  'probe'?: (_ioc_edgelink_v1_LinkProbe | null);
  'body'?: "hello"|"batch"|"heartbeat"|"drops"|"config_report"|"command_receipt"|"pong"|"probe";
}

export interface EdgeMessage__Output {
  'hello'?: (_ioc_edgelink_v1_SyncHello__Output | null);
  'batch'?: (_ioc_edgelink_v1_RecordBatch__Output | null);
  'heartbeat'?: (_ioc_edgelink_v1_Heartbeat__Output | null);
  'drops'?: (_ioc_edgelink_v1_DropReport__Output | null);
  'config_report'?: (_ioc_edgelink_v1_ConfigReport__Output | null);
  'command_receipt'?: (_ioc_edgelink_v1_CommandReceipt__Output | null);
  'pong'?: (_ioc_edgelink_v1_Pong__Output | null);
  'probe'?: (_ioc_edgelink_v1_LinkProbe__Output | null);
  'body'?: "hello"|"batch"|"heartbeat"|"drops"|"config_report"|"command_receipt"|"pong"|"probe";
}
