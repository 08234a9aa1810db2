-- Plate history for investigators (issue 14): "every sighting of plate X in the last 90 days" must
-- answer in milliseconds over tens of millions of reads. The plate is on plate_reads and the time on
-- captures, and no index spans two tables, so each read now carries its capture's time
-- (captured_at, never changed after ingest) and one index serves the lookup in time order.
-- It is also the column plate_reads will be partitioned by (issue 15).
--
-- The copy is kept by the database rather than by each writer: a BEFORE INSERT trigger takes it from
-- the capture the read belongs to, so it cannot disagree with the capture whoever inserts the read
-- (recognition stage, benchmarks, fixtures). It overwrites any value given.

ALTER TABLE plate_reads ADD COLUMN captured_at timestamptz;

CREATE FUNCTION plate_read_capture_time() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT captured_at INTO NEW.captured_at FROM captures WHERE id = NEW.capture_id;
  -- no such capture: NULL, and the row is refused (NOT NULL, then the foreign key)
  RETURN NEW;
END $$;

CREATE TRIGGER plate_reads_capture_time BEFORE INSERT OR UPDATE OF capture_id ON plate_reads
  FOR EACH ROW EXECUTE FUNCTION plate_read_capture_time();

UPDATE plate_reads r SET captured_at = c.captured_at FROM captures c WHERE c.id = r.capture_id;
ALTER TABLE plate_reads ALTER COLUMN captured_at SET NOT NULL;

-- newest first within a plate; id breaks ties for keyset pages. It also serves every lookup by
-- plate_key alone, so the former single-column index goes.
CREATE INDEX plate_reads_plate_time ON plate_reads (plate_key, captured_at DESC, id DESC);
DROP INDEX plate_reads_key;
