-- The event bus between replicas rides on LISTEN/NOTIFY. Ids come from one sequence so that
-- every replica hands out ids in the same space (Last-Event-ID works across replicas); a payload
-- too large for a NOTIFY (8000 bytes) is parked here and fetched by id by the listeners.
CREATE SEQUENCE bus_message_id;

CREATE TABLE bus_overflow (
  id         bigint PRIMARY KEY,
  topic      text NOT NULL,
  data       json NOT NULL,
  created_ms bigint NOT NULL
);
CREATE INDEX bus_overflow_created ON bus_overflow (created_ms);
