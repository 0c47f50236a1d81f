// Prometheus metrics of the coordinator (one registry per instance).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createCoordinatorMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'ioc_coordinator_process_' });
  const r = [registry];
  return {
    registry,
    ingestRecords: new Counter({ name: 'ioc_ingest_records_total', help: 'Records stored, by device and kind', labelNames: ['device', 'kind'], registers: r }),
    ingestDuplicates: new Counter({
      name: 'ioc_ingest_duplicates_total',
      help: 'Records received again and acknowledged without storing',
      labelNames: ['device'],
      registers: r,
    }),
    ingestRejects: new Counter({ name: 'ioc_ingest_rejects_total', help: 'Records or batches refused, by code', labelNames: ['device', 'code'], registers: r }),
    ingestBatchSeconds: new Histogram({
      name: 'ioc_ingest_batch_seconds',
      help: 'Time from batch arrival to durable ack',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: r,
    }),
    ingestQueueBatches: new Gauge({ name: 'ioc_ingest_queue_batches', help: 'Batches received and waiting for their turn to be written', registers: r }),
    ingestQueueDevices: new Gauge({ name: 'ioc_ingest_queue_devices', help: 'Devices with a batch waiting for its turn', registers: r }),
    ingestInflightBatches: new Gauge({
      name: 'ioc_ingest_inflight_batches',
      help: 'Batches being decoded and written (bounded by grpc.ingest_inflight_batches)',
      registers: r,
    }),
    ingestInflightBytes: new Gauge({
      name: 'ioc_ingest_inflight_bytes',
      help: 'Compressed bytes of the batches being decoded and written (bounded by grpc.ingest_inflight_bytes)',
      registers: r,
    }),
    ingestQueueWaitSeconds: new Histogram({
      name: 'ioc_ingest_queue_wait_seconds',
      help: 'Time a batch waited for its turn before being written',
      buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30],
      registers: r,
    }),
    authFailures: new Counter({
      name: 'ioc_edgelink_auth_failures_total',
      help: 'Refused device handshakes and streams',
      labelNames: ['reason'],
      registers: r,
    }),
    devicesOnline: new Gauge({ name: 'ioc_devices_online', help: 'Devices with a live Sync stream', registers: r }),
    deviceLagSeconds: new Gauge({
      name: 'ioc_device_lag_seconds',
      help: 'Age of the oldest record a device has not delivered yet',
      labelNames: ['device'],
      registers: r,
    }),
    deviceBacklogRecords: new Gauge({ name: 'ioc_device_backlog_records', help: 'Records waiting in a device outbox', labelNames: ['device'], registers: r }),
    httpRequests: new Counter({
      name: 'ioc_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: r,
    }),
    httpSeconds: new Histogram({
      name: 'ioc_http_request_seconds',
      help: 'HTTP latency',
      labelNames: ['route'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: r,
    }),
  };
}

export type CoordinatorMetrics = ReturnType<typeof createCoordinatorMetrics>;
