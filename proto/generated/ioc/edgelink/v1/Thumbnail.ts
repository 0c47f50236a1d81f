// Original file: proto/edgelink.proto


export interface Thumbnail {
  'event_id'?: (string);
  'camera_id'?: (string);
  'content_type'?: (string);
  'data'?: (Buffer | Uint8Array | string);
  'width'?: (number);
  'height'?: (number);
  'score'?: (number | string);
}

export interface Thumbnail__Output {
  'event_id': (string);
  'camera_id': (string);
  'content_type': (string);
  'data': (Buffer);
  'width': (number);
  'height': (number);
  'score': (number);
}
