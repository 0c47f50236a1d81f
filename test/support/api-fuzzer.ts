// The API fuzzer shared by test/cloud/api-fuzz.test.ts (a short run per store) and
// bench/fuzz-api.ts (a long run): routes enumerated from the coordinator's own /openapi.json,
// values shaped by each parameter's and body's schema, mutated into garbage, with random methods
// (HEAD too), headers, tokens and tickets, chunked bodies and malformed encodings. A request may
// be refused (4xx) or served (2xx/3xx); it must never get a 5xx or hang. The only 5xx tolerated is
// a 503 by design (a capacity limit, a service not in this build), counted per route; a 503
// STORAGE is a failure, since it means the database choked on the input.
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { ADMIN_TOKEN, OPERATOR_TOKEN, VIEWER_TOKEN, deviceToken } from './system.js';
import { seededRandom } from '../../common/seeded-random.js';
import { EdgeSender, encodeBatch, records } from '../../bench/support/edge-sender.js';

export const FUZZ_DEVICE = 'edge-f';
const DEVICE = FUZZ_DEVICE;
const EVENT_IDS = ['ev-fuzz-1', 'ev-fuzz-2', `${DEVICE}.alarm.1`, `${DEVICE}.telemetry.3`];

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Schema = { [k: string]: unknown };

export interface Operation {
  method: string;
  path: string;
  parameters: { name: string; in: string; required?: boolean; schema?: Schema }[];
  body?: { type: string; schema: Schema };
}

export interface Attempt {
  n: number;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Sent chunked (no Content-Length), in pieces. */
  chunked?: boolean;
  /** Needs a fresh live-feed ticket appended as ?ticket= before it is sent. */
  withTicket?: boolean;
}

export class Fuzzer {
  constructor(
    private readonly random: () => number,
    private readonly components: Record<string, Schema>,
  ) {}

  int(max: number): number {
    return Math.floor(this.random() * max);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  /** Strings that have broken parsers, decoders and databases before. */
  garbage(): string {
    return this.pick([
      '',
      ' ',
      '\u0000',
      'a\u0000b',
      '%00',
      '%',
      '%zz',
      '%E0%A4%A',
      '..',
      '../../etc/passwd',
      '\\',
      '"',
      "'; DROP TABLE events; --",
      '{"a":',
      '[]',
      'null',
      'NaN',
      'Infinity',
      '-1',
      '0',
      '1e309',
      '99999999999999999999999',
      '-9223372036854775809',
      '1.5',
      '0x10',
      'Mường Nhé 🌧',
      '\uD800',
      '\u202E',
      '<script>',
      '${DATABASE_URL}',
      'a'.repeat(this.int(5000)),
      ',,,',
      'a,b,,c',
      '2026-13-45T99:00:00Z',
      'true',
      'undefined',
      '__proto__',
      'constructor',
      EVENT_IDS[this.int(EVENT_IDS.length)]!,
      DEVICE,
      'muong-nhe',
      String(Date.now()),
      randomBytes(this.int(40)).toString('latin1'),
    ]);
  }

  resolve(schema: Schema | undefined): Schema {
    let s = schema ?? {};
    for (let i = 0; i < 10 && typeof s.$ref === 'string'; i++) s = this.components[String(s.$ref).split('/').pop()!] ?? {};
    return s;
  }

  /** A value the schema accepts (usually), or — sometimes — garbage of any type. */
  value(schemaIn: Schema | undefined, depth = 0): Json {
    const schema = this.resolve(schemaIn);
    if (this.chance(0.15) || depth > 6) return this.anyJson(depth + 1);
    const variants = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
    if (variants && variants.length > 0) return this.value(this.pick(variants), depth + 1);
    if (Array.isArray(schema.enum) && this.chance(0.8)) return this.pick(schema.enum as Json[]);
    if (schema.example !== undefined && this.chance(0.3)) return schema.example as Json;
    const type = Array.isArray(schema.type) ? this.pick(schema.type as string[]) : schema.type;
    switch (type) {
      case 'object': {
        const props = (schema.properties ?? {}) as Record<string, Schema>;
        const required = new Set((schema.required ?? []) as string[]);
        const out: { [k: string]: Json } = Object.create(null); // "__proto__" stays a plain key
        for (const [k, v] of Object.entries(props)) if (required.has(k) ? this.chance(0.95) : this.chance(0.6)) out[k] = this.value(v, depth + 1);
        if (this.chance(0.1)) out[this.garbage()] = this.anyJson(depth + 1);
        return out;
      }
      case 'array':
        return Array.from({ length: this.int(this.chance(0.05) ? 3000 : 4) }, () => this.value(schema.items as Schema, depth + 1));
      case 'integer':
        return this.pick([0, 1, -1, 7, 100, 1000, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), Date.now(), this.int(1e6)]);
      case 'number':
        return this.pick([0, -0.5, 1e-9, 3.14, 1e308, -1e308, Date.now(), this.random() * 100]);
      case 'boolean':
        return this.chance(0.5);
      case 'null':
        return null;
      case 'string':
        if (schema.format === 'date-time' && this.chance(0.5)) return new Date(Date.now() - this.int(1e9)).toISOString();
        return this.chance(0.5) ? this.pick([...EVENT_IDS, DEVICE, 'muong-nhe', 'tua-chua', 'alarm', 'high', 'person', 'x']) : this.garbage();
      default:
        return this.anyJson(depth + 1);
    }
  }

