// The supervisor with real components that fail the way agent parts do: a start that throws a
// few times, a component reporting its own failure, a stop that hangs, a rebuilt replacement.
import t from 'tap';
import { Supervisor } from '../../edge/supervisor.js';
import { createEdgeMetrics } from '../../edge/metrics.js';
import type { Component, ComponentHealthReport } from '../../edge/component.js';
import { waitFor } from '../support/wait.js';

class Part implements Component {
  starts = 0;
  stops = 0;
  running = false;
  failStarts = 0;
  hangStop = false;
  constructor(readonly name: string) {}
  async start(): Promise<void> {
    this.starts++;
    if (this.failStarts > 0) {
      this.failStarts--;
      throw new Error(`${this.name} cannot start`);
    }
    this.running = true;
  }
  async stop(): Promise<void> {
    this.stops++;
    this.running = false;
    if (this.hangStop) await new Promise(() => undefined);
  }
  health(): ComponentHealthReport {
    return { name: this.name, state: this.running ? 'ok' : 'down', detail: '', lastSeenMs: 0 };
  }
}

const fast = { initialMs: 20, maxMs: 80, stopTimeoutMs: 200 };
const restartsMetric = async (metrics: ReturnType<typeof createEdgeMetrics>, component: string) =>
  (await metrics.componentRestarts.get()).values.find((v) => v.labels.component === component)?.value ?? 0;

t.test('a component that fails to start is retried with backoff until it runs; others are untouched', async (t) => {
  const metrics = createEdgeMetrics();
  const supervisor = new Supervisor(metrics, undefined, fast);
  const camera = new Part('camera:gate');
  const broker = new Part('broker');
  camera.failStarts = 3;
  supervisor.add(broker);
  supervisor.add(camera);
  await supervisor.startAll();
  t.equal(broker.running, true, 'the broker starts although the camera does not');
  t.equal(supervisor.health().find((h) => h.name === 'camera:gate')!.state, 'down');
  await waitFor('camera running', () => camera.running);
  t.equal(camera.starts, 4);
  t.equal(supervisor.restartsOf('camera:gate'), 3);
  t.equal(await restartsMetric(metrics, 'camera:gate'), 3, 'each restart counted in metrics');
  t.equal(broker.starts, 1);
  t.equal(supervisor.health().find((h) => h.name === 'camera:gate')!.restarts, 3, 'and in health');
  await supervisor.stopAll();
});

t.test('failed() restarts a running component once, however often it is reported', async (t) => {
  const metrics = createEdgeMetrics();
  const supervisor = new Supervisor(metrics, undefined, fast);
  const uplink = new Part('uplink');
  supervisor.add(uplink);
  await supervisor.startAll();
  supervisor.failed('uplink', new Error('stream broke'));
  supervisor.failed('uplink', new Error('stream broke again'));
  const during = supervisor.health()[0]!;
  t.equal(during.state, 'down');
  t.match(during.detail, /restarting: stream broke/);
  await waitFor('restarted', () => uplink.running && supervisor.restartsOf('uplink') === 1);
  t.equal(uplink.starts, 2, 'one restart for two reports of the same failure');
  t.equal(supervisor.health()[0]!.lastError, 'stream broke');
  supervisor.failed('nobody', new Error('x'));
  await supervisor.stopAll();
  t.equal(uplink.running, false);
});

t.test('stopAll cancels pending restarts and does not wait forever on a hung stop', async (t) => {
  const supervisor = new Supervisor(createEdgeMetrics(), undefined, { initialMs: 60_000, maxMs: 60_000, stopTimeoutMs: 200 });
  const flaky = new Part('camera:flaky');
  const stuck = new Part('uplink');
  flaky.failStarts = 1;
  stuck.hangStop = true;
  supervisor.add(stuck);
  supervisor.add(flaky);
  await supervisor.startAll();
  const started = Date.now();
  await supervisor.stopAll();
  t.ok(Date.now() - started < 2_000, 'a 60 s backoff and a hung stop do not hold the shutdown');
  t.equal(flaky.starts, 1, 'the pending restart never ran');
  supervisor.failed('camera:flaky', new Error('late report'));
  await new Promise((r) => setTimeout(r, 100));
  t.equal(flaky.starts, 1, 'no restarts after stop');
});

t.test('replace swaps a rebuilt component; remove stops and forgets one', async (t) => {
  const supervisor = new Supervisor(createEdgeMetrics(), undefined, fast);
  const first = new Part('broker');
  supervisor.add(first);
  supervisor.add(new Part('camera:a'));
  await supervisor.startAll();
  const second = new Part('broker');
  await supervisor.replace(second);
  t.equal(first.running, false);
  t.equal(second.running, true);
  t.same(supervisor.names(), ['broker', 'camera:a'], 'keeps its place in the start order');
  const broken = new Part('broker');
  broken.failStarts = 1;
  await t.rejects(supervisor.replace(broken), /cannot start/, 'a replacement that fails to start is reported to the caller');
  await supervisor.remove('camera:a');
  t.same(supervisor.names(), ['broker']);
  const late = new Part('camera:b');
  await supervisor.addAndStart(late);
  t.equal(late.running, true);
  await supervisor.stopAll();
});
