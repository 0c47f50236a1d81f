// Original file: proto/edgelink.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CoordinatorMessage as _ioc_edgelink_v1_CoordinatorMessage, CoordinatorMessage__Output as _ioc_edgelink_v1_CoordinatorMessage__Output } from '../../../ioc/edgelink/v1/CoordinatorMessage.js';
import type { EdgeMessage as _ioc_edgelink_v1_EdgeMessage, EdgeMessage__Output as _ioc_edgelink_v1_EdgeMessage__Output } from '../../../ioc/edgelink/v1/EdgeMessage.js';
import type { RegisterRequest as _ioc_edgelink_v1_RegisterRequest, RegisterRequest__Output as _ioc_edgelink_v1_RegisterRequest__Output } from '../../../ioc/edgelink/v1/RegisterRequest.js';
import type { RegisterResponse as _ioc_edgelink_v1_RegisterResponse, RegisterResponse__Output as _ioc_edgelink_v1_RegisterResponse__Output } from '../../../ioc/edgelink/v1/RegisterResponse.js';

export interface EdgeLinkClient extends grpc.Client {
  Register(argument: _ioc_edgelink_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ioc_edgelink_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _ioc_edgelink_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ioc_edgelink_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _ioc_edgelink_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ioc_edgelink_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _ioc_edgelink_v1_RegisterRequest, callback: grpc.requestCallback<_ioc_edgelink_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _ioc_edgelink_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ioc_edgelink_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _ioc_edgelink_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ioc_edgelink_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _ioc_edgelink_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ioc_edgelink_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _ioc_edgelink_v1_RegisterRequest, callback: grpc.requestCallback<_ioc_edgelink_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  
  Sync(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_ioc_edgelink_v1_EdgeMessage, _ioc_edgelink_v1_CoordinatorMessage__Output>;
  Sync(options?: grpc.CallOptions): grpc.ClientDuplexStream<_ioc_edgelink_v1_EdgeMessage, _ioc_edgelink_v1_CoordinatorMessage__Output>;
  sync(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_ioc_edgelink_v1_EdgeMessage, _ioc_edgelink_v1_CoordinatorMessage__Output>;
  sync(options?: grpc.CallOptions): grpc.ClientDuplexStream<_ioc_edgelink_v1_EdgeMessage, _ioc_edgelink_v1_CoordinatorMessage__Output>;
  
}

export interface EdgeLinkHandlers extends grpc.UntypedServiceImplementation {
  Register: grpc.handleUnaryCall<_ioc_edgelink_v1_RegisterRequest__Output, _ioc_edgelink_v1_RegisterResponse>;
  
  Sync: grpc.handleBidiStreamingCall<_ioc_edgelink_v1_EdgeMessage__Output, _ioc_edgelink_v1_CoordinatorMessage>;
  
}

export interface EdgeLinkDefinition extends grpc.ServiceDefinition {
  Register: MethodDefinition<_ioc_edgelink_v1_RegisterRequest, _ioc_edgelink_v1_RegisterResponse, _ioc_edgelink_v1_RegisterRequest__Output, _ioc_edgelink_v1_RegisterResponse__Output>
  Sync: MethodDefinition<_ioc_edgelink_v1_EdgeMessage, _ioc_edgelink_v1_CoordinatorMessage, _ioc_edgelink_v1_EdgeMessage__Output, _ioc_edgelink_v1_CoordinatorMessage__Output>
}