  anyJson(depth = 0): Json {
    const r = this.int(depth > 4 ? 4 : 7);
    if (r === 0) return null;
    if (r === 1) return this.chance(0.5);
    if (r === 2) return this.pick([0, -1, 1e308, 2 ** 64, 0.1]);
    if (r === 3) return this.garbage();
    if (r === 4) return Array.from({ length: this.int(4) }, () => this.anyJson(depth + 1));
    const o: { [k: string]: Json } = Object.create(null);
    for (let i = this.int(4); i > 0; i--) o[this.garbage().slice(0, 30)] = this.anyJson(depth + 1);
    return o;
  }

  /** A parameter as it goes on the wire: usually encoded, sometimes raw (broken %-escapes). */
  text(v: Json): string {
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    return this.chance(0.85) ? encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, '?')) : s.replace(/[\s#?/]/g, '').slice(0, 300);
  }

  request(n: number, op: Operation, baseUrl: string): Attempt {
    let path = op.path;
    const query: string[] = [];
    for (const p of op.parameters) {
      if (p.in === 'path') path = path.replace(`{${p.name}}`, this.chance(0.03) ? '' : this.text(this.value(p.schema)));
      else if (p.in === 'query' && (p.required || this.chance(0.5))) query.push(`${p.name}=${this.text(this.paramValue(p))}`);
    }
    // Credentials in the URL: only a fresh ticket may open the live feed; tokens never.
    let withTicket = false;
    if (op.path === '/api/v1/live' && this.chance(0.5)) withTicket = true;
    else if (this.chance(0.05))
      query.push(`${this.pick(['access_token', 'token', 'ticket'])}=${this.text(this.pick([ADMIN_TOKEN, VIEWER_TOKEN, 'x'.repeat(43), this.garbage()]))}`);
    if (this.chance(0.15)) query.push(`${this.text(this.garbage())}=${this.text(this.garbage())}`);
    if (this.chance(0.05)) query.push(...query); // repeated keys
    const headers: Record<string, string> = {};
    const auth = this.random();
    if (auth < 0.55) headers.authorization = `Bearer ${ADMIN_TOKEN}`;
    else if (auth < 0.7) headers.authorization = `Bearer ${this.pick([VIEWER_TOKEN, OPERATOR_TOKEN])}`;
    else if (auth < 0.8)
      headers.authorization = this.pick([
        'Bearer',
        'Basic YWRtaW46YWRtaW4=',
        `Bearer ${'x'.repeat(4000)}`,
        `bearer  ${ADMIN_TOKEN}`,
        `Bearer ${deviceToken(DEVICE)}`,
      ]);
    if (this.chance(0.1)) headers['last-event-id'] = this.pick(['0', '-1', '99999999999999999999', 'abc', '1-2', String(Date.now())]);
    if (this.chance(0.05)) headers.origin = 'http://evil.example';
    if (this.chance(0.05)) headers.accept = this.pick(['text/event-stream', 'application/xml', '*/*', '']);
    let body: string | undefined;
    let method = op.method.toUpperCase();
    if (this.chance(0.05)) method = this.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']);
    else if (method === 'GET' && this.chance(0.1)) method = 'HEAD';
    if (method !== 'GET' && method !== 'HEAD' && (op.body || this.chance(0.2))) {
      const kind = op.body?.type ?? 'application/json';
      if (kind === 'multipart/form-data' && this.chance(0.6)) {
        const boundary = `fuzz${this.int(1e9)}`;
        const fields = Object.entries((this.resolve(op.body?.schema).properties ?? {}) as Record<string, Schema>);
        const parts = fields
          .filter(() => this.chance(0.8))
          .map(([k, s]) => {
            const file = this.resolve(s).format === 'binary' || this.resolve(s).type === 'array';
            return file
              ? `--${boundary}\r\ncontent-disposition: form-data; name="${k}"; filename="x.jpg"\r\ncontent-type: image/jpeg\r\n\r\n${randomBytes(this.int(3000)).toString('latin1')}\r\n`
              : `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${formValue(this.value(s))}\r\n`;
          });
        body = `${parts.join('')}${this.chance(0.9) ? `--${boundary}--\r\n` : ''}`;
        headers['content-type'] = `multipart/form-data; boundary=${this.chance(0.9) ? boundary : 'wrong'}`;
      } else {
        const shaped = this.chance(0.7);
        body = shaped ? JSON.stringify(this.value(op.body?.schema)) : this.pick(['{', '', 'null', '[]', '{"a":1}{"b":2}', '['.repeat(5000), this.garbage()]);
        headers['content-type'] = this.chance(0.85)
          ? 'application/json'
          : this.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'application/json; charset=latin1']);
      }
    }
    // Bodies without a Content-Length (chunked), sometimes far past any limit.
    const chunked = body !== undefined && this.chance(0.2);
    if (chunked && this.chance(0.1)) body += 'x'.repeat(this.pick([70_000, 1_000_000, 3_000_000]));
    const url = `${baseUrl}${path}${query.length > 0 ? `?${query.join('&')}` : ''}`;
    return { n, method, url, headers, body, chunked, withTicket };
  }

  /** A query value; times (open data's from/to) are often pushed to the far past or future. */
  paramValue(p: Operation['parameters'][number]): Json {
    if ((p.name === 'from' || p.name === 'to' || p.name === 'since' || p.name === 'until') && this.chance(0.5)) {
      const year = 365 * 86_400_000;
      return this.pick([
        0,
        1,
        Date.now() - 10 * year,
        Date.now() + 10 * year,
        Date.now() - this.int(40) * 86_400_000,
        8.64e15,
        -8.64e15,
        new Date(Date.now() - this.int(1e10)).toISOString(),
      ]);
    }
    if (p.name === 'step' && this.chance(0.5)) return this.pick([1, 59, 60, 61, 3600, 86_400 * 31, 86_400 * 31 + 1, 2 ** 31]);
    return this.value(p.schema);
  }
}

