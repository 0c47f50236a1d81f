// placeholder
import { IocError } from '../../common/errors.js';
const notYet = () => new IocError('UNAVAILABLE', 'not built yet');
type P = { device: { id: string; site: string; name: string | null; revoked: boolean; createdAtMs: number } };
export class Provisioning {
  async create(_b: { id: string; site: string; name?: string }, _a: string): Promise<P & { token: string }> { throw notYet(); }
  async rotate(_id: string, _a: string): Promise<P & { token: string }> { throw notYet(); }
  async revoke(_id: string, _a: string, _r?: string): Promise<P & { disconnected: boolean }> { throw notYet(); }
}
