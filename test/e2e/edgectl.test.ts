// edgectl against a real running agent over its real admin socket: status fields match what
// the test configured and produced, every command's --json parses, config validate/apply/
// rollback round trip, sensor tail, link test, logs, and the agent-not-running message.
import t from 'tap';
import mqtt from 'mqtt';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { tempDir } from '../support/tmp.js';
import { startAgent, startCoordinator } from '../support/system.js';
import { runNode } from '../support/process.js';
import { edgectl } from '../support/edgectl.js';
import { distEntry } from '../support/build.js';
import { waitFor } from '../support/wait.js';
import { parseEdgeConfig } from '../../common/config/edge-config.js';
import type { AgentStatus } from '../../edge/admin/handlers/status.js';

const SENSORS = `
sensors:
  - id: river-1
    type: water_level
    name: Nậm Ma river gauge
    credentials: { username: river-1, password: river-1-secret }
    metrics: [{ name: level, unit: m, valid_range: [0, 30], windows_s: [2] }]
    thresholds:
      - { id: flood, metric: level, condition: above, value: 4.5, clear: 4.0 }
  - id: rain-1
    type: rain_gauge
    credentials: { username: rain-1, password: rain-1-secret }
    metrics: [{ name: rainfall, unit: mm, windows_s: [60] }]
`;

const ESC = '\x1b[';

