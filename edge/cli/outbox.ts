// `edgectl outbox stats | dead-letter list | dead-letter resend | drain --wait`: the backlog by
// lane, records the coordinator refused, and the backlog draining with a progress bar.
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import type { DeadLetter, OutboxStats } from '../outbox/types.js';
import type { UplinkStatus } from '../uplink/link.js';
import type { DrainProgress } from '../admin/handlers/outbox.js';
import { LANES } from '../../common/lanes.js';
import { action, UsageError } from './command.js';
import { EXIT } from './exit-codes.js';
import { columns, formatBytes, formatCount, formatDuration, type Output } from './output.js';
import { withAgent } from './target.js';
import { interruptSignal } from './interrupt.js';

export function registerOutbox(program: Command): void {
  const outbox = program.command('outbox').description('the store-and-forward backlog');

  outbox
    .command('stats')
    .description('backlog per lane, drops by reason, dead letters')
    .addHelpText('after', '\nExamples:\n  edgectl outbox stats\n  edgectl outbox stats --json | jq .lanes')
    .action(
      action(async ({ globals, out }) => {
        const stats = await withAgent(globals, (client) => client.call<OutboxStats & { uplink: UplinkStatus }>('outbox.stats'));
        out.result(stats);
        const rows = stats.lanes.map((l) => [
          l.lane,
          formatCount(l.records),
          formatBytes(l.bytes),
          l.records > 0 ? formatDuration(l.oldestAgeMs) : '—',
          String(l.dropped.budget),
          String(l.dropped.ttl),
          String(l.dropped.dead_letter),
          String(l.dropped.corrupt),
        ]);
        const head = ['LANE', 'RECORDS', 'BYTES', 'OLDEST', 'DROP:BUDGET', 'DROP:TTL', 'DEAD', 'CORRUPT'].map((h) => out.c.dim(h));
        for (const row of columns([head, ...rows])) out.line(row);
        out.line();
        out.line(
          `total ${formatCount(stats.records)} records, ${formatBytes(stats.bytes)} of ${formatBytes(stats.budgetBytes)} budget; ${stats.deadLetters} dead letters; uplink ${out.state(stats.uplink.state)}`,
        );
        return EXIT.OK;
      }),
    );

  const dead = outbox.command('dead-letter').description('records the coordinator refused repeatedly');
  dead
    .command('list')
    .description("dead letters with the coordinator's reason")
    .addHelpText('after', '\nExamples:\n  edgectl outbox dead-letter list')
    .action(
      action(async ({ globals, out }) => {
        const letters = await withAgent(globals, (client) => client.call<DeadLetter[]>('outbox.dead-letters'));
        out.result(letters);
        if (letters.length === 0) {
          out.line('no dead letters');
          return EXIT.OK;
        }
        const rows = letters.map((l) => [`${l.lane}/${l.seq}`, l.kind, l.code, String(l.rejections), new Date(l.edgeTimeMs).toISOString(), l.reason]);
        for (const row of columns([['RECORD', 'KIND', 'CODE', 'TRIES', 'PRODUCED', 'REASON'].map((h) => out.c.dim(h)), ...rows])) out.line(row);
        out.line(out.c.dim('resend one with: edgectl outbox dead-letter resend <lane>/<seq>  (or --all)'));
        return EXIT.OK;
      }),
    );
  dead
    .command('resend')
    .argument('[record]', 'lane/seq as shown by the list, e.g. event/42')
    .option('--all', 'resend every dead letter')
    .description('put dead letters back in their lane (after the coordinator was fixed)')
    .addHelpText('after', '\nExamples:\n  edgectl outbox dead-letter resend event/42\n  edgectl outbox dead-letter resend --all')
    .action(
      action(async ({ globals, out }, record: string | undefined, options: { all?: boolean }) => {
        let params: Record<string, unknown>;
        if (options.all) params = { all: true };
        else {
          const m = /^([a-z]+)\/(\d+)$/.exec(record ?? '');
          if (!m || !(LANES as readonly string[]).includes(m[1]!))
            throw new UsageError(`give a dead letter as <lane>/<seq> (lanes: ${LANES.join(', ')}), or --all`);
          params = { lane: m[1], seq: Number(m[2]) };
        }
        const result = await withAgent(globals, (client) =>
          client.call<{ resent: { from: { lane: string; seq: number }; to: { lane: string; seq: number } }[] }>('outbox.resend', params),
        );
        out.result(result);
        for (const r of result.resent) out.line(`${r.from.lane}/${r.from.seq} → queued again as ${r.to.lane}/${r.to.seq}`);
        if (result.resent.length === 0) out.line('no dead letters');
        return EXIT.OK;
      }),
    );

  outbox
    .command('drain')
    .option('--wait', 'follow until the backlog is delivered (progress bar, ETA at the current rate)')
    .option('--timeout <seconds>', 'give up waiting after this long', '3600')
    .description('how long the backlog needs to go up the link; --wait follows it to the end')
    .addHelpText(
      'after',
      '\nExit status 1 when --wait times out before the backlog is delivered.\n\nExamples:\n  edgectl outbox drain\n  edgectl outbox drain --wait --timeout 600',
    )
    .action(
      action(async ({ globals, out }, options: { wait?: boolean; timeout: string }) => {
        const timeoutS = Number(options.timeout);
        if (!Number.isFinite(timeoutS) || timeoutS < 1) throw new UsageError('--timeout must be a number of seconds ≥ 1');
        const signal = interruptSignal();
        const bar = options.wait ? new DrainBar(out) : undefined;
        const result = await withAgent(globals, (client) =>
          client
            .call<DrainProgress & { drained: boolean; timedOut?: boolean }>(
              'outbox.drain',
              { timeoutS: options.wait ? timeoutS : 1, intervalMs: 500 },
              {
                signal,
                onItem: (item) => {
                  if (!options.wait) return;
                  out.item(item);
                  bar!.update(item as DrainProgress);
                },
              },
            )
            .catch((err: unknown) => {
              if (signal.aborted) return undefined;
              throw err;
            }),
        );
        bar?.stop();
        if (!result) return EXIT.OK;
        if (!options.wait) {
          out.result(result);
          out.line(`${formatCount(result.records)} records, ${formatBytes(result.bytes)} waiting; uplink ${out.state(result.uplinkState)}`);
          out.line(result.records === 0 ? 'nothing to drain' : 'run with --wait to follow it until it is delivered');
          return EXIT.OK;
        }
        out.item({ done: true, ...result });
        if (result.drained) out.line(out.c.green('backlog delivered'));
        else
          out.line(
            out.c.yellow(`still ${formatCount(result.records)} records (${formatBytes(result.bytes)}) after ${timeoutS} s; uplink ${result.uplinkState}`),
          );
        return result.drained ? EXIT.OK : EXIT.FAILED;
      }),
    );
}

