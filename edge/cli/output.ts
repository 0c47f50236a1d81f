// How edgectl speaks: human text (colour only on a terminal, never with NO_COLOR) or, with
// --json, exactly one JSON document on stdout that scripts can parse — errors included.
import pc from 'picocolors';

export type Palette = ReturnType<typeof pc.createColors>;

/** Colour on a terminal only; NO_COLOR (any value) and TERM=dumb turn it off, FORCE_COLOR on. */
export function colourWanted(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env, flag?: boolean): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export class Output {
  readonly c: Palette;
  readonly colour: boolean;

  constructor(
    readonly json: boolean,
    colour: boolean,
    private readonly out: NodeJS.WriteStream = process.stdout,
    private readonly err: NodeJS.WriteStream = process.stderr,
  ) {
    this.colour = colour && !json;
    this.c = pc.createColors(this.colour);
  }

  /** The command's result: JSON document in --json mode, else nothing (the caller prints text). */
  result(data: unknown): void {
    if (this.json) this.out.write(`${JSON.stringify(data, null, 2)}\n`);
  }

  /** One JSON object per line for streamed items (tail, drain) in --json mode. */
  item(data: unknown): void {
    if (this.json) this.out.write(`${JSON.stringify(data)}\n`);
  }

  line(text = ''): void {
    if (!this.json) this.out.write(`${text}\n`);
  }

  /** Progress and notes that are not the result: stderr, so piping the result stays clean. */
  note(text: string): void {
    if (!this.json) this.err.write(`${text}\n`);
  }

  error(code: string, message: string, hint?: string): void {
    if (this.json) {
      this.out.write(`${JSON.stringify({ error: message, code, ...(hint ? { hint } : {}) }, null, 2)}\n`);
      return;
    }
    this.err.write(`${this.c.red('error:')} ${message}\n`);
    if (hint) this.err.write(`${this.c.dim('hint:')} ${hint}\n`);
  }

  /** ● in the colour of a health state. */
  state(state: string): string {
    const paint =
      state === 'ok' || state === 'connected' || state === 'pass'
        ? this.c.green
        : state === 'degraded' || state === 'connecting' || state === 'backoff' || state === 'skip'
          ? this.c.yellow
          : this.c.red;
    return paint(`● ${state}`);
  }

  get stdout(): NodeJS.WriteStream {
    return this.out;
  }
}

// ---- formatting ------------------------------------------------------------------------------

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60 ? `${s % 60} s` : ''}`.trim();
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** "12 s ago", or "never" for 0. */
export function ago(wallMs: number, nowMs = Date.now()): string {
  if (!wallMs) return 'never';
  return `${formatDuration(Math.max(0, nowMs - wallMs))} ago`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Left-aligned columns; the widths ignore colour codes. */
export function columns(rows: string[][], gap = 2): string[] {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour escapes, which start with ESC
  const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, visible(cell));
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visible(cell) + gap)))
      .join('')
      .trimEnd(),
  );
}
