// The record journal's writer on PostgreSQL (table record_journal, migration 006): whoever stores
// something the external bus must see inserts the entry inside its own transaction, so the entry
// commits with what it describes — ingest for records, the triage store for alert changes.
import type pg from 'pg';
import type { JournalData } from '../contract/journal.js';

export class PgJournal {
  /** Set by enableJournal() (a publisher is running); until then nothing is journaled. */
  enabled = false;

  /** Journals data in the caller's transaction (`client` is between BEGIN and COMMIT). */
  async insert(client: Pick<pg.PoolClient, 'query'>, data: JournalData): Promise<void> {
    if (!this.enabled) return;
    await client.query('INSERT INTO record_journal (data) VALUES ($1::json)', [JSON.stringify(data)]);
  }
}
