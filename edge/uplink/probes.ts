// Link probes of one Sync stream: padding sent up, the coordinator's echo timed. A probe gives
// up after its timeout; one still waiting when the stream ends resolves with no round trip.
import { IocError } from '../../common/errors.js';
import { monoNowMs } from '../../common/time.js';

export interface ProbeResult {
  rttMs: number;
  bytes: number;
}

export interface PendingProbe {
  sentMono: number;
  sentWall: number;
  bytes: number;
  resolve: (r: ProbeResult) => void;
}

export class LinkProbes {
  private readonly pending = new Map<number, PendingProbe>();
  private nextId = 1;

  /** Sends a probe of `paddingBytes` with `write` and resolves when `take` hands out its echo. */
  send(paddingBytes: number, timeoutMs: number, write: (probeId: number) => void): Promise<ProbeResult> {
    const id = this.nextId++;
    return new Promise<ProbeResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new IocError('UNAVAILABLE', 'link probe timed out'));
      }, timeoutMs);
      this.pending.set(id, {
        sentMono: monoNowMs(),
        sentWall: Date.now(),
        bytes: paddingBytes,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
      write(id);
    });
  }

  /** The probe an echo answers, no longer waiting; undefined for an unknown or timed-out one. */
  take(probeId: number): PendingProbe | undefined {
    const probe = this.pending.get(probeId);
    this.pending.delete(probeId);
    return probe;
  }

  /** The stream ended: every waiting probe resolves without a round trip. */
  cancelAll(): void {
    for (const probe of this.pending.values()) probe.resolve({ rttMs: Number.NaN, bytes: probe.bytes });
    this.pending.clear();
  }
}
