-- Webhooks (cloud/webhooks/pg-webhook-store.ts): the durable delivery queue with leases (one
-- replica sends a delivery at a time), every attempt's log line, the endpoints' health.
CREATE TABLE webhook_deliveries (
  id               text PRIMARY KEY,
  endpoint         text NOT NULL,
  state            text NOT NULL,
  next_attempt_ms  bigint NOT NULL,
  lease_until_ms   bigint NOT NULL DEFAULT 0,
  data             jsonb NOT NULL
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (endpoint, id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint, id);

CREATE TABLE webhook_attempts (
  delivery_id text NOT NULL REFERENCES webhook_deliveries (id),
  attempt     integer NOT NULL,
  data        jsonb NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
);

CREATE TABLE webhook_endpoints (
  name text PRIMARY KEY,
  data jsonb NOT NULL
);
