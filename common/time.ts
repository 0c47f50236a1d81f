// Clocks. Ages and timeouts use monotonic time; wall-clock time is only for timestamps shown
// to people, and the edge always records how far its wall clock is from the coordinator's.
import { mkdirSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Milliseconds from an arbitrary origin; never jumps with NTP or the RTC. */
export function monoNowMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n);
}

interface ClockFile {
  agentMs: number;
  wallMs: number;
}

/**
 * The agent clock: monotonic within a run and never backwards across restarts.
 * Edge boxes boot with a wrong RTC and jump after NTP, so record ages (TTL) cannot use wall time.
 * Across a restart the clock adds the wall time that passed while the agent was down, but only
 * when the wall clock moved forward; a box that boots in 1970 adds nothing rather than decades.
 */
export class AgentClock {
  private readonly baseAgentMs: number;
  private readonly monoAtStart = monoNowMs();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string | undefined,
    wallNow: () => number = Date.now,
  ) {
    const saved = file ? readClockFile(file) : undefined;
    if (!saved) {
      this.baseAgentMs = 0;
    } else {
      const downMs = wallNow() - saved.wallMs;
      this.baseAgentMs = saved.agentMs + (downMs > 0 && downMs < 365 * 86_400_000 ? downMs : 0);
    }
    this.wallNow = wallNow;
  }

  private readonly wallNow: () => number;

  now(): number {
    return this.baseAgentMs + (monoNowMs() - this.monoAtStart);
  }

  /** Persist periodically so a power cut loses at most one interval of agent time. */
  startPersisting(intervalMs = 10_000): void {
    if (!this.file || this.timer) return;
    this.persist();
    this.timer = setInterval(() => this.persist(), intervalMs);
    this.timer.unref();
  }

  persist(): void {
    if (!this.file) return;
    writeFileAtomic(this.file, JSON.stringify({ agentMs: this.now(), wallMs: this.wallNow() } satisfies ClockFile));
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    try {
      this.persist();
    } catch {
      // data dir gone (tests tearing down): nothing left to protect
    }
  }
}

function readClockFile(file: string): ClockFile | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<ClockFile>;
    if (typeof parsed.agentMs === 'number' && typeof parsed.wallMs === 'number' && parsed.agentMs >= 0) {
      return { agentMs: parsed.agentMs, wallMs: parsed.wallMs };
    }
  } catch {
    // missing or torn file: start the agent clock from zero
  }
  return undefined;
}

/** Write-then-rename with fsync, so a power cut leaves either the old or the new file. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/**
 * Offset of the coordinator's clock from the edge's, estimated NTP-style from request/response
 * exchanges: offset = ((t2 - t1) + (t3 - t4)) / 2. Of the recent samples, the one with the
 * shortest round trip wins: it has the least room for asymmetric queueing (a 2G link's uplink
 * buffer can hold seconds).
 */
export class ClockOffset {
  private samples: { offsetMs: number; rttMs: number }[] = [];
  private best: { offsetMs: number; rttMs: number } | undefined;

  constructor(private readonly keep = 8) {}

  /** t1 edge send, t2 coordinator receive, t3 coordinator send, t4 edge receive (wall ms). */
  update(t1: number, t2: number, t3: number, t4: number): void {
    const rttMs = Math.max(0, t4 - t1 - Math.max(0, t3 - t2));
    const offsetMs = Math.round((t2 - t1 + (t3 - t4)) / 2);
    this.samples.push({ offsetMs, rttMs });
    if (this.samples.length > this.keep) this.samples.shift();
    this.best = this.samples.reduce((a, b) => (b.rttMs < a.rttMs ? b : a));
  }

  get offsetMs(): number {
    return this.best?.offsetMs ?? 0;
  }
  get synced(): boolean {
    return this.best !== undefined;
  }
  get lastRttMs(): number {
    return this.samples.at(-1)?.rttMs ?? 0;
  }
}
