// The outbox's drop reports: ranges of records that left undelivered (budget, TTL, dead letter,
// corrupt, lost), kept on disk until the coordinator has acknowledged past every range in them,
// so "complete up to" at the coordinator can move on and its drop counts match the edge's.
import type { LaneName } from '../../common/lanes.js';
import { encodeJson } from '../../common/level-batch.js';
import { mergeRange, rangeMinEdgeTime } from './budget.js';
import { dropReportKey } from './keys.js';
import type { DropRangeOut, DropReportOut } from './types.js';

export type ReportOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string };

export class DropReportBook {
  private readonly reports = new Map<number, DropReportOut>();
  /** The newest report while no uplink has taken it yet: new drops join it rather than pile up. */
  private open: DropReportOut | undefined;
  private nextId = 1;

  /** Reports found on disk at start-up; they may have been sent already, so none is open. */
  load(reports: readonly DropReportOut[]): void {
    this.reports.clear();
    this.open = undefined;
    for (const report of reports) {
      this.reports.set(report.id, report);
      this.nextId = Math.max(this.nextId, report.id + 1);
    }
  }

  get size(): number {
    return this.reports.size;
  }

  /**
   * Records `ranges` with a write added to `ops`; returns how to undo it in memory if that write
   * fails. While no uplink has taken the open report, ranges merge into it: a long outage
   * evicting a thumbnail per write yields one report with one range, not thousands.
   */
  add(ranges: readonly DropRangeOut[], ops: ReportOp[]): () => void {
    const open = this.open && this.reports.has(this.open.id) ? this.open : undefined;
    if (open) {
      const before = open.ranges.map((r) => ({ ...r }));
      for (const r of ranges) mergeRange(open.ranges, r);
      ops.push(this.putOp(open));
      return () => {
        open.ranges = before;
      };
    }
    const report: DropReportOut = { id: this.nextId++, ranges: [] };
    for (const r of ranges) mergeRange(report.ranges, r);
    this.reports.set(report.id, report);
    this.open = report;
    ops.push(this.putOp(report));
    return () => {
      this.reports.delete(report.id);
      if (this.open === report) this.open = undefined;
    };
  }

  /**
   * Every report the coordinator has not yet acknowledged past (resent after each reconnect).
   * Handing them out seals them: a report the coordinator may have seen never changes.
   */
  handOut(): DropReportOut[] {
    this.open = undefined;
    return [...this.reports.values()];
  }

  /** Deletes the reports whose every range is at or below what the coordinator acknowledged. */
  settle(coordinatorSeq: (lane: LaneName) => number, ops: ReportOp[]): void {
    for (const report of [...this.reports.values()]) {
      if (!report.ranges.every((r) => r.lastSeq <= coordinatorSeq(r.lane))) continue;
      ops.push({ type: 'del', key: dropReportKey(report.id) });
      this.reports.delete(report.id);
      if (this.open === report) this.open = undefined;
    }
  }

  /** Parts of [first, last] of `lane` not covered by a report still waiting for the coordinator. */
  uncovered(lane: LaneName, first: number, last: number): { first: number; last: number }[] {
    const covered = [...this.reports.values()]
      .flatMap((r) => r.ranges)
      .filter((r) => r.lane === lane)
      .sort((a, b) => a.firstSeq - b.firstSeq);
    const gaps: { first: number; last: number }[] = [];
    let next = first;
    for (const r of covered) {
      if (r.lastSeq < next) continue;
      if (r.firstSeq > last) break;
      if (r.firstSeq > next) gaps.push({ first: next, last: r.firstSeq - 1 });
      next = r.lastSeq + 1;
    }
    if (next <= last) gaps.push({ first: next, last });
    return gaps;
  }

  /** Earliest edge time among unsettled ranges of `lane` (0 when a range's time is unknown). */
  earliestEdgeTime(lane: LaneName): number | undefined {
    let t: number | undefined;
    for (const report of this.reports.values()) {
      for (const r of report.ranges) {
        if (r.lane !== lane) continue;
        const min = rangeMinEdgeTime(r);
        t = t === undefined ? min : Math.min(t, min);
      }
    }
    return t;
  }

  private putOp(report: DropReportOut): ReportOp {
    return { type: 'put', key: dropReportKey(report.id), value: encodeJson(report) };
  }
}
