// What goes on the JetStream stream: one message per stored record (thumbnails as metadata)
// and one per alert state change, each with a stable id for Nats-Msg-Id deduplication.
import type { JournalData } from '../store/contract/journal.js';

export interface BusRecordMessage {
  subject: string;
  /** Nats-Msg-Id: the same record or alert change always gets the same id. */
  msgId: string;
  body: Record<string, unknown>;
}

/** A subject token: NATS reserves ".", "*", ">" and whitespace. */
export function subjectToken(value: string | null | undefined): string {
  const token = (value ?? '').replace(/[^A-Za-z0-9_-]/g, '_');
  return token.length > 0 ? token : '_';
}

/**
 * Records: `<prefix>.<site>.<lane>` (alarm, event, telemetry, thumbnail), id `<device>.<lane>.<seq>`
 * (the record's own identity at the edge). Alert changes: `<prefix>.<site>.alert`, id
 * `alert.<alert id>.<updatedAtMs>.<change>`.
 */
export function messagesOf(data: JournalData, prefix: string, siteOf: (deviceId: string) => string | undefined): BusRecordMessage[] {
  if (data.type === 'alert') {
    const { alert, change } = data;
    return [
      {
        subject: `${prefix}.${subjectToken(alert.site)}.alert`,
        msgId: `alert.${alert.id}.${alert.updatedAtMs}.${change}`,
        body: { type: 'alert', change, alert },
      },
    ];
  }
  return data.items.map((item) => {
    const site = item.event?.site ?? siteOf(data.deviceId) ?? '';
    const msgId = `${data.deviceId}.${item.lane}.${item.seq}`;
    return {
      subject: `${prefix}.${subjectToken(site)}.${item.lane}`,
      msgId,
      body: {
        type: 'record',
        id: msgId,
        deviceId: data.deviceId,
        site,
        lane: item.lane,
        seq: item.seq,
        kind: item.event?.kind ?? (item.thumbnail ? 'thumbnail' : 'unknown'),
        ...(item.event ? { event: item.event } : {}),
        ...(item.thumbnail ? { thumbnail: item.thumbnail } : {}),
      },
    };
  });
}