function formValue(v: Json): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function operations(doc: { paths: Record<string, Record<string, Schema>>; components?: { parameters?: Record<string, Schema> } }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const parameters = ((op.parameters ?? []) as Schema[]).map(
        (p) => (typeof p.$ref === 'string' ? (doc.components?.parameters?.[String(p.$ref).split('/').pop()!] ?? {}) : p) as Operation['parameters'][number],
      );
      const content = ((op.requestBody as Schema | undefined)?.content ?? {}) as Record<string, { schema: Schema }>;
      const type = Object.keys(content)[0];
      ops.push({ method, path: path.replace(/:(\w+)/g, '{$1}'), parameters, body: type ? { type, schema: content[type]!.schema } : undefined });
    }
  }
  return ops;
}

/** Malformed HTTP the fetch API cannot send: the server must answer or close, and live on. */
export async function rawRequests(port: number): Promise<void> {
  const raws = [
    'GET /api/v1/events?%zz HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET /api/v1/events/%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n',
    `GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
    'POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nshort',
    'POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'GARBAGE\r\n\r\n',
    '\u0000\u0001\u0002\r\n\r\n',
    `GET /${'a/'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  ];
  for (const raw of raws) {
    await new Promise<void>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.end(raw));
      socket.setTimeout(3000, () => socket.destroy());
      socket.on('data', () => undefined);
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
    });
  }
}

