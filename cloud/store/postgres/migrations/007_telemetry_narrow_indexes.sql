-- Telemetry rows (most rows: one per sensor window) leave the single-column site, device and kind
-- indexes, as in the embedded store's layout 4: three fewer index entries per row written. They
-- stay in the time, site+kind and device+kind indexes; a query by site or device alone reads the
-- telemetry rows from site+kind or device+kind and merges them with these (event-sql.ts).
DROP INDEX events_site;
DROP INDEX events_device;
DROP INDEX events_kind;
CREATE INDEX events_site   ON events (site, time_ms DESC, id DESC)      WHERE kind <> 'telemetry';
CREATE INDEX events_device ON events (device_id, time_ms DESC, id DESC) WHERE kind <> 'telemetry';
CREATE INDEX events_kind   ON events (kind, time_ms DESC, id DESC)      WHERE kind <> 'telemetry';
