// Activity beyond the event budget: the objects of one camera counted per label and per
// interval of the wall clock (aligned, e.g. every 5 minutes), with the best picture of one that
// was not sent as its own event. An interval in which nothing was held back gives no record.
import type { Shot } from './thumbnail.js';
import type { Box } from './types.js';

export interface ActivityInterval {
  label: string;
  startedMs: number;
  endedMs: number;
  /** Objects of this label that became reportable in the interval, sent on their own or not. */
  objects: number;
  /** Of those, sent as their own event. */
  sent: number;
  /** Best median score among those held back. */
  score: number;
  /** The interval's one picture, on the label it shows. */
  shot?: Shot;
  box?: Box;
  trackId: string;
}

interface LabelCounts {
  objects: number;
  sent: number;
  score: number;
}

export class ActivitySummary {
  private startMs: number | undefined;
  private counts = new Map<string, LabelCounts>();
  private best: { label: string; trackId: string; box: Box; shot: Shot } | undefined;

  constructor(private readonly intervalMs: number) {}

  /** An object became reportable: sent as its own event, or held back (counted only). */
  count(label: string, sent: boolean, score: number, wallMs: number): void {
    this.startMs ??= this.alignedStart(wallMs);
    const counts = this.counts.get(label) ?? { objects: 0, sent: 0, score: 0 };
    counts.objects++;
    if (sent) counts.sent++;
    else counts.score = Math.max(counts.score, score);
    this.counts.set(label, counts);
  }

  /** The current best picture of a held-back object; kept if it beats the interval's best. */
  offer(label: string, trackId: string, box: Box, shot: Shot | undefined): void {
    if (!shot || (this.best && this.best.shot.quality >= shot.quality)) return;
    this.best = { label, trackId, box, shot };
  }

  /** Intervals that have ended by `wallMs`; with `final` (camera stopping) the current one too. */
  close(wallMs: number, final = false): ActivityInterval[] {
    if (this.startMs === undefined) return [];
    const out: ActivityInterval[] = [];
    while (this.startMs + this.intervalMs <= wallMs) out.push(...this.closeInterval(this.startMs + this.intervalMs));
    if (final && wallMs > this.startMs) out.push(...this.closeInterval(wallMs));
    return out;
  }

  private closeInterval(endMs: number): ActivityInterval[] {
    const startedMs = this.startMs!;
    const best = this.best;
    const out: ActivityInterval[] = [];
    for (const [label, c] of this.counts) {
      if (c.objects === c.sent) continue; // everything went out as events: nothing to summarise
      const pictured = best?.label === label;
      out.push({
        label,
        startedMs,
        endedMs: endMs,
        objects: c.objects,
        sent: c.sent,
        score: c.score,
        shot: pictured ? best.shot : undefined,
        box: pictured ? best.box : undefined,
        trackId: pictured ? best.trackId : '',
      });
    }
    this.counts = new Map();
    this.best = undefined;
    this.startMs = endMs;
    return out;
  }

  private alignedStart(wallMs: number): number {
    return Math.floor(wallMs / this.intervalMs) * this.intervalMs;
  }
}
