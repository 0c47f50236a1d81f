-- Presence shared by coordinator replicas: the newest live stream of each device, on whichever
-- replica holds it, refreshed while the device talks. A row of a killed replica simply ages out.
CREATE TABLE device_sessions (
  device_id       text COLLATE "C" PRIMARY KEY,
  replica_id      text NOT NULL,
  session_id      text NOT NULL,
  connected_at_ms bigint NOT NULL,
  last_message_ms bigint NOT NULL
);
