// `edgectl model install FILE | show`: a new detector model (a directory or tarball with the
// model JSON, weights and manifest.json) is checked here, then verified again and swapped into
// the running detector by the agent, which keeps the previous model if the new one fails.
import type { Command } from 'commander';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { IocError } from '../../common/errors.js';
import { sha256, type ModelManifest } from '../camera/model.js';
import type { ModelLocation } from '../admin/model-store.js';
import { action } from './command.js';
import { EXIT } from './exit-codes.js';
import { formatBytes } from './output.js';
import { withAgent } from './target.js';

/** Finds manifest.json at the top of the bundle or one folder down (e.g. models/manifest.json). */
function findManifest(root: string): string {
  const direct = join(root, 'manifest.json');
  if (existsSync(direct)) return direct;
  for (const entry of readdirSync(root)) {
    const nested = join(root, entry, 'manifest.json');
    if (statSync(join(root, entry)).isDirectory() && existsSync(nested)) return nested;
  }
  throw new IocError('MODEL_INVALID', `no manifest.json in ${root}`);
}

/** Reads a bundle (directory or tarball) and checks each file's sha256 against its manifest. */
export function readBundle(path: string): { manifest: ModelManifest; files: Record<string, Buffer> } {
  let root = path;
  let cleanup: string | undefined;
  if (!statSync(path).isDirectory()) {
    cleanup = mkdtempSync(join(tmpdir(), 'edgectl-model-'));
    try {
      execFileSync('tar', ['-xf', path, '-C', cleanup], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      rmSync(cleanup, { recursive: true, force: true });
      throw new IocError(
        'MODEL_INVALID',
        `${path} is neither a folder nor a readable tar archive: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`,
      );
    }
    root = cleanup;
  }
  try {
    const manifestFile = findManifest(root);
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as ModelManifest;
    if (!Array.isArray(manifest.files) || manifest.files.length === 0) throw new IocError('MODEL_INVALID', 'manifest.json lists no files');
    const base = dirname(manifestFile);
    const files: Record<string, Buffer> = {};
    for (const file of manifest.files) {
      // Paths in a manifest are relative to the project root ("models/x.bin"); bundles also put them beside it.
      const found = [join(base, file.path), join(dirname(base), file.path), join(base, basename(file.path))].find((p) => existsSync(p));
      if (!found) throw new IocError('MODEL_INVALID', `${file.path} (listed in the manifest) is not in the bundle`);
      const data = readFileSync(found);
      if (sha256(data) !== file.sha256)
        throw new IocError('MODEL_INVALID', `${file.path}: sha256 does not match the manifest; the copy is damaged — copy it again`);
      files[file.path] = data;
    }
    return { manifest, files };
  } finally {
    if (cleanup) rmSync(cleanup, { recursive: true, force: true });
  }
}

export function registerModel(program: Command): void {
  const model = program.command('model').description('the detector model');

  model
    .command('install')
    .argument('<bundle>', 'folder or tarball with manifest.json and the model files it lists')
    .description('verify a new model and swap it into the running detector (cameras keep running)')
    .addHelpText(
      'after',
      '\nCameras report motion-only while the new model loads (seconds). If it does not load,\nthe previous model is put back and the exit status is 1.\n\nExamples:\n  edgectl model install /media/usb/centernet-2025-06.tgz\n  edgectl model install ./model-folder',
    )
    .action(
      action(async ({ globals, out }, bundlePath: string) => {
        const bundle = readBundle(bundlePath);
        const total = Object.values(bundle.files).reduce((n, b) => n + b.length, 0);
        out.note(out.c.dim(`${bundle.manifest.name}: ${Object.keys(bundle.files).length} files, ${formatBytes(total)}, sha256 ok; installing…`));
        const files = Object.fromEntries(Object.entries(bundle.files).map(([p, b]) => [p, b.toString('base64')]));
        const result = await withAgent(globals, (client) =>
          client.call<{ installed: string; previous: string; loaded: boolean; backend?: string }>(
            'model.install',
            { manifest: bundle.manifest, files },
            { timeoutMs: 300_000 },
          ),
        );
        out.result(result);
        out.line(`${out.c.green('installed')} ${result.installed} (previous: ${result.previous})`);
        out.line(
          result.loaded ? `the detector runs it now on the ${result.backend} backend` : 'no camera detects objects on this box: it is used when one does',
        );
        return EXIT.OK;
      }),
    );

  model
    .command('show')
    .description('the active model and the one before it')
    .addHelpText('after', '\nExamples:\n  edgectl model show')
    .action(
      action(async ({ globals, out }) => {
        const info = await withAgent(globals, (client) =>
          client.call<{ active: ModelLocation; previous: ModelLocation | null; detector: { state: string; detail: string } | null }>('model.show'),
        );
        out.result(info);
        out.line(`active    ${info.active.id} (${info.active.manifestPath})`);
        out.line(`previous  ${info.previous ? info.previous.id : '—'}`);
        out.line(`detector  ${info.detector ? `${out.state(info.detector.state)} ${info.detector.detail}` : 'not running (no camera detects objects)'}`);
        return EXIT.OK;
      }),
    );
}
