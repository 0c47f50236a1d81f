// `edgectl sensors list | tail [SENSOR]`: configured sensors with their last values, and live
// readings with names and units (like mosquitto_sub, but readable), until Ctrl-C.
import type { Command } from 'commander';
import type { SensorStatus } from '../admin/handlers/status.js';
import type { TailedReading } from '../admin/handlers/sensors.js';
import { action, UsageError } from './command.js';
import { EXIT } from './exit-codes.js';
import { ago, columns } from './output.js';
import { withAgent } from './target.js';
import { interruptSignal } from './interrupt.js';

export function registerSensors(program: Command): void {
  const sensors = program.command('sensors').description('sensors on the local MQTT broker');

  sensors
    .command('list')
    .description('configured sensors, their last value and when it came')
    .addHelpText('after', "\nExamples:\n  edgectl sensors list\n  edgectl sensors list --json | jq '.[] | select(.stale)'")
    .action(
      action(async ({ globals, out }) => {
        const list = await withAgent(globals, (client) => client.call<SensorStatus[]>('sensors.list'));
        out.result(list);
        if (list.length === 0) out.line('no sensors configured');
        const rows = list.flatMap((s) =>
          s.metrics.map((m, i) => [
            i === 0 ? s.id : '',
            i === 0 ? s.type : '',
            m.metric,
            m.value === null ? '—' : `${m.value} ${m.unit}`.trim(),
            m.wallMs ? ago(m.wallMs) : out.c.yellow('no reading yet'),
          ]),
        );
        if (rows.length > 0) for (const row of columns([['SENSOR', 'TYPE', 'METRIC', 'LAST', 'SEEN'].map((h) => out.c.dim(h)), ...rows])) out.line(row);
        return EXIT.OK;
      }),
    );

  sensors
    .command('tail')
    .argument('[sensor]', 'only this sensor')
    .option('-n, --count <n>', 'stop after this many readings')
    .description('live readings with names and units, until Ctrl-C')
    .addHelpText('after', '\nExamples:\n  edgectl sensors tail\n  edgectl sensors tail river-mn-01\n  edgectl sensors tail --json --count 10 > readings.ndjson')
    .action(
      action(async ({ globals, out }, sensor: string | undefined, options: { count?: string }) => {
        const count = options.count === undefined ? undefined : Number(options.count);
        if (count !== undefined && (!Number.isInteger(count) || count < 1)) throw new UsageError('--count must be a whole number ≥ 1');
        const signal = interruptSignal();
        out.note(out.c.dim(`waiting for readings${sensor ? ` of ${sensor}` : ''}… (Ctrl-C to stop)`));
        await withAgent(globals, (client) =>
          client
            .call(
              'sensors.tail',
              { ...(sensor ? { sensor } : {}), ...(count ? { count } : {}) },
              {
                signal,
                onItem: (item) => {
                  const r = item as TailedReading;
                  out.item(r);
                  const time = new Date(r.wallMs).toLocaleTimeString('en-GB', { hour12: false });
                  out.line(
                    `${out.c.dim(time)}  ${out.c.bold(r.sensorId)}${r.name !== r.sensorId ? ` (${r.name})` : ''}  ${r.metric} = ${out.c.cyan(String(r.value))} ${r.unit}`.trimEnd(),
                  );
                },
              },
            )
            .catch((err: unknown) => {
              if (!signal.aborted) throw err;
            }),
        );
        return EXIT.OK;
      }),
    );
}
