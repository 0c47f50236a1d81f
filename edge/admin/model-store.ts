// Detector models installed on the box (edgectl model install): each version in its own folder
// under <data_dir>/models, verified file by file against its manifest before it is kept, and
// a pointer file naming the active one and the one before it (for rollback).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { IocError } from '../../common/errors.js';
import { writeFileAtomic } from '../../common/time.js';
import { MANIFEST_PATH, loadVerifiedModel, sha256, type ModelManifest } from '../camera/model.js';
import { projectPath } from '../../common/paths.js';

/** Where a detector finds a model: its manifest and the root its file paths are relative to. */
export interface ModelLocation {
  id: string;
  manifestPath: string;
  modelRoot: string;
}

interface ActivePointer {
  active: ModelLocation;
  previous?: ModelLocation;
  installedAtMs: number;
}

/** A model as handed over by edgectl: the manifest and the bytes of each file it lists. */
export interface ModelBundle {
  manifest: ModelManifest;
  files: Record<string, Uint8Array>;
}

/** The model shipped with the software (models/manifest.json). */
export const BUNDLED_MODEL: ModelLocation = { id: 'bundled', manifestPath: MANIFEST_PATH, modelRoot: projectPath() };

export class ModelStore {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'models');
  }

  private get pointerFile(): string {
    return join(this.dir, 'active.json');
  }

  /** The model the detector should load: the last installed one, else the bundled one. */
  active(): ModelLocation {
    return this.pointer()?.active ?? BUNDLED_MODEL;
  }

  previous(): ModelLocation | undefined {
    return this.pointer()?.previous;
  }

  private pointer(): ActivePointer | undefined {
    try {
      const parsed = JSON.parse(readFileSync(this.pointerFile, 'utf8')) as ActivePointer;
      return parsed?.active?.manifestPath ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Checks every file of the bundle against the manifest's sha256 and size, then writes the
   * bundle to its own folder. Nothing is written when a check fails.
   */
  stage(bundle: ModelBundle): ModelLocation {
    const { manifest } = bundle;
    if (!manifest || !Array.isArray(manifest.files) || manifest.files.length === 0 || !Array.isArray(manifest.labels)) {
      throw new IocError('MODEL_INVALID', 'manifest.json lacks files or labels');
    }
    for (const file of manifest.files) {
      const data = bundle.files[file.path];
      if (!data) throw new IocError('MODEL_INVALID', `the bundle lacks ${file.path}, listed in its manifest`);
      if (!safeRelative(file.path)) throw new IocError('MODEL_INVALID', `manifest path ${file.path} leaves the model folder`);
      const actual = sha256(data);
      if (actual !== file.sha256) {
        throw new IocError(
          'MODEL_INVALID',
          `${file.path}: sha256 ${actual.slice(0, 12)}… does not match the manifest (${String(file.sha256).slice(0, 12)}…); the copy is damaged`,
        );
      }
      if (typeof file.bytes === 'number' && file.bytes !== data.length) {
        throw new IocError('MODEL_INVALID', `${file.path}: ${data.length} bytes, the manifest says ${file.bytes}`);
      }
    }
    const manifestText = JSON.stringify(manifest, null, 2);
    const id = `${safeName(manifest.name)}-${sha256(Buffer.from(manifestText)).slice(0, 12)}`;
    const root = join(this.dir, id);
    const existing = { id, manifestPath: join(root, 'manifest.json'), modelRoot: root };
    // The same model again (a second install, a retry): keep the intact copy, never rewrite the
    // folder the running detector was loaded from.
    if (intact(existing)) return existing;
    rmSync(root, { recursive: true, force: true });
    for (const file of manifest.files) {
      const target = join(root, file.path);
      mkdirSync(dirname(target), { recursive: true, mode: 0o750 });
      writeFileSync(target, bundle.files[file.path]!, { mode: 0o640 });
    }
    writeFileSync(join(root, 'manifest.json'), manifestText, { mode: 0o640 });
    const location = { id, manifestPath: join(root, 'manifest.json'), modelRoot: root };
    verify(location);
    return location;
  }

  /** Makes `location` the active model, keeping the current one as the previous. */
  activate(location: ModelLocation): void {
    const current = this.active();
    const pointer: ActivePointer = {
      active: location,
      previous: current.id === location.id ? this.previous() : current,
      installedAtMs: Date.now(),
    };
    writeFileAtomic(this.pointerFile, JSON.stringify(pointer, null, 2));
  }

  /** Removes a staged folder that did not make it into service. */
  discard(location: ModelLocation): void {
    if (location.id === this.active().id || location.modelRoot === BUNDLED_MODEL.modelRoot) return;
    rmSync(location.modelRoot, { recursive: true, force: true });
  }
}

/** Re-reads a model's files from disk against its manifest (doctor, and after staging). */
export function verify(location: Pick<ModelLocation, 'manifestPath' | 'modelRoot'>): ModelManifest {
  if (!existsSync(location.manifestPath)) throw new IocError('MODEL_INVALID', `model manifest ${location.manifestPath} is missing`);
  const manifest = JSON.parse(readFileSync(location.manifestPath, 'utf8')) as ModelManifest;
  return loadVerifiedModel(manifest, location.modelRoot).manifest;
}

function intact(location: ModelLocation): boolean {
  try {
    verify(location);
    return true;
  } catch {
    return false;
  }
}

function safeRelative(path: string): boolean {
  const normal = normalize(path);
  return !isAbsolute(path) && !normal.startsWith('..') && !normal.includes('\0');
}

function safeName(name: unknown): string {
  const s = typeof name === 'string' ? name.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 40) : '';
  return s || 'model';
}
