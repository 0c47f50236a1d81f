// The API audit trail: every write (who, what, when, outcome) recorded after it is answered.
// Recording never delays or fails the request; writes are batched, and a failed batch is logged
// and retried with the next one.
import { newId } from '../../common/ids.js';
import { errorMessage } from '../../common/errors.js';
import { RateLimitedLog, type Logger } from '../../common/log.js';
import type { AuditStore } from '../store/contract/audit-store.js';
import type { ApiWrite, AuditQuery, AuditRecord } from './types.js';
import { IocError } from '../../common/errors.js';

/** Errors that retrying the same records cannot fix (the database refused their content). */
function isRefusalOfTheData(err: unknown): boolean {
  return err instanceof IocError && (err.code === 'BAD_REQUEST' || err.code === 'VALIDATION' || err.code === 'CONFLICT');
}

/** Held back when the store keeps failing: a flood of refused writes must not exhaust memory. */
const MAX_PENDING = 10_000;

export class AuditTrail {
  private pending: AuditRecord[] = [];
  private flushing: Promise<void> | undefined;
  private readonly rateLimited: RateLimitedLog;

  constructor(
    private readonly store: AuditStore,
    logger: Logger,
  ) {
    this.rateLimited = new RateLimitedLog(logger);
  }

  record(write: ApiWrite): void {
    if (this.pending.length >= MAX_PENDING) {
      this.rateLimited.warn('audit-full', { pending: this.pending.length }, 'audit trail backlog full; dropping the oldest record');
      this.pending.shift();
    }
    this.pending.push({ id: newId(write.atMs), ...write });
    this.flushing ??= this.flush();
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        await this.store.append(batch);
      } catch (err) {
        if (isRefusalOfTheData(err)) {
          await this.appendOneByOne(batch);
          continue;
        }
        this.rateLimited.warn('audit-write', { err: errorMessage(err), records: batch.length }, 'audit records not stored yet; retrying');
        this.pending = [...batch, ...this.pending];
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    this.flushing = undefined;
  }

  /** A batch the store refuses for its content: keep every record it accepts, log the rest. */
  private async appendOneByOne(batch: AuditRecord[]): Promise<void> {
    for (const record of batch) {
      await this.store
        .append([record])
        .catch((err: unknown) =>
          this.rateLimited.warn('audit-refused', { err: errorMessage(err), id: record.id, path: record.path }, 'audit record refused by the store; dropped'),
        );
    }
  }

  /** Waits until everything recorded so far is stored, or `maxMs` passed (close, tests). */
  async settle(maxMs = Number.POSITIVE_INFINITY): Promise<void> {
    const deadline = Date.now() + maxMs;
    while (this.flushing && Date.now() < deadline) {
      await Promise.race([this.flushing, new Promise((r) => setTimeout(r, Math.min(250, Math.max(0, deadline - Date.now()))))]);
    }
  }

  /** Reads what is stored; a store that is down must not hang the request, so waiting is bounded. */
  async list(q: AuditQuery): Promise<{ items: AuditRecord[]; nextCursor: string | null }> {
    await this.settle(2000);
    return this.store.list(q);
  }
}
