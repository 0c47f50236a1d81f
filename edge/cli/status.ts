// `edgectl status`: one screen with what a technician checks first on arrival.
import type { Command } from 'commander';
import type { AgentStatus } from '../admin/handlers/status.js';
import { action } from './command.js';
import { EXIT } from './exit-codes.js';
import { ago, columns, formatBytes, formatCount, formatDuration, type Output } from './output.js';
import { withAgent } from './target.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('one screen: identity, uplink and backlog, cameras, sensors, components, box, clock')
    .addHelpText('after', '\nExamples:\n  edgectl status\n  edgectl status --json | jq .uplink')
    .action(
      action(async ({ globals, out }) => {
        const status = await withAgent(globals, (client) => client.call<AgentStatus>('status', {}, { timeoutMs: 15_000 }));
        out.result(status);
        if (!out.json) printStatus(out, status);
        return EXIT.OK;
      }),
    );
}

const LABEL = 11;
const label = (out: Output, text: string) => out.c.bold(text.padEnd(LABEL));
const indent = ' '.repeat(LABEL);

export function printStatus(out: Output, s: AgentStatus): void {
  const { c } = out;
  const now = s.nowMs;
  out.line(
    `${label(out, 'ioc-edge')}${c.bold(s.device.id)} · ${s.device.siteName} (${s.device.site})${s.device.district ? ` · ${s.device.district}` : ''}   up ${formatDuration(s.uptimeS * 1000)}`,
  );
  out.line(`${label(out, 'versions')}software ${s.versions.software} · config ${s.versions.config} · node ${s.versions.node}`);
  out.line();

  const u = s.uplink;
  const linkBits = [out.state(u.state), u.address];
  if (u.state === 'connected') {
    linkBits.push(`last ack ${ago(u.lastAckMs, now)}`, `RTT ${u.rttMs} ms`);
    if (u.throughputBytesPerSecond > 0) linkBits.push(`${Math.round((u.throughputBytesPerSecond * 8) / 1000)} kbit/s`);
  } else if (u.lastError) linkBits.push(c.red(u.lastError));
  linkBits.push(`cap ${u.rateKbps > 0 ? `${u.rateKbps} kbit/s` : 'none'}`);
  out.line(`${label(out, 'uplink')}${linkBits.join(' · ')}`);

  const b = s.backlog;
  const share = b.budgetBytes > 0 ? ` (${((b.bytes / b.budgetBytes) * 100).toFixed(1)} % of ${formatBytes(b.budgetBytes)})` : '';
  out.line(
    `${label(out, 'backlog')}${formatCount(b.records)} records · ${formatBytes(b.bytes)}${share} · oldest ${b.records > 0 ? formatDuration(b.oldestAgeMs) : '—'}`,
  );
  out.line(`${indent}${b.lanes.map((l) => `${l.lane} ${formatCount(l.records)}`).join(' · ')}`);
  const drops = b.lanes.filter((l) => l.dropped.budget + l.dropped.ttl + l.dropped.dead_letter + l.dropped.corrupt > 0);
  const dropText =
    drops.length === 0
      ? c.green('none')
      : drops
          .map(
            (l) =>
              `${l.lane}: ${(['budget', 'ttl', 'dead_letter', 'corrupt'] as const)
                .filter((r) => l.dropped[r] > 0)
                .map((r) => `${r} ${l.dropped[r]}`)
                .join(', ')}`,
          )
          .join(' · ');
  out.line(
    `${label(out, 'dropped')}${dropText}${b.deadLetters > 0 ? ` · ${c.yellow(`${b.deadLetters} dead letters (edgectl outbox dead-letter list)`)}` : ''}`,
  );
  out.line();

  if (s.cameras.length === 0) out.line(`${label(out, 'cameras')}${c.dim('no cameras configured')}`);
  else {
    const rows = s.cameras.map((cam) => [
      cam.id,
      out.state(cam.online ? cam.state : 'offline'),
      cam.online ? `${cam.decodeFps} fps (detect ${cam.detectFps})` : cam.detail,
      cam.lastEvent
        ? `last event ${ago(cam.lastEvent.wallMs, now)}: ${[cam.lastEvent.type, cam.lastEvent.label, cam.lastEvent.rule].filter(Boolean).join(' ')}`
        : 'no events yet',
      cam.restarts + cam.reconnects > 0 ? c.yellow(`${cam.reconnects} reconnects`) : '',
    ]);
    columns(rows).forEach((row, i) => {
      out.line(`${i === 0 ? label(out, 'cameras') : indent}${row}`);
    });
  }
  if (s.detector)
    out.line(
      `${label(out, 'detector')}${out.state(s.detector.state)} ${s.detector.backend || ''} · model ${s.detector.model} · ${s.detector.detail}${s.detector.restarts > 0 ? c.yellow(` · ${s.detector.restarts} restarts`) : ''}`,
    );

  if (s.sensors.length === 0) out.line(`${label(out, 'sensors')}${c.dim('no sensors configured')}`);
  else {
    const rows = s.sensors.map((sensor) => [
      sensor.id,
      sensor.metrics.map((m) => (m.value === null ? `${m.metric} —` : `${m.metric} ${m.value} ${m.unit}`.trim())).join(', '),
      sensor.lastSeenMs ? (sensor.stale ? c.yellow(ago(sensor.lastSeenMs, now)) : ago(sensor.lastSeenMs, now)) : c.yellow('no reading yet'),
    ]);
    columns(rows).forEach((row, i) => {
      out.line(`${i === 0 ? label(out, 'sensors') : indent}${row}`);
    });
  }
  out.line(
    `${label(out, 'alarms')}${s.alarms.length === 0 ? c.green('none active') : c.red(s.alarms.map((a) => `${a.key} since ${ago(a.raisedAtMs, now)}`).join(' · '))}`,
  );
  out.line();

  const comp = s.components.map((h) => `${h.name} ${out.state(h.state)}${h.restarts > 0 ? c.yellow(` (${h.restarts} restarts)`) : ''}`);
  out.line(`${label(out, 'components')}${comp.join(' · ')}`);
  const failing = s.components.filter((h) => h.state !== 'ok');
  for (const h of failing) out.line(`${indent}${h.name}: ${h.detail}`);
  out.line(
    `${label(out, 'box')}CPU ${s.system.cpuPercent} % · RSS ${formatBytes(s.system.rssBytes)} · disk free ${formatBytes(s.system.diskFreeBytes)} · load ${s.system.loadAverage.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const offset = `${s.clock.offsetMs >= 0 ? '+' : ''}${s.clock.offsetMs} ms`;
  out.line(`${label(out, 'clock')}offset ${offset} from the coordinator ${s.clock.synced ? '(measured)' : c.yellow('(not measured yet)')}`);
}
