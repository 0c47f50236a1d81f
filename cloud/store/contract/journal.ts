// The record journal: what the coordinator still has to hand on to an external bus (NATS
// JetStream). Off until a publisher enables it; then every ingest that stores records, and every
// announced alert change, writes its entry in the same atomic write as the records or the alert
// themselves (level batch / PostgreSQL transaction), so a crash can never leave one out of it. The publisher removes entries once the bus has acknowledged
// them, so the journal is a publish outbox and its head is the cursor.
import type { IngestItem, ThumbnailRow } from './types.js';

/** A stored item as journaled: thumbnails as metadata only, series left out (the row has them). */
export type JournalItem = Omit<IngestItem, 'thumbnail' | 'series'> & { thumbnail?: Omit<ThumbnailRow, 'data'> & { bytes: number } };

export type JournalData =
  | { type: 'records'; deviceId: string; items: JournalItem[] }
  | { type: 'alert'; change: string; alert: { id: string; site: string | null; updatedAtMs: number } & Record<string, unknown> };

export interface JournalEntry {
  /** Opaque, unique, stable while the entry exists. */
  id: string;
  data: JournalData;
}

export interface RecordJournal {
  /** From now on, ingest journals the records it stores and triage the alert changes it announces. */
  enableJournal(): void;
  /** Oldest entries first. */
  readJournal(limit: number): Promise<JournalEntry[]>;
  removeJournal(ids: readonly string[]): Promise<void>;
}

export function journalRecords(deviceId: string, stored: readonly IngestItem[]): JournalData {
  const items = stored.map(({ series: _series, thumbnail, ...rest }): JournalItem => {
    if (!thumbnail) return rest;
    const { data, ...meta } = thumbnail;
    return { ...rest, thumbnail: { ...meta, bytes: data.byteLength } };
  });
  return { type: 'records', deviceId, items };
}

/** An alert change as journaled: `change` is the name the bus and webhooks use (alert.verified…). */
export function journalAlert(change: string, alert: { id: string; site: string | null; updatedAtMs: number }): JournalData {
  return { type: 'alert', change, alert };
}
