// Original file: proto/edgelink.proto


export interface TrafficCountEntry {
  'label'?: (string);
  'direction'?: (string);
  'count'?: (number);
}

export interface TrafficCountEntry__Output {
  'label': (string);
  'direction': (string);
  'count': (number);
}
