// Original file: proto/edgelink.proto

import type { Ack as _ioc_edgelink_v1_Ack, Ack__Output as _ioc_edgelink_v1_Ack__Output } from '../../../ioc/edgelink/v1/Ack.js';
import type { ConfigPush as _ioc_edgelink_v1_ConfigPush, ConfigPush__Output as _ioc_edgelink_v1_ConfigPush__Output } from '../../../ioc/edgelink/v1/ConfigPush.js';
import type { Command as _ioc_edgelink_v1_Command, Command__Output as _ioc_edgelink_v1_Command__Output } from '../../../ioc/edgelink/v1/Command.js';
import type { Ping as _ioc_edgelink_v1_Ping, Ping__Output as _ioc_edgelink_v1_Ping__Output } from '../../../ioc/edgelink/v1/Ping.js';
import type { DropAck as _ioc_edgelink_v1_DropAck, DropAck__Output as _ioc_edgelink_v1_DropAck__Output } from '../../../ioc/edgelink/v1/DropAck.js';
import type { Goodbye as _ioc_edgelink_v1_Goodbye, Goodbye__Output as _ioc_edgelink_v1_Goodbye__Output } from '../../../ioc/edgelink/v1/Goodbye.js';
import type { LinkProbeAck as _ioc_edgelink_v1_LinkProbeAck, LinkProbeAck__Output as _ioc_edgelink_v1_LinkProbeAck__Output } from '../../../ioc/edgelink/v1/LinkProbeAck.js';

export interface CoordinatorMessage {
  'ack'?: (_ioc_edgelink_v1_Ack | null);
  'config_push'?: (_ioc_edgelink_v1_ConfigPush | null);
  'command'?: (_ioc_edgelink_v1_Command | null);
  'ping'?: (_ioc_edgelink_v1_Ping | null);
  'drop_ack'?: (_ioc_edgelink_v1_DropAck | null);
  'goodbye'?: (_ioc_edgelink_v1_Goodbye | null);
  'probe_ack'?: (_ioc_edgelink_v1_LinkProbeAck | null);
  'body'?: "ack"|"config_push"|"command"|"ping"|"drop_ack"|"goodbye"|"probe_ack";
}

export interface CoordinatorMessage__Output {
  'ack'?: (_ioc_edgelink_v1_Ack__Output | null);
  'config_push'?: (_ioc_edgelink_v1_ConfigPush__Output | null);
  'command'?: (_ioc_edgelink_v1_Command__Output | null);
  'ping'?: (_ioc_edgelink_v1_Ping__Output | null);
  'drop_ack'?: (_ioc_edgelink_v1_DropAck__Output | null);
  'goodbye'?: (_ioc_edgelink_v1_Goodbye__Output | null);
  'probe_ack'?: (_ioc_edgelink_v1_LinkProbeAck__Output | null);
  'body'?: "ack"|"config_push"|"command"|"ping"|"drop_ack"|"goodbye"|"probe_ack";
}
