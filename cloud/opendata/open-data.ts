// placeholder
import { IocError } from '../../common/errors.js';
export interface AggregateQuery { type?: string; fromMs?: number; toMs?: number; stepS: number }
export interface OpenAnswer { body: string; contentType: string; cacheControl: string }
export class OpenData {
  async sites(): Promise<OpenAnswer> { throw new IocError('UNAVAILABLE', 'not built yet'); }
  async aggregates(_s: string, _q: AggregateQuery, _f: 'json' | 'csv'): Promise<OpenAnswer> { throw new IocError('UNAVAILABLE', 'not built yet'); }
}
