// Test hook on the agent's metrics port (test entry point only, see edge-agent.ts): end-to-end
// tests append records of every kind, each carrying the test's own id, and learn the (lane, seq)
// each one got once it is durable.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { RecordKind } from '../../../common/lanes.js';
import type { LocalRouteContext } from '../../../edge/agent.js';
import type { LocalRoute } from '../../../edge/metrics-server.js';
import type { OutboxInput, RecordSink } from '../../../edge/outbox/types.js';

export const RECORD_INJECTOR_PATH = '/test/inject';
const MAX_REQUEST_BYTES = 1024 * 1024;

/**
 * Only on a loopback metrics listener: the route writes records without authentication, so a
 * metrics port opened to the box's LAN must never carry it.
 */
export function injectorAllowedOn(metricsHost: string): boolean {
  return metricsHost === 'localhost' || metricsHost === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(metricsHost);
}

export function recordInjectorRoutes({ metricsHost, sink, logger }: LocalRouteContext): Record<string, LocalRoute> {
  if (!injectorAllowedOn(metricsHost)) {
    logger.error({ host: metricsHost }, 'test injector refused: the metrics port is not on loopback');
    return {};
  }
  return { [RECORD_INJECTOR_PATH]: (req, res) => handleInjectRequest(req, res, sink) };
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
        return {
          alarm: {
            alarm_id: r.id,
            rule_id: 'injected',
            sensor_id: 'injector',
            metric: 'inject',
            state: 'raised',
            severity: 'SEVERITY_HIGH' as const,
            value: index,
            threshold: 0,
            condition: 'above',
          },
        };
      case 'camera_event':
      case 'camera_status':
        return { camera_event: { event_id: r.id, camera_id: 'injector', phase: 'new', type: 'object', label: 'person', score: 0.9, started_ms: edgeTimeMs } };
      case 'thumbnail':
        return {
          thumbnail: {
            event_id: r.id,
            camera_id: 'injector',
            content_type: 'image/jpeg',
            data: randomBytes(r.bytes ?? 8192),
            width: 320,
            height: 240,
            score: 0.9,
          },
        };
      case 'traffic_count':
        return {
          traffic_count: {
            camera_id: 'injector',
            line: r.id,
            interval_start_ms: edgeTimeMs - 60_000,
            interval_end_ms: edgeTimeMs,
            entries: [{ label: 'car', direction: 'in', count: index }],
          },
        };
      case 'notice':
        return { notice: { code: 'INJECTED', severity: 'SEVERITY_INFO' as const, message: r.id } };
      case 'telemetry':
      default:
        return {
          telemetry: {
            sensor_id: 'injector',
            sensor_type: 'test',
            metric: 'inject',
            unit: r.id,
            window_s: 1,
            window_start_ms: edgeTimeMs - 1000,
            window_end_ms: edgeTimeMs,
            count: 1,
            min: index,
            max: index,
            mean: index,
            last: index,
            sum: index,
          },
        };
    }
  })();
  return { kind: r.kind, body, edgeTimeMs };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
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
      if (!Array.isArray(records)) throw new TypeError('records must be an array');
    } catch (err) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: messageOf(err) }));
      return;
    }
    void Promise.all(
      records.map((r, i) => {
        const input = injectedInput(r, i);
        return sink.append(input).then(
          (a): InjectResult => ({ id: r.id, lane: a.lane, seq: a.seq, edgeTimeMs: input.edgeTimeMs!, ...(a.dropped ? { dropped: a.dropped } : {}) }),
          (err: unknown): InjectResult => ({ id: r.id, error: messageOf(err) }),
        );
      }),
    ).then((results) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results })));
  });
}
