// Triage on the coordinator's LevelDB (key prefix "tr!"): alerts, a unique index of their
// sources, the append-only audit log and the index of unacknowledged dispatches. Announced
// changes go into the record journal in the same batch.
import { IocError } from '../../../common/errors.js';
import { journalAlert } from '../contract/journal.js';
import type { LevelJournal } from './level-journal.js';
import { LevelFeatureStore, pad, scanJson, writeBatch, type LevelDatabase } from './level-records.js';
import { EMPTY, decodeJson, encodeJson, type LevelOp } from './codec.js';
import { matchesAlertQuery } from '../../triage/alert-filter.js';
import type { AlertChange, TriageStore } from '../contract/triage-store.js';
import { ALERT_STATES, type Alert, type AlertAuditEntry, type AlertPage, type AlertQuery, type AlertState, type AuditInput } from '../../triage/types.js';

const alertKey = (id: string) => `tr!a!${id}`;
const ALERTS = { gte: 'tr!a!', lt: 'tr!a"' };
const sourceKey = (key: string) => `tr!src!${key}`;
const logKey = (id: string, seq: number) => `tr!log!${id}!${pad(seq, 8)}`;
const logRange = (id: string) => ({ gte: `tr!log!${id}!`, lt: `tr!log!${id}"` });
const openDispatch = (id: string) => `tr!od!${id}`;
const OPEN_DISPATCHES = { gte: 'tr!od!', lt: 'tr!od"' };
const settingKey = (key: string) => `tr!set!${key}`;

export class LevelTriageStore extends LevelFeatureStore implements TriageStore {
  constructor(
    db: LevelDatabase,
    private readonly journal: LevelJournal,
  ) {
    super(db);
  }

  createAlert(alert: Alert, audit: AuditInput): Promise<{ alert: Alert; created: boolean }> {
    return this.lock.run(`src:${alert.sourceKey}`, async () => {
      const existingId = decodeJson<string>(await this.db.get(sourceKey(alert.sourceKey)));
      if (existingId) {
        const existing = await this.getAlert(existingId);
        if (existing) return { alert: existing, created: false };
      }
      await writeBatch(this.db, [
        { type: 'put', key: alertKey(alert.id), value: encodeJson(alert) },
        { type: 'put', key: sourceKey(alert.sourceKey), value: encodeJson(alert.id) },
        { type: 'put', key: logKey(alert.id, 1), value: encodeJson({ ...audit, alertId: alert.id, seq: 1 } satisfies AlertAuditEntry) },
        ...this.journal.ops(journalAlert('alert.created', alert)),
      ]);
      return { alert, created: true };
    });
  }

  async getAlert(id: string): Promise<Alert | undefined> {
    return decodeJson<Alert>(await this.db.get(alertKey(id)));
  }

  async getAlertBySource(key: string): Promise<Alert | undefined> {
    const id = decodeJson<string>(await this.db.get(sourceKey(key)));
    return id ? this.getAlert(id) : undefined;
  }

  mutateAlert(id: string, mutate: (current: Alert) => AlertChange | undefined): Promise<Alert> {
    return this.lock.run(`alert:${id}`, async () => {
      const current = await this.getAlert(id);
      if (!current) throw new IocError('NOT_FOUND', `alert ${id} not found`);
      const change = mutate(current);
      if (!change) return current;
      const ops: LevelOp[] = [{ type: 'put', key: alertKey(id), value: encodeJson(change.alert) }];
      let seq = await this.lastSeq(id);
      for (const entry of change.audit) {
        seq++;
        ops.push({ type: 'put', key: logKey(id, seq), value: encodeJson({ ...entry, alertId: id, seq } satisfies AlertAuditEntry) });
      }
      const open = change.alert.state === 'dispatched' && change.alert.dispatch && change.alert.dispatch.acknowledgedAtMs === undefined;
      ops.push(open ? { type: 'put', key: openDispatch(id), value: EMPTY } : { type: 'del', key: openDispatch(id) });
      if (change.type) ops.push(...this.journal.ops(journalAlert(change.type, change.alert)));
      await writeBatch(this.db, ops);
      return change.alert;
    });
  }

  private async lastSeq(id: string): Promise<number> {
    for await (const key of this.db.keys({ ...logRange(id), reverse: true, limit: 1 })) return Number(key.slice(key.lastIndexOf('!') + 1));
    return 0;
  }

  async listAlerts(q: AlertQuery): Promise<AlertPage> {
    const range = { ...ALERTS, ...(q.cursor ? { lt: alertKey(q.cursor) } : {}), reverse: true };
    const items = await scanJson<Alert>(this.db, range, (a) => matchesAlertQuery(a, q), q.limit + 1);
    const page = items.slice(0, q.limit);
    return { items: page, nextCursor: items.length > q.limit ? page.at(-1)!.id : null };
  }

  async unacknowledgedDispatches(): Promise<Alert[]> {
    const out: Alert[] = [];
    for await (const key of this.db.keys(OPEN_DISPATCHES)) {
      const alert = await this.getAlert(key.slice('tr!od!'.length));
      if (alert) out.push(alert);
    }
    return out;
  }

  async countByState(): Promise<Record<AlertState, number>> {
    const counts = Object.fromEntries(ALERT_STATES.map((s) => [s, 0])) as Record<AlertState, number>;
    for await (const raw of this.db.values(ALERTS)) counts[decodeJson<Alert>(raw)!.state]++;
    return counts;
  }

  auditLog(alertId: string): Promise<AlertAuditEntry[]> {
    return scanJson<AlertAuditEntry>(this.db, logRange(alertId));
  }

  async getSetting<T>(key: string): Promise<T | undefined> {
    return decodeJson<T>(await this.db.get(settingKey(key)));
  }

  async putSetting<T>(key: string, value: T | undefined): Promise<void> {
    await writeBatch(this.db, [value === undefined ? { type: 'del', key: settingKey(key) } : { type: 'put', key: settingKey(key), value: encodeJson(value) }]);
  }
}
