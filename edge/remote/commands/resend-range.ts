// `resend_range {lane, from_seq, to_seq}`: puts dead-lettered records of that range back in
// their lane (e.g. after the coordinator was fixed to accept records it used to reject).
// Acknowledged records are gone from the edge by design; only dead letters can be resent.
import { IocError } from '../../../common/errors.js';
import { LANES, type LaneName } from '../../../common/lanes.js';
import type { CommandHandler } from './command.js';

export const resendRange: CommandHandler = {
  name: 'resend_range',
  async run(args, context) {
    const lane = args.lane as LaneName;
    const from = Number(args.from_seq);
    const to = Number(args.to_seq);
    if (!LANES.includes(lane)) throw new IocError('BAD_REQUEST', `args.lane: one of ${LANES.join(', ')}`);
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 1 || to < from)
      throw new IocError('BAD_REQUEST', 'args.from_seq/to_seq: whole numbers, 1 ≤ from_seq ≤ to_seq');
    const letters = (await context.outbox.listDeadLetters()).filter((d) => d.lane === lane && d.seq >= from && d.seq <= to);
    const resent: { seq: number; newSeq: number }[] = [];
    for (const d of letters) resent.push({ seq: d.seq, newSeq: (await context.outbox.resendDeadLetter(lane, d.seq)).seq });
    return { status: 'done', detail: JSON.stringify({ lane, from, to, resent: resent.length, records: resent.slice(0, 50) }) };
  },
};
