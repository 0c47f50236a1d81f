// Test hook, off unless IOC_EDGE_TEST_INJECTOR=1: end-to-end tests append records of every kind
// through the agent's metrics port, each carrying the test's own id, and learn the (lane, seq)
// each one got once it is durable. Never enable it on a box in the field.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { errorMessage } from '../../common/errors.js';
import type { RecordKind } from '../../common/lanes.js';
import type { OutboxInput, RecordSink } from './types.js';

export const TEST_INJECTOR_ENV = 'IOC_EDGE_TEST_INJECTOR';
export const TEST_INJECTOR_PATH = '/test/inject';
const MAX_REQUEST_BYTES = 1024 * 1024;

/**
 * On only when asked for and only on a loopback metrics listener: the route writes records
 * without authentication, so a metrics port opened to the box's LAN must never carry it.
 */
export function testInjectorEnabled(metricsHost: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return env[TEST_INJECTOR_ENV] === '1' && isLoopback(metricsHost);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export interface InjectedRecord {
  kind: RecordKind;
  /** The producer's id: alarm_id, event_id, telemetry unit, notice message, traffic line. */
  id: string;
  /** Thumbnail image bytes (random, so incompressible like a JPEG); default 8 KiB. */
  bytes?: number;
  edgeTimeMs?: number;
}

export type InjectResult = { id: string; lane: string; seq: number; edgeTimeMs: number; dropped?: string } | { id: string; error: string };

export function injectedInput(r: InjectedRecord, index: number): OutboxInput {
  const edgeTimeMs = r.edgeTimeMs ?? Date.now();
  const body: OutboxInput['body'] = (() => {
    switch (r.kind) {
      case 'alarm':
        return { alarm: { alarm_id: r.id, rule_id: 'injected', sensor_id: 'injector', metric: 'inject', state: 'raised', severity: 'SEVERITY_HIGH' as const, value: index, threshold: 0, condition: 'above' } };
      case 'camera_event':
      case 'camera_status':
        return { camera_event: { event_id: r.id, camera_id: 'injector', phase: 'new', type: 'object', label: 'person', score: 0.9, started_ms: edgeTimeMs } };
      case 'thumbnail':
        return { thumbnail: { event_id: r.id, camera_id: 'injector', content_type: 'image/jpeg', data: randomBytes(r.bytes ?? 8192), width: 320, height: 240, score: 0.9 } };
      case 'traffic_count':
        return { traffic_count: { camera_id: 'injector', line: r.id, interval_start_ms: edgeTimeMs - 60_000, interval_end_ms: edgeTimeMs, entries: [{ label: 'car', direction: 'in', count: index }] } };
      case 'notice':
        return { notice: { code: 'INJECTED', severity: 'SEVERITY_INFO' as const, message: r.id } };
      case 'telemetry':
      default:
        return {
          telemetry: {
            sensor_id: 'injector', sensor_type: 'test', metric: 'inject', unit: r.id, window_s: 1,
            window_start_ms: edgeTimeMs - 1000, window_end_ms: edgeTimeMs, count: 1, min: index, max: index, mean: index, last: index, sum: index,
          },
        };
    }
  })();
  return { kind: r.kind, body, edgeTimeMs };
}

/** POST {records: InjectedRecord[]} → {results: InjectResult[]} once every record is durable. */
export function handleInjectRequest(req: IncomingMessage, res: ServerResponse, sink: RecordSink): void {
  if (req.method !== 'POST') {
    res.writeHead(405).end('POST only\n');
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size > MAX_REQUEST_BYTES) req.destroy();
    else chunks.push(c);
  });
  req.on('end', () => {
    let records: InjectedRecord[];
    try {
      records = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { records: InjectedRecord[] }).records;
      if (!Array.isArray(records)) throw new Error('records must be an array');
    } catch (err) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: errorMessage(err) }));
      return;
    }
    void Promise.all(
      records.map((r, i) => {
        const input = injectedInput(r, i);
        return sink.append(input).then(
          (a): InjectResult => ({ id: r.id, lane: a.lane, seq: a.seq, edgeTimeMs: input.edgeTimeMs!, ...(a.dropped ? { dropped: a.dropped } : {}) }),
          (err: unknown): InjectResult => ({ id: r.id, error: errorMessage(err) }),
        );
      }),
    ).then((results) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results })));
  });
}
