// The outbox's LevelDB handle: one state change at a time, writes fsync'd unless said otherwise,
// and retired at the first failed write (disk full, I/O error). After such a failure LevelDB's
// log may end in a partial record; writing on would put good records behind it that recovery
// could drop. So nothing is written until a reopen has replayed the log, retried with backoff.
import type { ClassicLevel } from 'classic-level';
import { StorageError, errorMessage } from '../../common/errors.js';
import type { Logger, RateLimitedLog } from '../../common/log.js';
import { writeLevelBatch } from '../../common/level-batch.js';

export type Db = ClassicLevel<string, Uint8Array>;
export type BatchOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string };
/** Keys are strings, values raw bytes: every read and iteration of the outbox uses this. */
export const ENC = { keyEncoding: 'utf8', valueEncoding: 'view' } as const;

const REOPEN_FIRST_DELAY_MS = 1000;
export const REOPEN_MAX_DELAY_MS = 30_000;

export interface OutboxDatabaseHooks {
  log: Logger;
  rateLimited: RateLimitedLog;
  /** Counts a failed write (metrics). */
  onWriteError(): void;
  /** Reports the stalled state (metrics). */
  onStalled(stalled: boolean): void;
  /** Opens the database again; calls `use` with the new handle before writing through it. */
  reopen(use: (db: Db) => void): Promise<void>;
}

export class OutboxDatabase {
  private chain: Promise<unknown> = Promise.resolve();
  private stalledReason: string | undefined;
  private reopenTimer: NodeJS.Timeout | undefined;
  private closed = false;
  writeErrors = 0;

  constructor(
    private current: Db,
    private readonly hooks: OutboxDatabaseHooks,
  ) {}

  get db(): Db {
    return this.current;
  }

  /** Why writes are refused until the reopen; undefined when they are not. */
  get stalled(): string | undefined {
    return this.stalledReason;
  }

  assertWritable(): void {
    if (this.stalledReason) throw new StorageError(`outbox cannot write: ${this.stalledReason}`);
  }

  async write(ops: BatchOp[], sync = true): Promise<void> {
    if (ops.length === 0) return;
    this.assertWritable();
    try {
      await writeLevelBatch(this.current, ops, sync);
    } catch (err) {
      this.writeFailed(err);
      throw new StorageError(`outbox write failed: ${errorMessage(err)}`, err);
    }
  }

  /** Serializes every state change: the outbox's in-memory counters mirror what is on disk. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private writeFailed(err: unknown): void {
    this.writeErrors++;
    this.hooks.onWriteError();
    if (this.closed || this.stalledReason) return;
    this.stalledReason = errorMessage(err);
    this.hooks.onStalled(true);
    this.hooks.log.error({ err: this.stalledReason }, 'outbox write failed (disk full or I/O error); refusing writes until it reopens');
    this.scheduleReopen(REOPEN_FIRST_DELAY_MS);
  }

  private scheduleReopen(delayMs: number): void {
    clearTimeout(this.reopenTimer);
    this.reopenTimer = setTimeout(() => {
      void this.exclusive(() => this.reopen()).catch((err: unknown) => {
        this.hooks.rateLimited.warn('reopen', { err: errorMessage(err) }, 'outbox still cannot reopen; retrying');
        if (!this.closed) this.scheduleReopen(Math.min(REOPEN_MAX_DELAY_MS, delayMs * 2));
      });
    }, delayMs);
    this.reopenTimer.unref();
  }

  private async reopen(): Promise<void> {
    if (this.closed) return;
    await this.current.close().catch(() => undefined);
    try {
      await this.hooks.reopen((db) => {
        this.current = db;
        this.stalledReason = undefined;
      });
    } catch (err) {
      this.stalledReason ??= errorMessage(err);
      throw err;
    }
    this.hooks.onStalled(false);
  }

  /** Runs `last` (e.g. the clean-shutdown mark) after every queued change, then closes. */
  async close(last: (db: Db, writable: boolean) => Promise<void>): Promise<void> {
    this.closed = true;
    clearTimeout(this.reopenTimer);
    await this.exclusive(async () => {
      await last(this.current, !this.stalledReason).catch(() => undefined);
      await this.current.close().catch(() => undefined);
    });
  }
}
