// Locates files shipped with the project (proto, models, fixtures) whether code runs from
// the TypeScript sources or from the compiled dist/ tree.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IocError } from './errors.js';

let cachedRoot: string | undefined;

export function projectRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'proto'))) {
      cachedRoot = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new IocError(
        'INTERNAL',
        `cannot find the ioc-edge project root (package.json and proto/) above ${fileURLToPath(import.meta.url)}; the installation is incomplete`,
      );
    dir = parent;
  }
}

export function projectPath(...parts: string[]): string {
  return join(projectRoot(), ...parts);
}

/** The package version, reported in handshakes and status. */
export function softwareVersion(): string {
  return process.env.IOC_SOFTWARE_VERSION ?? PACKAGE_VERSION;
}

const PACKAGE_VERSION = '0.1.0';
