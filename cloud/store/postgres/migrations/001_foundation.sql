-- Foundation of the coordinator store: devices, what was received per lane, drop reports,
-- events with their thumbnails, and sensor series. Rows keep the full record as json (exact
-- round trip, NUL-safe); the columns beside it exist to filter and sort. Ids sort bytewise
-- (COLLATE "C") so pages come in the same order as the embedded store's.

CREATE TABLE devices (
  id   text COLLATE "C" PRIMARY KEY,
  site text NOT NULL,
  data json NOT NULL
);

-- One row per (device, lane, seq) ever stored: the idempotency key of ingest.
CREATE TABLE lane_records (
  device_id text COLLATE "C" NOT NULL,
  lane      text NOT NULL,
  seq       bigint NOT NULL,
  PRIMARY KEY (device_id, lane, seq)
);

-- Per lane: what is acknowledged (contiguous) and how many records were stored.
CREATE TABLE lane_state (
  device_id      text COLLATE "C" NOT NULL,
  lane           text NOT NULL,
  contiguous_seq bigint NOT NULL DEFAULT 0,
  stored_records bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (device_id, lane)
);

-- Ranges the edge reported dropped (disk budget, TTL); they count as "done" for the ack.
CREATE TABLE drop_ranges (
  device_id text COLLATE "C" NOT NULL,
  lane      text NOT NULL,
  first_seq bigint NOT NULL,
  last_seq  bigint NOT NULL,
  reason    text NOT NULL,
  data      json NOT NULL,
  PRIMARY KEY (device_id, lane, first_seq, last_seq)
);

CREATE TABLE events (
  id            text COLLATE "C" PRIMARY KEY,
  device_id     text COLLATE "C" NOT NULL,
  site          text COLLATE "C" NOT NULL,
  kind          text COLLATE "C" NOT NULL,
  severity      text,
  severity_rank smallint,
  time_ms       bigint NOT NULL,
  camera_id     text,
  label         text,
  rule          text,
  sensor_id     text,
  data          json NOT NULL
);
-- The same access paths as the embedded store's indexes: newest first, optionally narrowed
-- by site, device and kind; the other filters are checked on the rows these yield.
CREATE INDEX events_time        ON events (time_ms DESC, id DESC);
CREATE INDEX events_site        ON events (site, time_ms DESC, id DESC);
CREATE INDEX events_device      ON events (device_id, time_ms DESC, id DESC);
CREATE INDEX events_kind        ON events (kind, time_ms DESC, id DESC);
CREATE INDEX events_site_kind   ON events (site, kind, time_ms DESC, id DESC);
CREATE INDEX events_device_kind ON events (device_id, kind, time_ms DESC, id DESC);

CREATE TABLE thumbnails (
  event_id  text COLLATE "C" PRIMARY KEY,
  device_id text COLLATE "C" NOT NULL,
  meta      json NOT NULL,
  data      bytea NOT NULL
);

CREATE TABLE series_points (
  device_id text COLLATE "C" NOT NULL,
  sensor_id text COLLATE "C" NOT NULL,
  metric    text COLLATE "C" NOT NULL,
  window_s  bigint NOT NULL,
  start_ms  bigint NOT NULL,
  data      json NOT NULL,
  PRIMARY KEY (device_id, sensor_id, metric, window_s, start_ms)
);

-- Which aggregation windows exist per series, so a query picks one without scanning points.
CREATE TABLE series_windows (
  device_id text COLLATE "C" NOT NULL,
  sensor_id text COLLATE "C" NOT NULL,
  metric    text COLLATE "C" NOT NULL,
  window_s  bigint NOT NULL,
  PRIMARY KEY (device_id, sensor_id, metric, window_s)
);
