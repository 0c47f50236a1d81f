// Applying configs to a running target: atomic file swap keeping the previous version, only
// changed parts reloaded, restart-only settings named, a failed reload rolled back, secrets masked.
import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigApplier, diffConfig, type ReloadPart } from '../../edge/config-apply.js';
import { parseEdgeConfig } from '../../common/config/edge-config.js';
import type { EdgeConfig } from '../../common/config/edge-schema.js';
import { ConfigError, IocError } from '../../common/errors.js';
import { tempDir } from '../support/tmp.js';

const BASE = `version: 1
device: { id: edge-1, site: muong-nhe, site_name: Mường Nhé, location: { lat: 22.18, lon: 102.46 } }
coordinator: { address: ioc:50051, token: a-device-token-0123456789 }
data_dir: /tmp/unused
sensors:
  - id: river-1
    type: water_level
    credentials: { username: river-1, password: river-1-secret }
    metrics: [{ name: level, unit: m }]
  - id: rain-1
    type: rain_gauge
    credentials: { username: rain-1, password: rain-1-secret }
    metrics: [{ name: rainfall, unit: mm }]
`;

class Target {
  config: EdgeConfig;
  configRevision: string;
  reloads: ReloadPart[][] = [];
  failNext = false;
  constructor(text: string) {
    const loaded = parseEdgeConfig(text);
    this.config = loaded.config;
    this.configRevision = loaded.revision;
  }
  async reconfigure(next: EdgeConfig, revision: string, parts: ReadonlySet<ReloadPart>): Promise<void> {
    this.reloads.push([...parts].sort());
    if (this.failNext) {
      this.failNext = false;
      throw new Error('address already in use');
    }
    this.config = next;
    this.configRevision = revision;
  }
}

function setup(t: { teardown(fn: () => unknown): void }) {
  const dir = tempDir(t);
  const file = join(dir, 'config.yaml');
  writeFileSync(file, BASE);
  const target = new Target(BASE);
  return { file, target, applier: new ConfigApplier(file, target) };
}

t.test('apply installs the file, keeps the previous one and reloads only what changed', async (t) => {
  const { file, target, applier } = setup(t);
  const next = `${BASE.replace('unit: mm', 'unit: mm/h')}uplink: { rate_kbps: 64 }\nlog: { level: debug }\n`;
  const result = await applier.apply(next, 'edgectl');
  t.same(result.changes.map((c) => c.path).sort(), ['log.level', 'sensors[rain-1].metrics[rainfall].unit', 'uplink.rate_kbps']);
  t.same(result.restarted.sort(), ['sensors', 'uplink']);
  t.same(result.restartRequired, ['log.level']);
  t.same(target.reloads, [['sensors', 'uplink']]);
  t.equal(readFileSync(file, 'utf8'), next);
  t.equal(readFileSync(`${file}.prev`, 'utf8'), BASE);
  t.equal(target.configRevision, result.revision);

  const back = await applier.rollback();
  t.equal(back.revision, result.previousRevision);
  t.equal(readFileSync(file, 'utf8'), BASE);
  t.equal(readFileSync(`${file}.prev`, 'utf8'), next, 'a second rollback would undo the first');
});

t.test('an invalid config changes nothing', async (t) => {
  const { file, target, applier } = setup(t);
  const err = await applier
    .apply(
      BASE.replace(
        'metrics: [{ name: level, unit: m }]',
        'metrics: [{ name: level, unit: m }]\n    thresholds: [{ id: x, metric: depth, condition: above, value: 1 }]',
      ),
      'coordinator',
    )
    .catch((e: unknown) => e);
  t.ok(err instanceof ConfigError);
  t.match((err as ConfigError).issues, [/sensors\[0\]\.thresholds\[0\]\.metric/]);
  t.equal(readFileSync(file, 'utf8'), BASE);
  t.notOk(existsSync(`${file}.prev`));
  t.same(target.reloads, []);
});

t.test('a config that fails to start is replaced by the previous one', async (t) => {
  const { file, target, applier } = setup(t);
  const before = target.configRevision;
  target.failNext = true;
  const next = BASE.replace('ioc:50051', 'ioc:50052');
  const err = await applier.apply(next, 'edgectl').catch((e: unknown) => e);
  t.ok(err instanceof IocError);
  t.match((err as Error).message, /failed to start \(address already in use\); the previous config .* is back in service/);
  t.equal(readFileSync(file, 'utf8'), BASE, 'the previous file is back');
  t.equal(target.configRevision, before);
  t.same(target.reloads, [['uplink'], ['uplink']], 'tried the new, then reloaded the old');
});

t.test('rollback without a previous version is "not found"', async (t) => {
  const { applier } = setup(t);
  t.throws(() => applier.rollback(), { code: 'NOT_FOUND' });
});

t.test('diff matches lists by id, ignores order and masks secrets', async (t) => {
  const a = parseEdgeConfig(BASE).config;
  const reordered = parseEdgeConfig(`${BASE.replace(/  - id: river-1[\s\S]*?metrics: \[\{ name: level, unit: m \}\]\n/, '')}  - id: river-1
    type: water_level
    credentials: { username: river-1, password: a-new-password }
    metrics: [{ name: level, unit: m }]
`).config;
  const changes = diffConfig(a, reordered);
  t.same(changes, [{ path: 'sensors[river-1].credentials.password', before: '(secret)', after: '(secret, changed)' }]);
  t.same(diffConfig(a, a), []);
});

t.test('a changed camera URL shows in the diff without its password', async (t) => {
  const before = { cameras: [{ id: 'gate', url: 'rtsp://admin:old-pass@10.0.0.5/ch1' }] };
  const after = { cameras: [{ id: 'gate', url: 'rtsp://admin:new-pass@10.0.0.6/ch1' }] };
  t.same(diffConfig(before, after), [{ path: 'cameras[gate].url', before: 'rtsp://admin:***@10.0.0.5/ch1', after: 'rtsp://admin:***@10.0.0.6/ch1' }]);
});
