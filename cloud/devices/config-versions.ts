// placeholder
import { IocError } from '../../common/errors.js';
import type { ConfigVersion } from './types.js';
const notYet = () => new IocError('UNAVAILABLE', 'not built yet');
export class ConfigVersions {
  async overview(_id: string): Promise<{ deviceId: string; desiredVersion: number | null; runningRevision: string | null; runningVersion: number | null; versions: Omit<ConfigVersion, 'yaml'>[] }> { throw notYet(); }
  async version(_id: string, _v: number): Promise<ConfigVersion> { throw notYet(); }
  async submit(_id: string, _y: string, _a: string, _c?: string): Promise<Omit<ConfigVersion, 'yaml'>> { throw notYet(); }
  async rollback(_id: string, _v: number, _a: string, _c?: string): Promise<Omit<ConfigVersion, 'yaml'>> { throw notYet(); }
}
