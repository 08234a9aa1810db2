-- captures partitioned by month of captured_at (issue 15), like plate_reads (113) and parking_sightings
-- (091): months on the Vietnamese calendar, captures older than the first monthly partition in
-- captures_default, the existing rows moved into the new table in place (same ids; the id sequence
-- carries on).
--
-- A partitioned table's primary and unique keys must contain the partition key, so:
--
-- * The key is (id, captured_at), and every foreign key to a capture carries the capture's time.
--   plate_reads (captured_at) and parking_sightings (seen_at) hold it already; violation_evidence and
--   capture_media get captured_at. They stay real foreign keys: the database itself refuses to delete a
--   capture that is evidence (what protects evidence from a retention bug) and nothing can name a capture
--   that does not exist. ON UPDATE CASCADE: the copies are the capture's time and follow it should it
--   ever be corrected. With it, the trigger of 113 that refused a read whose time was not its capture's
--   is redundant (the foreign key refuses it) and goes.
--
-- * "One capture per camera and image" (a camera's retry gets the existing capture, not a second one;
--   ingest relied on UNIQUE (camera_id, image_sha256)) can no longer be a key of captures: with the time
--   in it, the same bytes sent again with another captured_at would become a second capture of the same
--   photo. The key moves to capture_keys, one row per capture, unpartitioned, kept by the database: a
--   statement trigger adds the keys of inserted captures (any writer: ingest, fixtures, benchmarks), so a
--   second capture of the same camera and image is refused with unique_violation on capture_keys_pkey
--   whichever partition it would land in; the key goes with its capture (ON DELETE CASCADE). Ingest
--   looks a repeated image up there (src/ingest/ingest-capture.ts).
--
-- Lookups by id alone (the pipeline's jobs carry the capture id) probe each partition's primary-key
-- index; lookups and deletions by time (retention, plate history, evidence) read only their months.

-- 1. the capture's time on the rows that reference a capture and do not hold it yet
ALTER TABLE violation_evidence ADD COLUMN captured_at timestamptz;
UPDATE violation_evidence e SET captured_at = c.captured_at FROM captures c WHERE c.id = e.capture_id;
ALTER TABLE violation_evidence ALTER COLUMN captured_at SET NOT NULL;
ALTER TABLE capture_media ADD COLUMN captured_at timestamptz;
UPDATE capture_media m SET captured_at = c.captured_at FROM captures c WHERE c.id = m.capture_id;
ALTER TABLE capture_media ALTER COLUMN captured_at SET NOT NULL;
-- seen_at is the capture's time by construction (migration 091); a sighting written from a time rounded to
-- the millisecond by the client would differ from a capture stamped in microseconds: it takes the capture's
UPDATE parking_sightings s SET seen_at = c.captured_at FROM captures c WHERE c.id = s.capture_id AND s.seen_at <> c.captured_at;

-- 2. the foreign keys to captures (id) go (names differ between databases: 091 renamed one), and the
-- evidence's key to plate_reads is rebuilt below with ON UPDATE CASCADE
DO $$
DECLARE
  fk record;
BEGIN
  FOR fk IN SELECT conrelid::regclass AS tbl, conname FROM pg_constraint
            WHERE contype = 'f' AND confrelid = 'captures'::regclass AND conparentid = 0 LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.tbl, fk.conname);
  END LOOP;
END $$;
ALTER TABLE violation_evidence DROP CONSTRAINT violation_evidence_plate_read_fkey;
DROP TRIGGER plate_reads_time_matches_capture ON plate_reads;
DROP FUNCTION plate_read_time_matches_capture();

-- 3. the old table steps aside; its index names are freed for the new table's
ALTER TABLE captures RENAME TO captures_unpartitioned;
ALTER TABLE captures_unpartitioned DROP CONSTRAINT captures_camera_id_image_sha256_key;
ALTER TABLE captures_unpartitioned RENAME CONSTRAINT captures_pkey TO captures_unpartitioned_pkey;
DROP INDEX captures_camera_time, captures_status, captures_camera_received, captures_dead_lettered,
  captures_captured_at, captures_image_sha256;
-- the sequence would go with the old table
ALTER SEQUENCE captures_id_seq OWNED BY NONE;

