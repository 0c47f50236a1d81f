-- Remote device management (cloud/devices/pg-device-admin-store.ts): versioned configs and
-- commands with their receipts.
CREATE TABLE device_config_versions (
  device_id text NOT NULL,
  version   integer NOT NULL,
  status    text NOT NULL,
  data      jsonb NOT NULL,
  PRIMARY KEY (device_id, version)
);

CREATE TABLE device_commands (
  id        text PRIMARY KEY,
  device_id text NOT NULL,
  status    text NOT NULL,
  data      jsonb NOT NULL
);
CREATE INDEX device_commands_device ON device_commands (device_id, id);
CREATE INDEX device_commands_open ON device_commands (device_id, id) WHERE status IN ('queued', 'sent');
