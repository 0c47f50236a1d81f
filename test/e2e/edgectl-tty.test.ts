// edgectl as a person sees it in a terminal: run under tmux (a real pty), the screen captured
// and read. Colour appears on a terminal and never with NO_COLOR; the drain shows a live
// progress bar with an ETA and ends with the backlog delivered.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { tempDir } from '../support/tmp.js';
import { startAgent, startCoordinator } from '../support/system.js';
import { distEntry } from '../support/build.js';
import { edgectl } from '../support/edgectl.js';
import { backlogYaml, produceBacklog } from '../support/backlog.js';
import { waitFor } from '../support/wait.js';
import type { AgentStatus } from '../../edge/admin/handlers/status.js';

const ESC = '\x1b[';

/** A private tmux server per test, so parallel tests and a developer's tmux never meet. */
class Terminal {
  private readonly server = `edgectl-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private started = false;

  constructor(t: { teardown(fn: () => unknown): void }) {
    t.teardown(() => this.close());
  }

  run(name: string, command: string, env: Record<string, string> = {}): void {
    const exports = Object.entries(env)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(' ');
    // Keep the window open after the command so the last screen and exit status can be read.
    const script = `${exports ? `env ${exports} ` : ''}${command}; echo "[exit $?]"; sleep 600`;
    const args = this.started ? ['new-window', '-t', 'main', '-n', name] : ['new-session', '-d', '-s', 'main', '-n', name, '-x', '180', '-y', '40'];
    execFileSync('tmux', ['-L', this.server, '-f', '/dev/null', ...args, 'env', '-u', 'NO_COLOR', 'TERM=xterm-256color', 'bash', '-c', script]);
    this.started = true;
  }

  /** Waits until `accept` returns a value for the screen; on timeout the error shows the screen. */
  async until<T>(name: string, what: string, accept: (screen: string) => T | undefined, timeoutMs = 30_000): Promise<T> {
    try {
      return await waitFor(what, () => accept(this.screen(name)), { timeoutMs, intervalMs: 250 });
    } catch (err) {
      throw new Error(`${(err as Error).message}\nscreen "${name}":\n${this.screen(name)}`);
    }
  }

  /** The visible screen; with escapes: the colour codes as the terminal received them. */
  screen(name: string, escapes = false): string {
    return execFileSync('tmux', ['-L', this.server, 'capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', `main:${name}`], { encoding: 'utf8' });
  }

  close(): void {
    if (!this.started) return;
    try {
      execFileSync('tmux', ['-L', this.server, 'kill-server'], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}

t.test('status on a terminal: colour on a tty, none with NO_COLOR or through a pipe', async (t) => {
  const dir = tempDir(t);
  const coordinator = await startCoordinator(t, { dir, devices: [{ id: 'edge-tty', site: 'tua-chua' }] });
  const agent = await startAgent(t, { dir, deviceId: 'edge-tty', site: 'tua-chua', grpcAddress: `127.0.0.1:${coordinator.grpcPort}` });
  await waitFor('uplink connected', async () => (await edgectl(agent.configFile, ['status', '--json'])).json<AgentStatus>().uplink.state === 'connected');
  const ctl = `${JSON.stringify(process.execPath)} ${JSON.stringify(distEntry('edge/cli/main.js'))} --config ${JSON.stringify(agent.configFile)}`;
  const term = new Terminal(t);
  term.run('colour', `${ctl} status`);
  term.run('nocolour', `${ctl} status`, { NO_COLOR: '1' });
  term.run('piped', `${ctl} status | cat`);
  const screen = await term.until('colour', 'status on screen', (s) => (s.includes('[exit 0]') ? s : undefined));
  t.match(screen, /ioc-edge\s+edge-tty · tua-chua/);
  t.match(screen, /uplink\s+● connected · 127\.0\.0\.1:\d+/);
  t.match(screen, /components\s+broker ● ok · uplink ● ok · admin ● ok/);
  t.match(screen, /clock\s+offset [+-]\d+ ms from the coordinator \(measured\)/);
  const coloured = term.screen('colour', true);
  t.ok(coloured.includes(ESC), 'colour codes on a terminal');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matches the ANSI colour escapes the terminal receives
  t.match(coloured, /\x1b\[32m(\x1b\[49m)?● connected/, 'a healthy link is green');

  await waitFor('NO_COLOR run done', () => term.screen('nocolour').includes('[exit 0]'));
  t.notOk(term.screen('nocolour', true).includes(ESC), 'NO_COLOR: no colour codes, even on a terminal');
  t.match(term.screen('nocolour'), /uplink\s+● connected/);
  await waitFor('piped run done', () => term.screen('piped').includes('[exit 0]'));
  t.notOk(term.screen('piped', true).includes(ESC), 'piped: no colour codes');
});

t.test('outbox drain --wait: a live bar with an ETA until the backlog is delivered', async (t) => {
  const dir = tempDir(t);
  const coordinator = await startCoordinator(t, { dir, devices: [{ id: 'edge-drain', site: 'tua-chua' }] });
  const agent = await startAgent(t, {
    dir,
    deviceId: 'edge-drain',
    site: 'tua-chua',
    grpcAddress: `127.0.0.1:${coordinator.grpcPort}`,
    bodyYaml: backlogYaml(4),
  });
  await waitFor('uplink connected', async () => (await edgectl(agent.configFile, ['status', '--json'])).json<AgentStatus>().uplink.state === 'connected');
  await produceBacklog(agent.brokerPort, 6);
  await waitFor(
    'a backlog the 4 kbit/s link needs several seconds for',
    async () => (await edgectl(agent.configFile, ['status', '--json'])).json<AgentStatus>().backlog.bytes > 3000,
  );

  const term = new Terminal(t);
  term.run(
    'drain',
    `${JSON.stringify(process.execPath)} ${JSON.stringify(distEntry('edge/cli/main.js'))} --config ${JSON.stringify(agent.configFile)} outbox drain --wait --timeout 120`,
  );
  const midway = await term.until('drain', 'the bar part-way with an ETA', (s) =>
    /draining \S*[█░]+\S* +\d+% \| [\d.]+ \w*B left, \d+ records \| [\d.]+ \w*B\/s \| ETA \d+/.test(s) && !s.includes('[exit') ? s : undefined,
  );
  const pct = Number(/ (\d+)% \|/.exec(midway)![1]);
  t.ok(pct < 100, `caught mid-drain at ${pct} %`);
  t.match(midway, /uplink ● connected/);
  t.comment(midway.trim());
  t.ok(term.screen('drain', true).includes(ESC), 'the bar is drawn in colour on a terminal');
  const end = await term.until('drain', 'drain finished', (s) => (s.includes('[exit') ? s : undefined), 90_000);
  t.match(end, /100% \| 0 B left, 0 records/);
  t.match(end, /backlog delivered/);
  t.comment(end.trim());
  t.match(end, /\[exit 0\]/);
  t.equal((await edgectl(agent.configFile, ['outbox', 'stats', '--json'])).json<{ records: number }>().records, 0);
});