/**
 * The drain as a person watches it: bytes delivered out of the backlog when the command began
 * (growing if records keep arriving), with the ETA from the measured net drain rate.
 */
class DrainBar {
  private readonly bar: cliProgress.SingleBar | undefined;
  private total = 0;
  private started = false;

  constructor(private readonly out: Output) {
    if (out.json) return;
    this.bar = new cliProgress.SingleBar(
      {
        format: `draining ${out.colour ? out.c.cyan('{bar}') : '[{bar}]'} {percentage}% | {remaining} left, {records} records | {rate} | ETA {eta_link} | uplink {state}`,
        barCompleteChar: out.colour ? '\u2588' : '#',
        barIncompleteChar: out.colour ? '\u2591' : '-',
        hideCursor: out.colour,
        stream: process.stdout,
        // Off a terminal (piped, logged) print a line per update instead of redrawing.
        noTTYOutput: true,
        notTTYSchedule: 2000,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  update(p: DrainProgress): void {
    if (!this.bar) return;
    const done = Math.max(0, p.startBytes - p.bytes);
    this.total = Math.max(this.total, p.startBytes, done + p.bytes, 1);
    const payload = {
      remaining: formatBytes(p.bytes),
      records: formatCount(p.records),
      rate: p.drainBytesPerSecond > 0 ? `${formatBytes(p.drainBytesPerSecond)}/s` : 'measuring',
      eta_link: p.records === 0 ? 'done' : p.etaS === null ? (p.uplinkState === 'connected' ? 'measuring' : 'link down') : formatDuration(p.etaS * 1000),
      state: this.out.state(p.uplinkState),
    };
    if (!this.started) {
      this.started = true;
      this.bar.start(this.total, done, payload);
    }
    this.bar.setTotal(this.total);
    this.bar.update(p.records === 0 ? this.total : done, payload);
  }

  stop(): void {
    this.bar?.stop();
  }
}
