import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Ack as _ioc_edgelink_v1_Ack, Ack__Output as _ioc_edgelink_v1_Ack__Output } from './ioc/edgelink/v1/Ack.js';
import type { Alarm as _ioc_edgelink_v1_Alarm, Alarm__Output as _ioc_edgelink_v1_Alarm__Output } from './ioc/edgelink/v1/Alarm.js';
import type { BoundingBox as _ioc_edgelink_v1_BoundingBox, BoundingBox__Output as _ioc_edgelink_v1_BoundingBox__Output } from './ioc/edgelink/v1/BoundingBox.js';
import type { CameraEvent as _ioc_edgelink_v1_CameraEvent, CameraEvent__Output as _ioc_edgelink_v1_CameraEvent__Output } from './ioc/edgelink/v1/CameraEvent.js';
import type { Command as _ioc_edgelink_v1_Command, Command__Output as _ioc_edgelink_v1_Command__Output } from './ioc/edgelink/v1/Command.js';
import type { CommandReceipt as _ioc_edgelink_v1_CommandReceipt, CommandReceipt__Output as _ioc_edgelink_v1_CommandReceipt__Output } from './ioc/edgelink/v1/CommandReceipt.js';
import type { ComponentHealth as _ioc_edgelink_v1_ComponentHealth, ComponentHealth__Output as _ioc_edgelink_v1_ComponentHealth__Output } from './ioc/edgelink/v1/ComponentHealth.js';
import type { ConfigPush as _ioc_edgelink_v1_ConfigPush, ConfigPush__Output as _ioc_edgelink_v1_ConfigPush__Output } from './ioc/edgelink/v1/ConfigPush.js';
import type { ConfigReport as _ioc_edgelink_v1_ConfigReport, ConfigReport__Output as _ioc_edgelink_v1_ConfigReport__Output } from './ioc/edgelink/v1/ConfigReport.js';
import type { CoordinatorMessage as _ioc_edgelink_v1_CoordinatorMessage, CoordinatorMessage__Output as _ioc_edgelink_v1_CoordinatorMessage__Output } from './ioc/edgelink/v1/CoordinatorMessage.js';
import type { DeviceNotice as _ioc_edgelink_v1_DeviceNotice, DeviceNotice__Output as _ioc_edgelink_v1_DeviceNotice__Output } from './ioc/edgelink/v1/DeviceNotice.js';
import type { DropAck as _ioc_edgelink_v1_DropAck, DropAck__Output as _ioc_edgelink_v1_DropAck__Output } from './ioc/edgelink/v1/DropAck.js';
import type { DropRange as _ioc_edgelink_v1_DropRange, DropRange__Output as _ioc_edgelink_v1_DropRange__Output } from './ioc/edgelink/v1/DropRange.js';
import type { DropReport as _ioc_edgelink_v1_DropReport, DropReport__Output as _ioc_edgelink_v1_DropReport__Output } from './ioc/edgelink/v1/DropReport.js';
import type { EdgeLinkClient as _ioc_edgelink_v1_EdgeLinkClient, EdgeLinkDefinition as _ioc_edgelink_v1_EdgeLinkDefinition } from './ioc/edgelink/v1/EdgeLink.js';
import type { EdgeMessage as _ioc_edgelink_v1_EdgeMessage, EdgeMessage__Output as _ioc_edgelink_v1_EdgeMessage__Output } from './ioc/edgelink/v1/EdgeMessage.js';
import type { Goodbye as _ioc_edgelink_v1_Goodbye, Goodbye__Output as _ioc_edgelink_v1_Goodbye__Output } from './ioc/edgelink/v1/Goodbye.js';
import type { Heartbeat as _ioc_edgelink_v1_Heartbeat, Heartbeat__Output as _ioc_edgelink_v1_Heartbeat__Output } from './ioc/edgelink/v1/Heartbeat.js';
import type { LaneSeq as _ioc_edgelink_v1_LaneSeq, LaneSeq__Output as _ioc_edgelink_v1_LaneSeq__Output } from './ioc/edgelink/v1/LaneSeq.js';
import type { LaneStats as _ioc_edgelink_v1_LaneStats, LaneStats__Output as _ioc_edgelink_v1_LaneStats__Output } from './ioc/edgelink/v1/LaneStats.js';
import type { LinkProbe as _ioc_edgelink_v1_LinkProbe, LinkProbe__Output as _ioc_edgelink_v1_LinkProbe__Output } from './ioc/edgelink/v1/LinkProbe.js';
import type { LinkProbeAck as _ioc_edgelink_v1_LinkProbeAck, LinkProbeAck__Output as _ioc_edgelink_v1_LinkProbeAck__Output } from './ioc/edgelink/v1/LinkProbeAck.js';
import type { Ping as _ioc_edgelink_v1_Ping, Ping__Output as _ioc_edgelink_v1_Ping__Output } from './ioc/edgelink/v1/Ping.js';
import type { Pong as _ioc_edgelink_v1_Pong, Pong__Output as _ioc_edgelink_v1_Pong__Output } from './ioc/edgelink/v1/Pong.js';
import type { Record as _ioc_edgelink_v1_Record, Record__Output as _ioc_edgelink_v1_Record__Output } from './ioc/edgelink/v1/Record.js';
import type { RecordBatch as _ioc_edgelink_v1_RecordBatch, RecordBatch__Output as _ioc_edgelink_v1_RecordBatch__Output } from './ioc/edgelink/v1/RecordBatch.js';
import type { RegisterRequest as _ioc_edgelink_v1_RegisterRequest, RegisterRequest__Output as _ioc_edgelink_v1_RegisterRequest__Output } from './ioc/edgelink/v1/RegisterRequest.js';
import type { RegisterResponse as _ioc_edgelink_v1_RegisterResponse, RegisterResponse__Output as _ioc_edgelink_v1_RegisterResponse__Output } from './ioc/edgelink/v1/RegisterResponse.js';
import type { Rejection as _ioc_edgelink_v1_Rejection, Rejection__Output as _ioc_edgelink_v1_Rejection__Output } from './ioc/edgelink/v1/Rejection.js';
import type { SyncHello as _ioc_edgelink_v1_SyncHello, SyncHello__Output as _ioc_edgelink_v1_SyncHello__Output } from './ioc/edgelink/v1/SyncHello.js';
import type { Telemetry as _ioc_edgelink_v1_Telemetry, Telemetry__Output as _ioc_edgelink_v1_Telemetry__Output } from './ioc/edgelink/v1/Telemetry.js';
import type { Thumbnail as _ioc_edgelink_v1_Thumbnail, Thumbnail__Output as _ioc_edgelink_v1_Thumbnail__Output } from './ioc/edgelink/v1/Thumbnail.js';
import type { TrafficCount as _ioc_edgelink_v1_TrafficCount, TrafficCount__Output as _ioc_edgelink_v1_TrafficCount__Output } from './ioc/edgelink/v1/TrafficCount.js';
import type { TrafficCountEntry as _ioc_edgelink_v1_TrafficCountEntry, TrafficCountEntry__Output as _ioc_edgelink_v1_TrafficCountEntry__Output } from './ioc/edgelink/v1/TrafficCountEntry.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  ioc: {
    edgelink: {
      v1: {
        Ack: MessageTypeDefinition<_ioc_edgelink_v1_Ack, _ioc_edgelink_v1_Ack__Output>
        Alarm: MessageTypeDefinition<_ioc_edgelink_v1_Alarm, _ioc_edgelink_v1_Alarm__Output>
        BoundingBox: MessageTypeDefinition<_ioc_edgelink_v1_BoundingBox, _ioc_edgelink_v1_BoundingBox__Output>
        CameraEvent: MessageTypeDefinition<_ioc_edgelink_v1_CameraEvent, _ioc_edgelink_v1_CameraEvent__Output>
        Command: MessageTypeDefinition<_ioc_edgelink_v1_Command, _ioc_edgelink_v1_Command__Output>
        CommandReceipt: MessageTypeDefinition<_ioc_edgelink_v1_CommandReceipt, _ioc_edgelink_v1_CommandReceipt__Output>
        ComponentHealth: MessageTypeDefinition<_ioc_edgelink_v1_ComponentHealth, _ioc_edgelink_v1_ComponentHealth__Output>
        Compression: EnumTypeDefinition
        ConfigPush: MessageTypeDefinition<_ioc_edgelink_v1_ConfigPush, _ioc_edgelink_v1_ConfigPush__Output>
        ConfigReport: MessageTypeDefinition<_ioc_edgelink_v1_ConfigReport, _ioc_edgelink_v1_ConfigReport__Output>
        CoordinatorMessage: MessageTypeDefinition<_ioc_edgelink_v1_CoordinatorMessage, _ioc_edgelink_v1_CoordinatorMessage__Output>
        DeviceNotice: MessageTypeDefinition<_ioc_edgelink_v1_DeviceNotice, _ioc_edgelink_v1_DeviceNotice__Output>
        DropAck: MessageTypeDefinition<_ioc_edgelink_v1_DropAck, _ioc_edgelink_v1_DropAck__Output>
        DropRange: MessageTypeDefinition<_ioc_edgelink_v1_DropRange, _ioc_edgelink_v1_DropRange__Output>
        DropReport: MessageTypeDefinition<_ioc_edgelink_v1_DropReport, _ioc_edgelink_v1_DropReport__Output>
        EdgeLink: SubtypeConstructor<typeof grpc.Client, _ioc_edgelink_v1_EdgeLinkClient> & { service: _ioc_edgelink_v1_EdgeLinkDefinition }
        EdgeMessage: MessageTypeDefinition<_ioc_edgelink_v1_EdgeMessage, _ioc_edgelink_v1_EdgeMessage__Output>
        Goodbye: MessageTypeDefinition<_ioc_edgelink_v1_Goodbye, _ioc_edgelink_v1_Goodbye__Output>
        Heartbeat: MessageTypeDefinition<_ioc_edgelink_v1_Heartbeat, _ioc_edgelink_v1_Heartbeat__Output>
        Lane: EnumTypeDefinition
        LaneSeq: MessageTypeDefinition<_ioc_edgelink_v1_LaneSeq, _ioc_edgelink_v1_LaneSeq__Output>
        LaneStats: MessageTypeDefinition<_ioc_edgelink_v1_LaneStats, _ioc_edgelink_v1_LaneStats__Output>
        LinkProbe: MessageTypeDefinition<_ioc_edgelink_v1_LinkProbe, _ioc_edgelink_v1_LinkProbe__Output>
        LinkProbeAck: MessageTypeDefinition<_ioc_edgelink_v1_LinkProbeAck, _ioc_edgelink_v1_LinkProbeAck__Output>
        Ping: MessageTypeDefinition<_ioc_edgelink_v1_Ping, _ioc_edgelink_v1_Ping__Output>
        Pong: MessageTypeDefinition<_ioc_edgelink_v1_Pong, _ioc_edgelink_v1_Pong__Output>
        Record: MessageTypeDefinition<_ioc_edgelink_v1_Record, _ioc_edgelink_v1_Record__Output>
        RecordBatch: MessageTypeDefinition<_ioc_edgelink_v1_RecordBatch, _ioc_edgelink_v1_RecordBatch__Output>
        RegisterRequest: MessageTypeDefinition<_ioc_edgelink_v1_RegisterRequest, _ioc_edgelink_v1_RegisterRequest__Output>
        RegisterResponse: MessageTypeDefinition<_ioc_edgelink_v1_RegisterResponse, _ioc_edgelink_v1_RegisterResponse__Output>
        Rejection: MessageTypeDefinition<_ioc_edgelink_v1_Rejection, _ioc_edgelink_v1_Rejection__Output>
        Severity: EnumTypeDefinition
        SyncHello: MessageTypeDefinition<_ioc_edgelink_v1_SyncHello, _ioc_edgelink_v1_SyncHello__Output>
        Telemetry: MessageTypeDefinition<_ioc_edgelink_v1_Telemetry, _ioc_edgelink_v1_Telemetry__Output>
        Thumbnail: MessageTypeDefinition<_ioc_edgelink_v1_Thumbnail, _ioc_edgelink_v1_Thumbnail__Output>
        TrafficCount: MessageTypeDefinition<_ioc_edgelink_v1_TrafficCount, _ioc_edgelink_v1_TrafficCount__Output>
        TrafficCountEntry: MessageTypeDefinition<_ioc_edgelink_v1_TrafficCountEntry, _ioc_edgelink_v1_TrafficCountEntry__Output>
      }
    }
  }
}

