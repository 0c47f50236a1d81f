// Prometheus metrics of one edge agent. One registry per agent instance (tests run several
// agents in one process), passed to components through their constructors.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createEdgeMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'ioc_edge_process_' });
  const r = [registry];
  return {
    registry,
    mqttMessages: new Counter({ name: 'ioc_edge_mqtt_messages_total', help: 'Accepted sensor readings', labelNames: ['sensor'], registers: r }),
    mqttRejects: new Counter({
      name: 'ioc_edge_mqtt_rejects_total',
      help: 'Refused MQTT clients, publishes and payloads, by reason',
      labelNames: ['reason'],
      registers: r,
    }),
    mqttClients: new Gauge({ name: 'ioc_edge_mqtt_clients', help: 'Connected MQTT clients', registers: r }),
    alarms: new Counter({ name: 'ioc_edge_alarms_total', help: 'Alarm transitions', labelNames: ['state'], registers: r }),
    outboxRecords: new Gauge({ name: 'ioc_edge_outbox_records', help: 'Unacknowledged records in the outbox', labelNames: ['lane'], registers: r }),
    outboxBytes: new Gauge({ name: 'ioc_edge_outbox_bytes', help: 'Bytes of unacknowledged records', labelNames: ['lane'], registers: r }),
    outboxOldestAge: new Gauge({
      name: 'ioc_edge_outbox_oldest_age_seconds',
      help: 'Age of the oldest unacknowledged record',
      labelNames: ['lane'],
      registers: r,
    }),
    outboxAppended: new Counter({ name: 'ioc_edge_outbox_appended_total', help: 'Records made durable in the outbox', labelNames: ['lane'], registers: r }),
    outboxDropped: new Counter({
      name: 'ioc_edge_outbox_dropped_total',
      help: 'Records that left the outbox undelivered, by lane and reason (budget, ttl, dead_letter, corrupt)',
      labelNames: ['lane', 'reason'],
      registers: r,
    }),
    outboxWriteErrors: new Counter({ name: 'ioc_edge_outbox_write_errors_total', help: 'Failed outbox writes (disk full, I/O)', registers: r }),
    uplinkConnected: new Gauge({ name: 'ioc_edge_uplink_connected', help: '1 while the Sync stream is up', registers: r }),
    uplinkBytes: new Counter({ name: 'ioc_edge_uplink_bytes_total', help: 'Bytes sent up, by kind of message', labelNames: ['kind'], registers: r }),
    uplinkRecords: new Counter({
      name: 'ioc_edge_uplink_records_acked_total',
      help: 'Records acknowledged by the coordinator',
      labelNames: ['lane'],
      registers: r,
    }),
    uplinkRtt: new Gauge({ name: 'ioc_edge_uplink_rtt_seconds', help: 'Last measured round trip to the coordinator', registers: r }),
    uplinkReconnects: new Counter({
      name: 'ioc_edge_uplink_reconnects_total',
      help: 'Uplink connection attempts after a failure',
      labelNames: ['reason'],
      registers: r,
    }),
    componentRestarts: new Counter({ name: 'ioc_edge_component_restarts_total', help: 'Supervisor restarts', labelNames: ['component'], registers: r }),
    frames: new Counter({ name: 'ioc_edge_camera_frames_total', help: 'Decoded frames', labelNames: ['camera'], registers: r }),
    framesSkipped: new Counter({ name: 'ioc_edge_camera_frames_skipped_total', help: 'Frames dropped by load shedding', labelNames: ['camera'], registers: r }),
    detections: new Counter({ name: 'ioc_edge_detections_total', help: 'Detector boxes kept after filters', labelNames: ['camera', 'label'], registers: r }),
    detectSeconds: new Histogram({
      name: 'ioc_edge_detect_seconds',
      help: 'Detector inference time',
      buckets: [0.05, 0.1, 0.15, 0.2, 0.25, 0.35, 0.5, 1, 2],
      registers: r,
    }),
    cameraEvents: new Counter({
      name: 'ioc_edge_camera_events_total',
      help: 'Camera events by type and phase',
      labelNames: ['camera', 'type', 'phase'],
      registers: r,
    }),
    cameraObjectsHeldBack: new Counter({
      name: 'ioc_edge_camera_objects_held_back_total',
      help: 'Objects over the hourly event budget, reported only in activity summaries',
      labelNames: ['camera', 'label'],
      registers: r,
    }),
    cameraDecodeFps: new Gauge({
      name: 'ioc_edge_camera_decode_fps',
      help: 'Frames decoded per second over the last few seconds',
      labelNames: ['camera'],
      registers: r,
    }),
    cameraDetectFps: new Gauge({
      name: 'ioc_edge_camera_detect_fps',
      help: 'Detector runs per second over the last few seconds',
      labelNames: ['camera'],
      registers: r,
    }),
    cameraOnline: new Gauge({
      name: 'ioc_edge_camera_online',
      help: '1 while frames arrive, 0 once the camera is offline',
      labelNames: ['camera'],
      registers: r,
    }),
    cameraReconnects: new Counter({
      name: 'ioc_edge_camera_reconnects_total',
      help: "Restarts of a camera's ffmpeg reader",
      labelNames: ['camera'],
      registers: r,
    }),
    motionSeconds: new Histogram({
      name: 'ioc_edge_motion_seconds',
      help: 'Motion analysis time per frame (downscale, background, regions)',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05],
      registers: r,
    }),
    thumbnailBytes: new Histogram({
      name: 'ioc_edge_thumbnail_bytes',
      help: 'Encoded thumbnail size',
      buckets: [2048, 4096, 8192, 12288, 16384, 24576],
      registers: r,
    }),
    trafficCrossings: new Counter({
      name: 'ioc_edge_traffic_crossings_total',
      help: 'Objects counted crossing a line',
      labelNames: ['camera', 'line', 'direction'],
      registers: r,
    }),
    detectorQueueDepth: new Gauge({ name: 'ioc_edge_detector_queue_depth', help: 'Crops waiting for a detector worker', registers: r }),
    detectorUp: new Gauge({ name: 'ioc_edge_detector_up', help: '1 while at least one detector worker is ready', registers: r }),
    detectorRestarts: new Counter({
      name: 'ioc_edge_detector_restarts_total',
      help: 'Detector worker restarts (crash, hang, failed load), by error code',
      labelNames: ['reason'],
      registers: r,
    }),
  };
}

export type EdgeMetrics = ReturnType<typeof createEdgeMetrics>;
