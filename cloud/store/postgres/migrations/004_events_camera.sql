-- Camera pages (the console's event list of one camera) without walking every event: a
-- partial index, since telemetry and alarms (most rows) have no camera.
CREATE INDEX events_camera ON events (camera_id, time_ms DESC, id DESC) WHERE camera_id IS NOT NULL;
