// Open-loop HTTP load at a fixed rate, run from a second process so the generator does not share
// the coordinator's event loop. Each request is due at its own slot whatever earlier ones are
// doing, and its latency counts from that slot: queueing shows up instead of being hidden.
import { spawn } from 'node:child_process';
import http from 'node:http';

/** One kind of request in the mix: `share` percent of requests; `url(n, context)` the nth one. */
export interface QueryKind<C> {
  name: string;
  share: number;
  url: (n: number, context: C) => string;
}

export interface LoadResult {
  sent: number;
  /** Answers other than 200, and requests with no answer. */
  errors: number;
  /** Answers by status, non-200 ones with their error code ("503 UNAVAILABLE"); "no answer" for transport errors. */
  statuses: Record<string, number>;
  seconds: number;
  latencies: Record<string, number[]>;
}

/** The kind of the nth request: a fixed spread over the shares, the same on every run. */
export function pickQuery<C>(queries: readonly QueryKind<C>[], n: number): QueryKind<C> {
  let r = (n * 37) % 100;
  for (const q of queries) {
    if (r < q.share) return q;
    r -= q.share;
  }
  return queries[0]!;
}

export interface HttpGetter {
  get(path: string): Promise<{ status: number; body: string }>;
  close(): void;
}

/** GETs over a keep-alive pool of 64 sockets. */
export function httpGetter(base: string, headers: Record<string, string> = {}): HttpGetter {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  return {
    get: (path) =>
      new Promise((resolve, reject) => {
        const req = http.get(`${base}${path}`, { agent, headers }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
      }),
    close: () => agent.destroy(),
  };
}

/**
 * 50 warm-up requests, then `rate` × `seconds` requests on schedule; non-200 answers are errors,
 * counted by status, and latencies are those of the 200 answers.
 */
export async function openLoop<C>(client: HttpGetter, queries: readonly QueryKind<C>[], context: C, rate: number, seconds: number): Promise<LoadResult> {
  for (let n = 0; n < 50; n++) await client.get(pickQuery(queries, n).url(n, context));
  const total = Math.round(rate * seconds);
  const latencies: Record<string, number[]> = {};
  let errors = 0;
  const statuses: Record<string, number> = {};
  const count = (key: string) => {
    statuses[key] = (statuses[key] ?? 0) + 1;
  };
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const q = pickQuery(queries, n);
    inflight.push(
      client.get(q.url(n, context)).then(
        (res) => {
          count(statusKey(res));
          // Latency is of answers served: a quick refusal would otherwise flatter the percentiles.
          if (res.status !== 200) {
            errors++;
            return;
          }
          const series = latencies[q.name] ?? [];
          latencies[q.name] = series;
          series.push(performance.now() - due);
        },
        (err: NodeJS.ErrnoException) => {
          errors++;
          count(`no answer ${err.code ?? err.message}`);
        },
      ),
    );
  }
  await Promise.all(inflight);
  return { sent: total, errors, statuses, seconds: (performance.now() - started) / 1000, latencies };
}

/** "200", or a refusal with the code of its JSON error body: "429 RATE_LIMITED", "503 UNAVAILABLE". */
function statusKey(res: { status: number; body: string }): string {
  if (res.status === 200) return '200';
  const code = /"code":"([A-Z_]+)"/.exec(res.body)?.[1];
  return code ? `${res.status} ${code}` : String(res.status);
}

/** Runs `script` with `args` in a second node process and reads the LoadResult it prints. */
export async function runLoadProcess(script: string, args: string[]): Promise<LoadResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  return JSON.parse(out) as LoadResult;
}
