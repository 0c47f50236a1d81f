// A real RTSP camera: shared with the demo and the benches (scripts/lib/rtsp-camera.ts).
export { RtspCamera, type RtspCameraOptions } from '../../scripts/lib/rtsp-camera.js';
export { freePort } from '../../scripts/lib/ports.js';
