-- Registry lookups, confusion-aware matching, dedup and no-parking sightings (issue 5).

-- Look-alike glyphs collapse to one symbol (0/D/O/Q/U, 1/7/I/J/L/T/Y, 5/S, 2/Z, 6/G, 4/A, 8/B/E/3), so
-- every plate a misread could stand for shares one indexed skeleton: a fuzzy lookup is a handful of
-- index probes, never a table scan. The mapping must stay identical to src/matching/confusion.ts.
ALTER TABLE vehicles ADD COLUMN plate_skeleton text
  GENERATED ALWAYS AS (translate(plate_key, 'OQDUIJLTY7SZGABE3', '00001111115264888')) STORED;
CREATE INDEX vehicles_plate_skeleton ON vehicles (plate_skeleton);

-- "Who answered for this vehicle at time t" is asked for every camera read.
CREATE INDEX vehicle_ownerships_vehicle_time ON vehicle_ownerships (vehicle_id, valid_from DESC);

-- Dedup slides with the latest evidence: a car parked for hours, or photographed twice in a row,
-- stays one violation. NULL on rows written before this column existed (read as occurred_at).
ALTER TABLE violations ADD COLUMN last_seen_at timestamptz;
ALTER TABLE violations ADD CONSTRAINT violations_last_seen_after_occurred
  CHECK (last_seen_at IS NULL OR last_seen_at >= occurred_at);
CREATE INDEX violations_dedup_vehicle ON violations (camera_id, rule, vehicle_id, occurred_at DESC)
  WHERE vehicle_id IS NOT NULL;

-- Every read plate at a no-parking camera: how long a vehicle has stood there is measured from its
-- earliest sighting in an unbroken run. One row per capture, so a retried job adds nothing.
CREATE TABLE parking_sightings (
  capture_id bigint PRIMARY KEY REFERENCES captures (id),
  camera_id  bigint NOT NULL REFERENCES cameras (id),
  plate_key  text NOT NULL CHECK (plate_key ~ '^[A-Z0-9]+$'),
  seen_at    timestamptz NOT NULL
);
CREATE INDEX parking_sightings_lookup ON parking_sightings (camera_id, plate_key, seen_at DESC);
