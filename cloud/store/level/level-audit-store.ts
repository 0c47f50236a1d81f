// The API audit trail on the coordinator's LevelDB (key prefix "au!"; ULID keys sort by time).
import { scanJson, writeBatch, type LevelDatabase } from './level-records.js';
import { encodeJson } from './codec.js';
import type { AuditStore } from '../contract/audit-store.js';
import type { AuditQuery, AuditRecord } from '../../audit/types.js';

const key = (id: string) => `au!${id}`;
const ALL = { gte: 'au!', lt: 'au"' };

export class LevelAuditStore implements AuditStore {
  readonly kind = 'level' as const;

  constructor(private readonly db: LevelDatabase) {}

  async init(): Promise<void> {}

  async close(): Promise<void> {}

  async append(records: readonly AuditRecord[]): Promise<void> {
    await writeBatch(
      this.db,
      records.map((r) => ({ type: 'put', key: key(r.id), value: encodeJson(r) })),
    );
  }

  async list(q: AuditQuery): Promise<{ items: AuditRecord[]; nextCursor: string | null }> {
    const range = { ...ALL, ...(q.cursor ? { lt: key(q.cursor) } : {}), reverse: true };
    const items: AuditRecord[] = [];
    for (const r of await scanJson<AuditRecord>(this.db, range, (r) => !q.actor || r.actor === q.actor)) {
      if (q.sinceMs !== undefined && r.atMs < q.sinceMs) break;
      items.push(r);
      if (items.length > q.limit) break;
    }
    const page = items.slice(0, q.limit);
    return { items: page, nextCursor: items.length > q.limit ? page.at(-1)!.id : null };
  }
}
