-- The API audit trail (cloud/audit/pg-audit-store.ts): every write, also refused ones. Append-only.
CREATE TABLE api_audit (
  id     text PRIMARY KEY,
  at_ms  bigint NOT NULL,
  actor  text NOT NULL,
  data   jsonb NOT NULL
);
CREATE INDEX api_audit_actor ON api_audit (actor, id);

CREATE FUNCTION api_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'api_audit is append-only';
END
$$;
CREATE TRIGGER api_audit_no_change BEFORE UPDATE OR DELETE ON api_audit
  FOR EACH ROW EXECUTE FUNCTION api_audit_append_only();
