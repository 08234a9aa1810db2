-- A plate's sightings from one index (issue 14: "every sighting of plate X in 90 days", p99 < 50 ms over a
-- province-year of reads).
--
-- A page of 50 sightings read the plate's entries from plate_reads_plate_time, then each read's heap row and its
-- capture (for the camera) in another monthly partition: ~150 scattered pages a page of sightings. On 15M reads
-- over 5 months (16 GB) that was p50 49 ms, p99 96 ms, with ~200-370 pages read from disk a lookup once the
-- working set no longer fitted in memory. A read now carries its capture's camera, and the index carries what a
-- sighting shows, so a page is an index-only range scan of a few adjacent pages.
--
-- The camera is the capture's, kept so by the database, not by each writer: filled from the capture on insert
-- and moved with it if a capture's camera is ever corrected. A writer that inserts the capture in the same
-- statement (where the capture is not visible yet) gives the camera itself.
--
-- On an existing database the backfill rewrites every read once (about a minute per few million reads).
ALTER TABLE plate_reads ADD COLUMN camera_id bigint;
UPDATE plate_reads r SET camera_id = c.camera_id FROM captures c WHERE c.id = r.capture_id AND c.captured_at = r.captured_at;
ALTER TABLE plate_reads ALTER COLUMN camera_id SET NOT NULL;

CREATE FUNCTION plate_read_camera() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  capture_camera bigint;
BEGIN
  SELECT camera_id INTO capture_camera FROM captures WHERE id = NEW.capture_id AND captured_at = NEW.captured_at;
  IF FOUND THEN
    NEW.camera_id := capture_camera;
  ELSIF NEW.camera_id IS NULL THEN
    -- the foreign key's own refusal, which would otherwise only come after the camera's NOT NULL
    RAISE EXCEPTION 'insert on table "plate_reads" violates foreign key constraint "plate_reads_capture_fkey"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'plate_reads_capture_fkey',
            DETAIL = format('No capture %s taken at %s.', NEW.capture_id, NEW.captured_at);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER plate_reads_camera BEFORE INSERT ON plate_reads FOR EACH ROW EXECUTE FUNCTION plate_read_camera();

CREATE OR REPLACE FUNCTION move_capture_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE capture_keys SET camera_id = NEW.camera_id, image_sha256 = NEW.image_sha256 WHERE capture_id = NEW.id;
  IF OLD.camera_id IS DISTINCT FROM NEW.camera_id THEN
    UPDATE plate_reads SET camera_id = NEW.camera_id WHERE capture_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;

CREATE INDEX plate_reads_sightings ON plate_reads (plate_key, captured_at DESC, id DESC)
  INCLUDE (camera_id, capture_id, plate_text, confidence);
DROP INDEX plate_reads_plate_time;
