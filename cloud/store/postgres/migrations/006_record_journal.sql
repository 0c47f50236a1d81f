-- The record journal (cloud/store/journal.ts): stored records and alert changes still to be
-- handed to the external bus. Written in the ingest transaction; removed once acknowledged.
CREATE TABLE record_journal (
  id   bigserial PRIMARY KEY,
  data json NOT NULL
);