export async function seed(grpcPort: number): Promise<void> {
  const sender = await EdgeSender.connect(`127.0.0.1:${grpcPort}`, DEVICE, deviceToken(DEVICE));
  try {
    const now = Date.now();
    const batch = [
      ...Array.from({ length: 5 }, (_, i) => records.telemetry(i + 1, now - i * 1000)),
      ...Array.from({ length: 3 }, (_, i) => records.alarm(i + 1, now - i * 1000)),
      records.cameraEvent(1, now, 'ev-fuzz-1', 'new'),
      records.cameraEvent(2, now, 'ev-fuzz-1', 'end'),
      records.cameraEvent(3, now, 'ev-fuzz-2', 'new'),
      records.thumbnail(1, now, 'ev-fuzz-1', randomBytes(500)),
    ];
    const [ack] = await sender.sendAll([encodeBatch(batch, 'COMPRESSION_GZIP')]);
    if (ack?.error || (ack?.rejected.length ?? 0) > 0) throw new Error(`seed refused: ${JSON.stringify(ack)}`);
  } finally {
    sender.close();
  }
}

export interface FuzzRun {
  inputs: number;
  /** 5xx other than a 503 by design, and requests that got no answer. */
  failures: string[];
  /** 503 by design (capacity), by route. */
  unavailable: Map<string, number>;
  statuses: Map<number, number>;
  operations: number;
}

/** Fuzzes a running coordinator at `base` with `requests` inputs, `concurrency` at a time. */
export async function fuzzCoordinator(o: {
  base: string;
  httpPort: number;
  seed: number;
  requests: number;
  concurrency: number;
  maxFailures?: number;
}): Promise<FuzzRun> {
  const doc = (await (await fetch(`${o.base}/openapi.json`)).json()) as Parameters<typeof operations>[0] & {
    components?: { schemas?: Record<string, Schema> };
  };
  const ops = operations(doc);
  const fuzzer = new Fuzzer(seededRandom(o.seed), doc.components?.schemas ?? {});
  const extra: Operation[] = [
    '/',
    '/api/v1',
    '/api/v1/../../etc/passwd',
    '/%00',
    '/api/v1/events/%2e%2e',
    '/api/v2/events',
    '/healthz/../metrics',
    '/metrics',
  ].map((path) => ({ method: 'get', path, parameters: [] }));
  const failures: string[] = [];
  const unavailable = new Map<string, number>();
  const statuses = new Map<number, number>();
  const maxFailures = o.maxFailures ?? 40;
  let next = 0;
  const worker = async () => {
    while (next < o.requests && failures.length < maxFailures) {
      const n = next++;
      const op = n % 20 === 19 ? fuzzer.pick(extra) : ops[n % ops.length]!;
      const attempt = fuzzer.request(n, op, o.base);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 15_000);
      try {
        if (attempt.withTicket) attempt.url += `${attempt.url.includes('?') ? '&' : '?'}ticket=${await ticketFor(o.base)}`;
        const body = attempt.body === undefined ? undefined : attempt.chunked ? chunks(attempt.body) : attempt.body;
        const res = await fetch(attempt.url, {
          method: attempt.method,
          headers: attempt.headers,
          body,
          signal: controller.signal,
          redirect: 'manual',
          ...(attempt.chunked ? { duplex: 'half' } : {}),
        } as RequestInit);
        const streaming = (res.headers.get('content-type') ?? '').includes('text/event-stream');
        const text = streaming ? '' : await res.text();
        if (streaming) await res.body?.cancel();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status < 500) continue;
        const code = /"code":"([A-Z_]+)"/.exec(text)?.[1];
        if (res.status === 503 && code !== 'STORAGE') {
          const key = `${op.method.toUpperCase()} ${op.path}${code ? ` (${code})` : ''}`;
          unavailable.set(key, (unavailable.get(key) ?? 0) + 1);
          continue;
        }
        failures.push(`#${n} ${res.status} ${text.slice(0, 300)}\n    ${JSON.stringify({ ...attempt, body: attempt.body?.slice(0, 500) })}`);
      } catch (err) {
        failures.push(`#${n} no answer (${(err as Error).message})\n    ${JSON.stringify({ ...attempt, body: attempt.body?.slice(0, 500) })}`);
      } finally {
        clearTimeout(timer);
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  await rawRequests(o.httpPort);
  return { inputs: next, failures, unavailable, statuses, operations: ops.length };
}

async function ticketFor(base: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/live/ticket`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return res.status === 201 ? ((await res.json()) as { ticket: string }).ticket : 'no-ticket';
}

/** The body as a stream of 16 KiB pieces: sent chunked, without a Content-Length. */
function chunks(body: string): ReadableStream<Uint8Array> {
  const bytes = Buffer.from(body, 'latin1');
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(new Uint8Array(bytes.subarray(at, at + 16_384)));
      at += 16_384;
    },
  });
}
