-- Citizen reports (cloud/reports/pg-report-store.ts) and their re-encoded photos.
CREATE TABLE citizen_reports (
  id       text PRIMARY KEY,
  category text NOT NULL,
  data     jsonb NOT NULL
);

CREATE TABLE citizen_report_images (
  report_id text NOT NULL REFERENCES citizen_reports (id),
  idx       integer NOT NULL,
  data      bytea NOT NULL,
  PRIMARY KEY (report_id, idx)
);
