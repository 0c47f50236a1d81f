// placeholder
import { IocError } from '../../common/errors.js';
import type { CommandName, DeviceCommand } from './types.js';
const notYet = () => new IocError('UNAVAILABLE', 'not built yet');
type View = DeviceCommand & { snapshotUrl: string | null };
export class CommandQueue {
  async issue(_d: string, _n: CommandName, _a: Record<string, unknown>, _t: number, _by: string): Promise<View> { throw notYet(); }
  async list(_d: string, _l: number): Promise<View[]> { throw notYet(); }
  async get(_id: string): Promise<View> { throw notYet(); }
}
