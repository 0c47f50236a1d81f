// The edgectl ⇄ agent wire format on the admin socket: newline-delimited JSON envelopes in the
// style of zigbee2mqtt's API. Every request gets exactly one final response; streaming methods
// (sensor tail, drain progress, live preview) send any number of `stream` items before it.

export type RequestId = string | number;

export interface AdminRequest {
  id: RequestId;
  method: string;
  params?: Record<string, unknown>;
}

export type AdminResponse =
  | { id: RequestId | null; status: 'ok'; data: unknown }
  | { id: RequestId | null; status: 'error'; code: string; error: string; details?: unknown }
  | { id: RequestId; status: 'stream'; data: unknown };

/** Config YAML and model bundles travel inside requests; a model is a few MB, base64. */
export const MAX_REQUEST_BYTES = 64 * 1024 * 1024;

export function encodeMessage(message: AdminRequest | AdminResponse): string {
  return `${JSON.stringify(message)}\n`;
}

/** Splits a byte stream into lines; refuses a line longer than the limit instead of buffering it. */
export class LineDecoder {
  private buffer = '';

  constructor(private readonly maxBytes: number = MAX_REQUEST_BYTES) {}

  /** Complete lines in this chunk; throws when the pending line outgrows the limit. */
  push(chunk: string): string[] {
    this.buffer += chunk;
    // A model bundle arrives as one multi-megabyte line in many chunks: only split once it ends.
    if (!chunk.includes('\n')) {
      if (this.buffer.length > this.maxBytes) {
        this.buffer = '';
        throw new RangeError(`message longer than ${this.maxBytes} bytes`);
      }
      return [];
    }
    const lines = this.buffer.split('\n');
    this.buffer = lines.pop() ?? '';
    if (this.buffer.length > this.maxBytes) {
      this.buffer = '';
      throw new RangeError(`message longer than ${this.maxBytes} bytes`);
    }
    return lines.filter((l) => l.trim() !== '');
  }
}

/** Checks the shape of a parsed request; returns a reason when it is not one. */
export function requestProblem(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'a request is a JSON object {id, method, params}';
  const r = value as Partial<AdminRequest>;
  if (typeof r.id !== 'string' && typeof r.id !== 'number') return '"id" must be a string or a number';
  if (typeof r.method !== 'string' || r.method === '') return '"method" must be a non-empty string';
  if (r.params !== undefined && (typeof r.params !== 'object' || r.params === null || Array.isArray(r.params))) return '"params" must be an object';
  return undefined;
}
