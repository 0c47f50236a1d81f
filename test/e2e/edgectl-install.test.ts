// Installing a box: the installer's dry run names every step and changes nothing, and the
// systemd unit passes systemd-analyze verify (or, where that tool is missing, a structural check).
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { projectPath } from '../../common/paths.js';
import { ensureBuilt } from '../support/build.js';

const INSTALL = projectPath('deploy', 'install.sh');
const UNIT = projectPath('deploy', 'systemd', 'ioc-edge.service');

function install(args: string[]) {
  return spawnSync('bash', [INSTALL, ...args], { encoding: 'utf8' });
}

t.test('install.sh --dry-run prints each step and changes nothing', async (t) => {
  ensureBuilt();
  const before = ['/opt/ioc-edge', '/etc/ioc-edge', '/etc/systemd/system/ioc-edge.service', '/usr/local/bin/edgectl'].map((p) => [p, existsSync(p)]);
  const r = install(['--dry-run', '--config', projectPath('firmware-config', 'muong-nhe.yaml')]);
  t.equal(r.status, 0, r.stderr);
  const out = r.stdout;
  t.match(out, /dry run: nothing will be changed/);
  t.match(
    out,
    /ffmpeg \(camera decoding\)\n\s+(present: \S*ffmpeg|\+ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ffmpeg)/,
  );
  t.match(out, /service user ioc-edge\n\s+(exists|\+ useradd --system --user-group .* ioc-edge)/);
  t.match(out, /\+ install -d -o ioc-edge -g ioc-edge -m 0750 \/var\/lib\/ioc-edge/);
  t.match(out, /\+ rsync -a --delete .*\/dist\/ \/opt\/ioc-edge\/dist\//);
  t.match(out, /npm ci --omit=dev/);
  t.match(out, /\+ \S*node \S*dist\/edge\/cli\/main\.js config validate \S*muong-nhe\.yaml/, 'the site config is validated before it is installed');
  t.match(out, /\+ install -o root -g ioc-edge -m 0660 \S*muong-nhe\.yaml \/etc\/ioc-edge\/config\.yaml/);
  t.match(out, /\+ ln -sfn \/opt\/ioc-edge\/bin\/edgectl\.js \/usr\/local\/bin\/edgectl/);
  t.match(out, /\+ systemctl enable ioc-edge\.service/);
  t.match(out, /\+ systemctl restart ioc-edge\.service/);
  const after = ['/opt/ioc-edge', '/etc/ioc-edge', '/etc/systemd/system/ioc-edge.service', '/usr/local/bin/edgectl'].map((p) => [p, existsSync(p)]);
  t.same(after, before, 'nothing was created');

  const noStart = install(['--dry-run', '--no-start']);
  t.equal(noStart.status, 0);
  t.notMatch(noStart.stdout, /systemctl restart/);
  t.match(noStart.stdout, /not started: --no-start/);

  const bad = install(['--bogus']);
  t.equal(bad.status, 2, 'an unknown option is a usage error');
  t.match(bad.stderr, /unknown option --bogus/);
});

t.test('the systemd unit is valid and runs the agent confined, restarting forever', async (t) => {
  const text = readFileSync(UNIT, 'utf8');
  const settings = new Map<string, string[]>();
  const malformed: string[] = [];
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!kv || !section) malformed.push(line);
    else settings.set(`${section}.${kv[1]}`, [...(settings.get(`${section}.${kv[1]}`) ?? []), kv[2]!]);
  }
  t.same(malformed, [], 'every line is a comment, a [Section] or a Key=Value inside one');
  const one = (key: string) => settings.get(key)?.[0];
  t.equal(one('Service.User'), 'ioc-edge');
  t.equal(one('Service.Restart'), 'always');
  t.equal(one('Unit.StartLimitIntervalSec'), '0', 'never gives up restarting');
  t.match(one('Service.ExecStart'), /^\/usr\/bin\/node --optimize-for-size \/opt\/ioc-edge\/bin\/edge-agent\.js --config \/etc\/ioc-edge\/config\.yaml$/);
  t.ok(Number(one('Service.TimeoutStopSec')) > 20, "systemd waits longer than the agent's own 20 s stop bound");
  t.equal(one('Service.KillSignal'), 'SIGTERM');
  t.equal(one('Service.ProtectSystem'), 'strict');
  t.same(one('Service.ReadWritePaths')?.split(' ').sort(), ['/etc/ioc-edge', '/var/lib/ioc-edge']);
  t.equal(one('Service.NoNewPrivileges'), 'yes');
  t.equal(one('Service.CapabilityBoundingSet'), '', 'no capabilities');
  t.notOk(settings.has('Service.MemoryDenyWriteExecute'), 'V8 needs W+X memory: this hardening option would kill the agent');
  t.equal(one('Install.WantedBy'), 'multi-user.target');

  const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (analyze.status !== 0) {
    t.comment('systemd-analyze not available; the structural check above stands in for it');
    return;
  }
  const verify = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8' });
  t.equal(verify.status, 0, `systemd-analyze verify: ${verify.stderr}`);
  t.equal(verify.stderr.trim(), '', 'no warnings (unknown keys, missing executables)');
  t.ok(execFileSync('bash', ['-n', INSTALL]).length === 0, 'install.sh parses');
});
