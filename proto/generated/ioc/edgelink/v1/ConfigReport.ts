// Original file: proto/edgelink.proto


export interface ConfigReport {
  'version'?: (string);
  'applied'?: (boolean);
  'error'?: (string);
}

export interface ConfigReport__Output {
  'version': (string);
  'applied': (boolean);
  'error': (string);
}