CREATE TABLE captures (LIKE captures_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY RANGE (captured_at);
ALTER SEQUENCE captures_id_seq OWNED BY captures.id;
ALTER TABLE captures ADD PRIMARY KEY (id, captured_at);
ALTER TABLE captures ADD CONSTRAINT captures_camera_id_fkey FOREIGN KEY (camera_id) REFERENCES cameras (id);
CREATE TABLE captures_default PARTITION OF captures DEFAULT;

-- every month that holds captures, up to three months ahead (the workers keep creating ahead)
SELECT ensure_month_partitions('captures', first_month::date,
  ((extract(year FROM age(date_trunc('month', now() AT TIME ZONE 'Asia/Ho_Chi_Minh'), first_month)) * 12
    + extract(month FROM age(date_trunc('month', now() AT TIME ZONE 'Asia/Ho_Chi_Minh'), first_month)))::int + 4))
FROM (SELECT date_trunc('month', least(coalesce(min(captured_at), now()), now()) AT TIME ZONE 'Asia/Ho_Chi_Minh') AS first_month
      FROM captures_unpartitioned) f;

-- the copy does not pass through the rollup triggers (created after it): the rows, and so the camera
-- figures' buckets, are the same as before
INSERT INTO captures SELECT * FROM captures_unpartitioned;
DROP TABLE captures_unpartitioned;

CREATE INDEX captures_camera_time ON captures (camera_id, captured_at DESC);
CREATE INDEX captures_status ON captures (status) WHERE status <> 'processed';
CREATE INDEX captures_camera_received ON captures (camera_id, received_at DESC);
CREATE INDEX captures_dead_lettered ON captures (camera_id, processed_at DESC) WHERE status = 'dead_lettered';
CREATE INDEX captures_captured_at ON captures (captured_at);
CREATE INDEX captures_image_sha256 ON captures (image_sha256);

-- the camera-figure rollup's triggers (migration 100) went with the old table; on the partitioned parent
-- they fire once per statement with the rows of every partition it touched (see migration 150)
CREATE TRIGGER captures_stats_insert AFTER INSERT ON captures REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mark_camera_stats_from_captures();
CREATE TRIGGER captures_stats_update AFTER UPDATE ON captures REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mark_camera_stats_from_captures();
CREATE TRIGGER captures_stats_delete AFTER DELETE ON captures REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mark_camera_stats_from_captures();

-- 4. one capture per camera and image, across every partition
CREATE TABLE capture_keys (
  camera_id    bigint NOT NULL,
  image_sha256 char(64) NOT NULL,
  capture_id   bigint NOT NULL UNIQUE,
  captured_at  timestamptz NOT NULL,
  PRIMARY KEY (camera_id, image_sha256)
);
INSERT INTO capture_keys (camera_id, image_sha256, capture_id, captured_at)
SELECT camera_id, image_sha256, id, captured_at FROM captures;
ALTER TABLE capture_keys ADD CONSTRAINT capture_keys_capture_fkey FOREIGN KEY (capture_id, captured_at)
  REFERENCES captures (id, captured_at) ON DELETE CASCADE ON UPDATE CASCADE;

CREATE FUNCTION add_capture_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO capture_keys (camera_id, image_sha256, capture_id, captured_at)
  SELECT camera_id, image_sha256, id, captured_at FROM new_rows;
  RETURN NULL;
END $$;
CREATE TRIGGER captures_keys_insert AFTER INSERT ON captures REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION add_capture_keys();

-- camera and image never change in the service; a row-level trigger (fires only when they do) keeps the
-- key describing its capture whoever changes them
CREATE FUNCTION move_capture_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE capture_keys SET camera_id = NEW.camera_id, image_sha256 = NEW.image_sha256 WHERE capture_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER captures_keys_update AFTER UPDATE OF camera_id, image_sha256 ON captures
  FOR EACH ROW WHEN (OLD.camera_id IS DISTINCT FROM NEW.camera_id OR OLD.image_sha256 IS DISTINCT FROM NEW.image_sha256)
  EXECUTE FUNCTION move_capture_key();

-- 5. the references, now on (id, captured_at)
ALTER TABLE plate_reads ADD CONSTRAINT plate_reads_capture_fkey FOREIGN KEY (capture_id, captured_at)
  REFERENCES captures (id, captured_at) ON UPDATE CASCADE;
ALTER TABLE parking_sightings ADD CONSTRAINT parking_sightings_capture_fkey FOREIGN KEY (capture_id, seen_at)
  REFERENCES captures (id, captured_at) ON UPDATE CASCADE;
ALTER TABLE violation_evidence ADD CONSTRAINT violation_evidence_capture_fkey FOREIGN KEY (capture_id, captured_at)
  REFERENCES captures (id, captured_at) ON UPDATE CASCADE;
ALTER TABLE violation_evidence ADD CONSTRAINT violation_evidence_plate_read_fkey FOREIGN KEY (plate_read_id, plate_read_captured_at)
  REFERENCES plate_reads (id, captured_at) ON UPDATE CASCADE;
ALTER TABLE capture_media ADD CONSTRAINT capture_media_capture_fkey FOREIGN KEY (capture_id, captured_at)
  REFERENCES captures (id, captured_at) ON UPDATE CASCADE;

-- 6. the rollup's join from reads to their captures reads one month per read
CREATE OR REPLACE FUNCTION mark_camera_stats_from_reads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO camera_stat_dirty (camera_id, bucket)
    SELECT DISTINCT c.camera_id, camera_stat_bucket(c.received_at)
    FROM new_rows r JOIN captures c ON c.id = r.capture_id AND c.captured_at = r.captured_at
    ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO camera_stat_dirty (camera_id, bucket)
    SELECT DISTINCT c.camera_id, camera_stat_bucket(c.received_at)
    FROM old_rows r JOIN captures c ON c.id = r.capture_id AND c.captured_at = r.captured_at
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
