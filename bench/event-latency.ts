// Latency from an event being produced on the edge (a camera event after its detection, a
// sensor alarm after its threshold) to the coordinator showing it on the live feed, on a clean
// loopback link: a real RTSP camera (street footage), a real agent and coordinator from dist/.
// Prints one JSON object.   node --import tsx bench/event-latency.ts [--seconds 60]
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { projectPath } from '../common/paths.js';
import { RtspCamera } from '../scripts/lib/rtsp-camera.js';
import { startAgent, startCoordinator, VIEWER_TOKEN } from '../test/support/system.js';
import { SseClient } from '../test/support/sse-client.js';
import { latencySummary } from './support/stats.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' } } });
const SECONDS = Number(values.seconds);

async function main(): Promise<void> {
  process.env.LOG_LEVEL ??= 'warn';
  const teardown: (() => unknown)[] = [];
  const t = { teardown: (fn: () => unknown) => teardown.push(fn) };
  const dir = mkdtempSync(join(tmpdir(), 'ioc-latency-'));
  try {
    const camera = await RtspCamera.start({ clip: projectPath('test', 'fixtures', 'vtest-25s.mp4') });
    teardown.push(() => camera.close());
    const coordinator = await startCoordinator(t, { dir, devices: [{ id: 'edge-lat', site: 'tua-chua' }] });
    const agent = await startAgent(t, {
      dir,
      deviceId: 'edge-lat',
      site: 'tua-chua',
      grpcAddress: `127.0.0.1:${coordinator.grpcPort}`,
      bodyYaml: `
sensors:
  - id: river-1
    type: water_level
    credentials: { username: river-1, password: river-1-secret }
    metrics: [{ name: level, unit: m, windows_s: [60] }]
    thresholds: [{ id: flood, metric: level, condition: above, value: 4.5, clear: 4.0 }]
cameras:
  - id: street
    url: ${camera.url}
    rtsp_transport: udp
    zones: [{ id: street, points: [[0, 0], [1, 0], [1, 1], [0, 1]] }]
    rules: [{ type: loitering, zone: street, seconds: 5 }]
`,
    });
    const live = await SseClient.connect(`http://127.0.0.1:${coordinator.httpPort}/api/v1/live`, { authorization: `Bearer ${VIEWER_TOKEN}` });
    teardown.push(() => live.close());
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${agent.brokerPort}`, { username: 'river-1', password: 'river-1-secret' });
    teardown.push(() => client.endAsync());

    const cameraEvents: number[] = [];
    const alarms: number[] = [];
    let seen = 0;
    const deadline = Date.now() + SECONDS * 1000;
    let level = 3.5;
    while (Date.now() < deadline) {
      level = level > 4.6 ? 3.5 : 5; // raise, then clear, every second
      await client.publishAsync('sensors/river-1/level', String(level), { qos: 1 });
      await new Promise((r) => setTimeout(r, 1000));
      for (const e of live.events.slice(seen)) {
        if (e.event !== 'record') continue;
        const row = JSON.parse(e.data) as { kind: string; phase?: string; edgeTimeMs: number };
        const latency = e.at;
        if (row.kind === 'camera_event' && row.phase === 'new') cameraEvents.push(latency - row.edgeTimeMs);
        if (row.kind === 'alarm') alarms.push(latency - row.edgeTimeMs);
      }
      seen = live.events.length;
    }
    process.stdout.write(
      `${JSON.stringify({
        bench: 'event-latency',
        loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
        link: 'loopback, no faults',
        note: 'from the record being made (after detection or threshold) to the row arriving on the coordinator live feed (same clock)',
        cameraEventNew: latencySummary(cameraEvents),
        sensorAlarm: latencySummary(alarms),
        target: 'camera event p95 ≤ 1 s after the detection',
      })}\n`,
    );
  } finally {
    for (const fn of teardown.reverse()) await Promise.resolve(fn()).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/event-latency: ${(err as Error).message}\n`);
  process.exit(1);
});