t.test('edgectl against a running agent', async (t) => {
  const dir = tempDir(t);
  const coordinator = await startCoordinator(t, { dir, devices: [{ id: 'edge-ctl', site: 'muong-nhe' }] });
  const agent = await startAgent(t, {
    dir,
    deviceId: 'edge-ctl',
    site: 'muong-nhe',
    grpcAddress: `127.0.0.1:${coordinator.grpcPort}`,
    bodyYaml: SENSORS,
    logYaml: 'log: { file: true, level: info, max_file_mb: 1, max_files: 3 }',
    env: { LOG_LEVEL: 'info' },
  });
  const ctl = (args: string[], env: NodeJS.ProcessEnv = {}) => edgectl(agent.configFile, args, env);
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${agent.brokerPort}`, { username: 'river-1', password: 'river-1-secret' });
  t.teardown(() => client.endAsync());
  await client.publishAsync('sensors/river-1/level', '3.25', { qos: 1 });
  let published = 1;
  const connected = await waitFor('uplink connected in status', async () => {
    const s = (await ctl(['status', '--json'])).json<AgentStatus>();
    return s.uplink.state === 'connected' && s.sensors[0]!.metrics[0]!.value !== null ? s : undefined;
  });

  await t.test('status shows what was configured and produced', async (t) => {
    const { revision } = parseEdgeConfig(readFileSync(agent.configFile, 'utf8'));
    const s = connected;
    t.equal(s.device.id, 'edge-ctl');
    t.equal(s.device.site, 'muong-nhe');
    t.equal(s.versions.config, revision, 'config revision is the hash of the file the agent runs');
    t.equal(s.versions.node, process.version);
    t.equal(s.ports.broker, agent.brokerPort);
    t.equal(s.ports.admin, agent.socket);
    t.equal(s.uplink.address, `127.0.0.1:${coordinator.grpcPort}`);
    t.ok(s.uplink.lastAckMs === 0 || s.uplink.lastAckMs <= s.nowMs);
    t.same(
      s.backlog.lanes.map((l) => l.lane),
      ['alarm', 'event', 'telemetry', 'thumbnail'],
    );
    const river = s.sensors.find((x) => x.id === 'river-1')!;
    t.equal(river.name, 'Nậm Ma river gauge');
    t.same(river.metrics[0], { metric: 'level', unit: 'm', value: 3.25, wallMs: river.metrics[0]!.wallMs });
    t.ok(Math.abs(river.lastSeenMs - Date.now()) < 60_000, 'last seen is recent');
    t.equal(s.sensors.find((x) => x.id === 'rain-1')!.metrics[0]!.value, null, 'a silent sensor shows no value');
    t.same(s.cameras, [], 'no cameras configured');
    t.equal(s.detector, null);
    t.same(s.components.map((c) => c.name).sort(), ['admin', 'broker', 'uplink']);
    t.ok(s.system.rssBytes > 10_000_000 && s.system.diskFreeBytes > 0);
    t.equal(s.clock.synced, true, 'the handshake measured the clock offset');
    t.ok(Math.abs(s.clock.offsetMs) < 1000, 'same machine: offset near zero');

    const text = await ctl(['status']);
    t.equal(text.code, 0);
    t.notOk(text.stdout.includes(ESC), 'no colour codes when piped');
    t.match(text.stdout, /edge-ctl · muong-nhe \(muong-nhe\)/);
    t.match(text.stdout, /uplink\s+● connected/);
    t.match(text.stdout, /river-1\s+level 3\.25 m/);
    t.match(text.stdout, /cameras\s+no cameras configured/);
  });

  await t.test('every command has --json output that parses', async (t) => {
    const single = [
      ['status'],
      ['sensors', 'list'],
      ['cameras', 'list'],
      ['outbox', 'stats'],
      ['outbox', 'dead-letter', 'list'],
      ['outbox', 'drain'],
      ['config', 'validate', agent.configFile],
      ['config', 'diff', agent.configFile],
      ['model', 'show'],
    ];
    for (const args of single) {
      const r = await ctl([...args, '--json']);
      t.equal(r.code, 0, `${args.join(' ')} exits 0`);
      t.doesNotThrow(() => r.json(), `${args.join(' ')} --json is one JSON document`);
    }
    const doctor = await ctl(['doctor', '--json']);
    const report = doctor.json<{ checks: { name: string; status: string }[]; failed: number }>();
    t.equal(doctor.code, report.failed > 0 ? 1 : 0, 'doctor exit status follows its failures');
    t.ok(
      report.checks.some((c) => c.name === 'broker' && c.status === 'pass'),
      'doctor sees the broker listening',
    );
    t.ok(
      report.checks.some((c) => c.name === 'coordinator' && c.status === 'pass'),
      'doctor sees the token accepted',
    );
    // Reached by its socket alone, doctor checks the config the agent runs with, not /etc/ioc-edge's.
    const bySocket = await runNode('edge/cli/main.js', ['--socket', agent.socket, 'doctor', '--json'], { IOC_EDGE_CONFIG: undefined });
    const socketReport = JSON.parse(bySocket.stdout) as { checks: { name: string; status: string; detail: string }[] };
    const named = (name: string) => socketReport.checks.find((c) => c.name === name);
    t.match(
      named('config'),
      { status: 'pass', detail: new RegExp(`^${agent.configFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is valid`) },
      "doctor --socket checks the running agent's config file",
    );
    t.match(named('broker'), { status: 'pass' }, 'doctor --socket sees the running broker');
    const streams = [
      ['logs', '-n', '5'],
      ['link', 'test', '--max-bytes', '65536'],
    ];
    for (const args of streams) {
      const r = await ctl([...args, '--json']);
      t.equal(r.code, 0, `${args.join(' ')} exits 0: ${r.stderr}`);
      t.ok(r.lines().length > 0, `${args.join(' ')} --json prints JSON lines`);
    }
    const missing = await ctl(['cameras', 'snapshot', 'cam-x', '--json']);
    t.equal(missing.code, 4, 'an unknown camera is "not found"');
    t.match(missing.json<{ code: string }>(), { code: 'NOT_FOUND' }, 'errors are JSON too');
  });

  await t.test('link test recommends a rate cap below the measured throughput', async (t) => {
    const r = await ctl(['link', 'test', '--max-bytes', '262144', '--json']);
    const lines = r.lines<{ done?: boolean; rttMs: number; throughputKbps: number; recommendedRateKbps: number; steps: { bytes: number }[] }>();
    const result = lines.find((l) => l.done)!;
    t.ok(result.rttMs >= 0 && result.rttMs < 2000);
    t.ok(result.throughputKbps > 0);
    t.equal(result.recommendedRateKbps, Math.max(1, Math.floor(result.throughputKbps * 0.7)));
    t.same(
      result.steps.map((s) => s.bytes),
      [4096, 16384, 65536, 262144],
    );
    const text = await ctl(['link', 'test', '--max-bytes', '16384']);
    t.match(text.stdout, /set uplink\.rate_kbps: \d+/);
  });

  await t.test('sensors tail streams readings with names and units', async (t) => {
    const tail = ctl(['sensors', 'tail', 'river-1', '--count', '2', '--json']);
    // Publish until the tail has its two readings: edgectl's start-up time is not ours to guess.
    const sent: number[] = [];
    let finished = false;
    void tail.finally(() => (finished = true));
    for (let i = 0; !finished && i < 100; i++) {
      const value = 3.5 + i / 100;
      sent.push(value);
      await client.publishAsync('sensors/river-1/level', String(value), { qos: 1 });
      await new Promise((r) => setTimeout(r, 250));
    }
    const r = await tail;
    t.equal(r.code, 0);
    const readings = r.lines<{ sensorId?: string; value?: number; unit?: string; name?: string }>().filter((l) => l.sensorId);
    t.equal(readings.length, 2);
    t.same(
      readings.map((x) => [x.sensorId, x.name, x.unit]),
      [
        ['river-1', 'Nậm Ma river gauge', 'm'],
        ['river-1', 'Nậm Ma river gauge', 'm'],
      ],
    );
    const at = sent.indexOf(readings[0]!.value!);
    t.ok(at >= 0 && sent[at + 1] === readings[1]!.value, 'two consecutive published values, in order');
    published += sent.length;
    const unknown = await ctl(['sensors', 'tail', 'nope']);
    t.equal(unknown.code, 4);
  });

  await t.test('logs are read from the rotating files, filtered by component', async (t) => {
    const r = await ctl(['logs', '--component', 'admin', '--json']);
    const entries = r.lines<{ component: string; msg: string }>();
    t.ok(entries.length > 0 && entries.every((e) => e.component === 'admin'));
    t.ok(entries.some((e) => e.msg === 'admin socket listening'));
    const pretty = await ctl(['logs', '--component', 'uplink', '-n', '3']);
    t.match(pretty.stdout, /INFO\s+uplink\s+uplink connected/);
  });

  await t.test('the /metrics endpoint counts what really happened', async (t) => {
    t.equal(await agent.metric('ioc_edge_mqtt_messages_total', { sensor: 'river-1' }), published, 'every reading published so far');
    await client.publishAsync('sensors/river-1/level', 'not-a-number', { qos: 1 });
    await waitFor('malformed payload counted', async () => (await agent.metric('ioc_edge_mqtt_rejects_total', { reason: 'malformed' })) === 1);
    await waitFor('telemetry acknowledged', async () => (await agent.metric('ioc_edge_uplink_records_acked_total', { lane: 'telemetry' })) >= 1);
    t.ok((await agent.metric('ioc_edge_outbox_appended_total', { lane: 'telemetry' })) >= 1, 'records made durable');
    t.ok((await agent.metric('ioc_edge_uplink_bytes_total', { kind: 'batch' })) > 0, 'batch bytes sent');
    t.ok((await agent.metric('ioc_edge_uplink_bytes_total', { kind: 'control' })) >= 4096 + 16384, 'link test probes counted');
    t.equal(await agent.metric('ioc_edge_uplink_connected'), 1);
    t.equal(await agent.metric('ioc_edge_outbox_dropped_total'), 0);
    t.equal(await agent.metric('ioc_edge_component_restarts_total'), 0);
  });

  await t.test('logs -f follows new lines as the agent writes them', async (t) => {
    const follow = spawn(
      process.execPath,
      [distEntry('edge/cli/main.js'), '--config', agent.configFile, 'logs', '-f', '-n', '1', '--component', 'broker', '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    t.teardown(() => follow.kill('SIGKILL'));
    let output = '';
    follow.stdout.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor('the last broker line printed first', () => output.includes('\n'));
    await client.publishAsync('sensors/river-1/depth', '1.0', { qos: 1 });
    const line = await waitFor('the new warning followed', () =>
      output
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { msg: string; reason?: string })
        .find((e) => e.reason === 'unknown_metric'),
    );
    t.equal(line.msg, 'sensor payload dropped');
    follow.kill('SIGINT');
    t.equal((await once(follow, 'exit'))[0], 0, 'Ctrl-C ends it cleanly');
  });

  await t.test('help has examples and the exit statuses', async (t) => {
    const help = await ctl(['--help']);
    t.equal(help.code, 0);
    t.match(help.stdout, /Examples:\n\s+edgectl status/);
    t.match(help.stdout, /3 {2}the agent is not running/);
    for (const command of ['status', 'doctor', 'cameras', 'sensors', 'outbox', 'config', 'link', 'logs', 'provision', 'model'])
      t.match(help.stdout, new RegExp(`\\n  ${command}\\b`), `${command} is listed`);
    const sub = await ctl(['outbox', 'drain', '--help']);
    t.match(sub.stdout, /Examples:\n\s+edgectl outbox drain/);
    const usage = await ctl(['sensors', 'tail', '--count', 'zero']);
    t.equal(usage.code, 2, 'a bad option value is a usage error');
    t.equal((await ctl(['no-such-command'])).code, 2);
  });

  await t.test('config validate, apply and rollback', async (t) => {
    const original = readFileSync(agent.configFile, 'utf8');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, original.replace('metric: level, condition: above', 'metric: depth, condition: above').replace(/port: \d+ \}/, 'port: 70000 }'));
    const invalid = await ctl(['config', 'validate', bad]);
    t.equal(invalid.code, 2, 'invalid config exits 2');
    t.match(invalid.stdout, /sensors\[0\]\.thresholds\[0\]\.metric: no metric "depth" on this sensor/);
    t.match(invalid.stdout, /broker\.port: /);
    const invalidJson = (await ctl(['config', 'validate', bad, '--json'])).json<{ valid: boolean; issues: string[] }>();
    t.equal(invalidJson.valid, false);
    t.equal(invalidJson.issues.length, 2, 'every error is reported, each with its path');
    const refused = await ctl(['config', 'apply', bad]);
    t.equal(refused.code, 2, 'apply refuses an invalid file');
    t.equal(readFileSync(agent.configFile, 'utf8'), original, 'and leaves the running config alone');

    const next = join(dir, 'next.yaml');
    const nextText =
      original
        .replace('metrics: [{ name: rainfall, unit: mm, windows_s: [60] }]', 'metrics: [{ name: rainfall, unit: mm/h, windows_s: [60] }]')
        .replace('log: { file: true, level: info', 'log: { file: true, level: warn') + 'uplink: { rate_kbps: 256 }\n';
    writeFileSync(next, nextText);
    const diff = (await ctl(['config', 'diff', next, '--json'])).json<{ changes: { path: string; before: unknown; after: unknown }[] }>();
    t.same(diff.changes.map((c) => c.path).sort(), ['log.level', 'sensors[rain-1].metrics[rainfall].unit', 'uplink.rate_kbps']);

    const applied = await ctl(['config', 'apply', next, '--json']);
    t.equal(applied.code, 0, applied.stderr);
    const result = applied.json<{ revision: string; previousRevision: string; restarted: string[]; restartRequired: string[] }>();
    t.same(result.restarted.sort(), ['sensors', 'uplink'], 'only the affected parts restart');
    t.same(result.restartRequired, ['log.level'], 'what cannot reload is named');
    t.equal(readFileSync(agent.configFile, 'utf8'), nextText, 'the new file is in place');
    t.equal(readFileSync(`${agent.configFile}.prev`, 'utf8'), original, 'the previous one kept beside it');
    const after = await waitFor('new config running and uplink back', async () => {
      const s = (await ctl(['status', '--json'])).json<AgentStatus>();
      return s.versions.config === result.revision && s.uplink.state === 'connected' ? s : undefined;
    });
    t.equal(after.uplink.rateKbps, 256);
    t.equal(after.sensors.find((x) => x.id === 'rain-1')!.metrics[0]!.unit, 'mm/h');
    // The rebuilt broker still takes readings on the same port.
    const again = await mqtt.connectAsync(`mqtt://127.0.0.1:${agent.brokerPort}`, { username: 'rain-1', password: 'rain-1-secret' });
    await again.publishAsync('sensors/rain-1/rainfall', '1.5', { qos: 1 });
    await again.endAsync();
    await waitFor('reading through the rebuilt broker', async () => {
      const s = (await ctl(['sensors', 'list', '--json'])).json<AgentStatus['sensors']>();
      return s.find((x) => x.id === 'rain-1')?.metrics[0]?.value === 1.5;
    });

    const back = await ctl(['config', 'rollback', '--json']);
    t.equal(back.code, 0, back.stderr);
    t.equal(back.json<{ revision: string }>().revision, result.previousRevision, 'rollback runs the previous revision');
    t.equal(readFileSync(agent.configFile, 'utf8'), original, 'the original file is back');
    const restored = (await ctl(['status', '--json'])).json<AgentStatus>();
    t.equal(restored.versions.config, result.previousRevision);
    t.equal(restored.uplink.rateKbps, 0);
  });

  await t.test('with the agent stopped: a clear message, exit 3; offline commands still work', async (t) => {
    await agent.proc.stop();
    t.notOk(existsSync(agent.socket), 'the agent removed its socket on the way out');
    const r = await ctl(['status']);
    t.equal(r.code, 3);
    t.match(r.stderr, /the agent is not running \(no socket at .*\); start it with: systemctl start ioc-edge/);
    const j = await ctl(['outbox', 'stats', '--json']);
    t.equal(j.code, 3);
    t.equal(j.json<{ code: string }>().code, 'AGENT_DOWN');
    t.equal((await ctl(['config', 'validate', agent.configFile])).code, 0, 'validate needs no agent');
    t.equal((await ctl(['logs', '-n', '2'])).code, 0, 'logs need no agent');
    const diff = await ctl(['config', 'diff', agent.configFile]);
    t.match(diff.stdout, /agent not running/);
  });
});
