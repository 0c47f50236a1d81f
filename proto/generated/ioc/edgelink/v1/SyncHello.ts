// Original file: proto/edgelink.proto


export interface SyncHello {
  'session_id'?: (string);
  'protocol_version'?: (number);
}

export interface SyncHello__Output {
  'session_id': (string);
  'protocol_version': (number);
}
