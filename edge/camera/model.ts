// The detector model on disk: its committed manifest, and loading its files only when every
// sha256 matches, so a truncated download or a swapped file never reaches inference.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { IocError } from '../../common/errors.js';
import { projectPath } from '../../common/paths.js';

export interface ModelFile {
  /** Path relative to the project root, e.g. "models/centernet.bin". */
  path: string;
  /** Path inside the npm package tarball. */
  from: string;
  bytes: number;
  sha256: string;
}

export interface ModelManifest {
  name: string;
  licence: string;
  source: { npm_package: string; version: string; tarball_sha256?: string; upstream?: string };
  input: { name: string; shape: [number, number, number, number]; dtype: string; range: [number, number] };
  output: { name: string; shape: number[]; rows: string };
  files: ModelFile[];
  labels: string[];
}

export const MANIFEST_PATH = projectPath('models', 'manifest.json');

export function readManifest(path = MANIFEST_PATH): ModelManifest {
  let parsed: ModelManifest;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as ModelManifest;
  } catch (err) {
    throw new IocError('MODEL_INVALID', `model manifest ${path} is missing or not JSON`, { cause: err });
  }
  if (!Array.isArray(parsed.files) || !Array.isArray(parsed.labels) || !parsed.input?.shape) {
    throw new IocError('MODEL_INVALID', `model manifest ${path} lacks files, labels or input shape`);
  }
  return parsed;
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The graph JSON and the weights, read from disk and checked against the manifest. */
export interface VerifiedModel {
  manifest: ModelManifest;
  graph: { modelTopology: unknown; weightsManifest: { paths: string[]; weights: unknown[] }[] };
  weights: Uint8Array;
}

/**
 * Reads every model file, refusing any whose hash differs from the manifest.
 * `root` lets tests point at a copy of the models folder.
 */
export function loadVerifiedModel(manifest: ModelManifest = readManifest(), root = projectPath()): VerifiedModel {
  const contents = new Map<string, Buffer>();
  for (const file of manifest.files) {
    const full = `${root}/${file.path}`;
    let data: Buffer;
    try {
      data = readFileSync(full);
    } catch (err) {
      throw new IocError('MODEL_INVALID', `model file ${file.path} is missing; run "make models" to fetch it`, { cause: err });
    }
    const actual = sha256(data);
    if (actual !== file.sha256) {
      throw new IocError(
        'MODEL_INVALID',
        `model file ${file.path} does not match the manifest (sha256 ${actual.slice(0, 12)}…, expected ${file.sha256.slice(0, 12)}…); refusing to load it — run "make models" to fetch a good copy`,
        { details: { file: file.path, actual, expected: file.sha256 } },
      );
    }
    contents.set(file.path, data);
  }
  const graphFile = manifest.files.find((f) => f.path.endsWith('.json'));
  const weightFiles = manifest.files.filter((f) => f.path.endsWith('.bin'));
  if (!graphFile || weightFiles.length === 0) throw new IocError('MODEL_INVALID', 'model manifest needs one .json graph and at least one .bin weights file');
  const graph = JSON.parse(contents.get(graphFile.path)!.toString('utf8')) as VerifiedModel['graph'];
  const weights = Buffer.concat(weightFiles.map((f) => contents.get(f.path)!));
  return { manifest, graph, weights };
}
