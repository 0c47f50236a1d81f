// Refused records: retried until the coordinator has refused one maxRejections times, then moved
// to a dead letter (dead-letters.ts is its stored form) that an operator can list and resend.
import type { LaneName } from '../../common/lanes.js';
import { IocError, NotFoundError, ValidationError } from '../../common/errors.js';
import { recordKey, deadLetterKey, DEAD_LETTER_RANGE } from './keys.js';
import { peekTimes } from './record-value.js';
import { plausibleTime } from './recovery.js';
import { ENC, type BatchOp } from './database.js';
import { encodeDeadLetter, describeDeadLetter, deadLetterInput } from './dead-letters.js';
import type { OutboxContext } from './context.js';
import type { AppendResult, DeadLetter, OutboxInput } from './types.js';

export class DeadLetterBox {
  /** Refusals so far of each record not yet dead-lettered, by `${lane}:${seq}`. */
  private readonly rejections = new Map<string, number>();
  private readonly resending = new Set<string>();
  count = 0;

  constructor(
    private readonly ctx: OutboxContext,
    /** Appends a record, with `extraOps` in the same atomic batch. */
    private readonly append: (input: OutboxInput, extraOps: BatchOp[]) => Promise<AppendResult>,
  ) {}

  /** A record the coordinator refused: retried, then dead-lettered after maxRejections. */
  async reject(lane: LaneName, seq: number, code: string, reason: string): Promise<'retry' | 'dead_lettered' | 'gone'> {
    const { ctx } = this;
    const state = ctx.lanes.find(lane);
    if (!state || seq <= state.ackedSeq) return 'gone';
    const key = recordKey(lane, seq);
    const value = await ctx.database.db.get(key, ENC);
    if (!value) return 'gone';
    const count = (this.rejections.get(`${lane}:${seq}`) ?? 0) + 1;
    this.rejections.set(`${lane}:${seq}`, count);
    if (count < (ctx.options.maxRejections ?? 5)) {
      state.retry.add(seq);
      return 'retry';
    }
    this.rejections.delete(`${lane}:${seq}`);
    const edgeTimeMs = plausibleTime(peekTimes(value)?.edgeTimeMs);
    const ops: BatchOp[] = [
      {
        type: 'put',
        key: deadLetterKey(lane, seq),
        value: encodeDeadLetter({ lane, seq, code, reason, rejections: count, deadLetteredAtMs: ctx.wallNow(), edgeTimeMs }, value),
      },
    ];
    const drop = ctx.ledger.stage(
      'dead_letter',
      [{ lane, firstSeq: seq, lastSeq: seq, firstEdgeTimeMs: edgeTimeMs, lastEdgeTimeMs: edgeTimeMs }],
      [{ lane, seq, size: key.length + value.length }],
      ops,
    );
    await ctx.database.write(ops);
    this.count++;
    drop.counted();
    ctx.log.warn({ lane, seq, code, reason, rejections: count }, 'record dead-lettered after repeated rejection');
    await ctx.lanes.refreshHead(ctx.database.db, lane);
    ctx.publishGauges();
    return 'dead_lettered';
  }

  /** The coordinator has every record of `lane` up to `seq`: their refusals no longer matter. */
  forget(lane: LaneName, seq: number): void {
    for (const k of this.rejections.keys()) if (k.startsWith(`${lane}:`) && Number(k.slice(lane.length + 1)) <= seq) this.rejections.delete(k);
  }

  async list(): Promise<DeadLetter[]> {
    const out: DeadLetter[] = [];
    for await (const [key, value] of this.ctx.database.db.iterator({ ...DEAD_LETTER_RANGE, ...ENC })) {
      const letter = describeDeadLetter(value);
      if (letter) out.push(letter);
      else this.ctx.rateLimited.warn('bad-letter', { key }, 'unreadable dead letter entry skipped');
    }
    return out;
  }

  /**
   * Puts a dead letter back in its lane as a new record (new seq, original edge time). The new
   * record and the letter's removal are one atomic write: a crash never leaves both.
   */
  async resend(lane: LaneName, seq: number): Promise<AppendResult> {
    const key = deadLetterKey(lane, seq);
    if (this.resending.has(key)) throw new IocError('CONFLICT', `dead letter ${lane}/${seq} is being resent`);
    this.resending.add(key);
    try {
      const raw = await this.ctx.database.db.get(key, ENC);
      if (!raw) throw new NotFoundError(`dead letter ${lane}/${seq}`);
      const input = deadLetterInput(raw);
      if (!input) throw new ValidationError(`dead letter ${lane}/${seq} is corrupt and cannot be resent`);
      const result = await this.append(input, [{ type: 'del', key }]);
      this.count = Math.max(0, this.count - 1);
      return result;
    } finally {
      this.resending.delete(key);
    }
  }
}
