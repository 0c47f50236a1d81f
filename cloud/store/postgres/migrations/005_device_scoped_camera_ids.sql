-- Camera event rows and thumbnails were keyed by the edge's event id alone, so a second device
-- sending the same event id overwrote the first device's row. They are now keyed by
-- <device>.camera.<event id> (cameraRowId); each old id stays resolvable, to the record it named,
-- through legacy_event_ids. Old camera ids are the ones without "." (seq row ids all have one).

CREATE TABLE legacy_event_ids (
  kind      text NOT NULL CHECK (kind IN ('event', 'thumbnail')),
  legacy_id text COLLATE "C" NOT NULL,
  id        text COLLATE "C" NOT NULL,
  PRIMARY KEY (kind, legacy_id)
);

INSERT INTO legacy_event_ids (kind, legacy_id, id)
  SELECT 'event', id, device_id || '.camera.' || id FROM events WHERE strpos(id, '.') = 0;
INSERT INTO legacy_event_ids (kind, legacy_id, id)
  SELECT 'thumbnail', event_id, device_id || '.camera.' || event_id FROM thumbnails WHERE strpos(event_id, '.') = 0;

-- The row's json is rewritten as text (jsonb would refuse a \u0000 a device sent): the first
-- "id":"<old id>" is the top-level id, since only scalar fields precede it and a quote inside a
-- string value is escaped.
UPDATE events
   SET id = device_id || '.camera.' || id,
       data = regexp_replace(data::text, '"id":"' || id || '"', '"id":"' || device_id || '.camera.' || id || '"')::json
 WHERE strpos(id, '.') = 0;

-- meta.eventId is not read back: the event_id column is the thumbnail's id.
UPDATE thumbnails SET event_id = device_id || '.camera.' || event_id WHERE strpos(event_id, '.') = 0;
