// Original file: proto/edgelink.proto


export interface BoundingBox {
  'x'?: (number | string);
  'y'?: (number | string);
  'w'?: (number | string);
  'h'?: (number | string);
}

export interface BoundingBox__Output {
  'x': (number);
  'y': (number);
  'w': (number);
  'h': (number);
}
