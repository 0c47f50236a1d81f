// The device's coordinator token: inline in the config, or in the file `edgectl provision` wrote.
import { readFileSync } from 'node:fs';
import type { EdgeConfig } from '../common/config/edge-schema.js';
import { IocError, errorMessage } from '../common/errors.js';

export function readDeviceToken(config: EdgeConfig): string {
  if (config.coordinator.token) return config.coordinator.token;
  const file = config.coordinator.token_file!;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new IocError(
      'CONFIG_INVALID',
      `coordinator.token_file: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}); run edgectl provision`,
    );
  }
}
