// Original file: proto/edgelink.proto


export interface ConfigPush {
  'version'?: (string);
  'yaml'?: (string);
}

export interface ConfigPush__Output {
  'version': (string);
  'yaml': (string);
}
