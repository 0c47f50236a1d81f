-- Triage (cloud/triage/pg-triage-store.ts): alerts with a unique source (one alert per alarm,
-- camera event or citizen report, across replicas), their append-only audit log, settings.
CREATE TABLE triage_alerts (
  id            text PRIMARY KEY,
  source_key    text NOT NULL UNIQUE,
  state         text NOT NULL,
  kind          text NOT NULL,
  site          text,
  severity_rank integer NOT NULL,
  open_dispatch boolean NOT NULL DEFAULT false,
  data          jsonb NOT NULL
);
CREATE INDEX triage_alerts_state ON triage_alerts (state, id);
CREATE INDEX triage_alerts_open_dispatch ON triage_alerts (id) WHERE open_dispatch;

CREATE TABLE triage_audit (
  alert_id text NOT NULL REFERENCES triage_alerts (id),
  seq      integer NOT NULL,
  at_ms    bigint NOT NULL,
  data     jsonb NOT NULL,
  PRIMARY KEY (alert_id, seq)
);

-- Append-only: an audit log that can be edited proves nothing.
CREATE FUNCTION triage_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'triage_audit is append-only';
END
$$;
CREATE TRIGGER triage_audit_no_change BEFORE UPDATE OR DELETE ON triage_audit
  FOR EACH ROW EXECUTE FUNCTION triage_audit_append_only();

CREATE TABLE triage_settings (
  key  text PRIMARY KEY,
  data jsonb NOT NULL
);
