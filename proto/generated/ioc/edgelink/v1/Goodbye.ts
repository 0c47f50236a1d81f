// Original file: proto/edgelink.proto


export interface Goodbye {
  'reason'?: (string);
  'code'?: (string);
}

export interface Goodbye__Output {
  'reason': (string);
  'code': (string);
}
