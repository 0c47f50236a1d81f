// `edgectl link test`: measures the round trip and throughput to the coordinator through the
// agent's live uplink and says what uplink.rate_kbps should be.
import type { Command } from 'commander';
import type { LinkStep } from '../admin/handlers/link.js';
import { action } from './command.js';
import { EXIT } from './exit-codes.js';
import { formatBytes } from './output.js';
import { withAgent } from './target.js';
import { interruptSignal } from './interrupt.js';

interface LinkResult {
  address: string;
  rttMs: number;
  throughputKbps: number | null;
  currentRateKbps: number;
  recommendedRateKbps: number | null;
  share: number;
  steps: LinkStep[];
}

export function registerLink(program: Command): void {
  const link = program.command('link').description('the uplink to the coordinator');
  link
    .command('test')
    .option('--max-bytes <n>', 'largest probe', String(1024 * 1024))
    .description('round trip and throughput to the coordinator, and the rate cap to configure')
    .addHelpText(
      'after',
      '\nSends probes of growing size up the live link (4 KB, 16 KB, … until one takes ~8 s).\nOn a satellite link this uses a few hundred KB of the data budget.\n\nExamples:\n  edgectl link test\n  edgectl link test --max-bytes 65536',
    )
    .action(
      action(async ({ globals, out }, options: { maxBytes: string }) => {
        const signal = interruptSignal();
        out.note(out.c.dim('probing the link…'));
        const result = await withAgent(globals, (client) =>
          client.call<LinkResult>(
            'link.test',
            { maxBytes: Number(options.maxBytes) },
            {
              signal,
              onItem: (item) => {
                const step = item as LinkStep;
                out.item(step);
                out.line(step.bytes === 0 ? `round trip ${step.rttMs} ms` : `${formatBytes(step.bytes).padStart(8)} in ${step.rttMs} ms → ${step.kbps} kbit/s`);
              },
            },
          ),
        );
        out.item({ done: true, ...result });
        out.line();
        out.line(`coordinator ${result.address}: RTT ${result.rttMs} ms, throughput ${result.throughputKbps ?? '—'} kbit/s`);
        if (result.recommendedRateKbps !== null) {
          out.line(
            `set ${out.c.bold(`uplink.rate_kbps: ${result.recommendedRateKbps}`)} (${Math.round(result.share * 100)} % of the measured throughput; now ${result.currentRateKbps || 'unlimited'})`,
          );
        }
        return EXIT.OK;
      }),
    );
}
