-- plate_reads partitioned by month of the capture's time (issue 15), months on the Vietnamese calendar
-- as in migration 091; reads older than the first monthly partition land in plate_reads_default. The
-- existing rows are moved into the new table in place (same ids; the id sequence carries on).
--
-- A partitioned table's primary and unique keys must contain the partition key, so the key is now
-- (id, captured_at) and "one read per capture and rank" is (capture_id, rank, captured_at): captured_at
-- is a function of capture_id, so that is still one row per capture and rank.
--
-- The one foreign key that references plate_reads, violation_evidence.plate_read_id, could either go
-- (replaced by a check in the writing transaction) or carry the time. It carries the time:
-- violation_evidence gets plate_read_captured_at, and (plate_read_id, plate_read_captured_at) references
-- (id, captured_at). Kept as a real foreign key, the database itself still refuses to delete a read that
-- is evidence of a violation (what protects evidence from a retention bug), and nothing that writes
-- evidence can name a read that does not exist; a check in the writer would protect only that writer.
--
-- The copy trigger of migration 111 cannot stay: a row is routed to its partition before BEFORE ROW
-- triggers run, and such a trigger may not move it to another. Writers now give captured_at (the
-- recognition stage takes it from the capture in the same INSERT), and an AFTER trigger refuses a read
-- whose time differs from its capture's, so the copy still cannot disagree.

ALTER TABLE violation_evidence ADD COLUMN plate_read_captured_at timestamptz;
UPDATE violation_evidence e SET plate_read_captured_at = r.captured_at FROM plate_reads r WHERE r.id = e.plate_read_id;
ALTER TABLE violation_evidence DROP CONSTRAINT violation_evidence_plate_read_id_fkey;
ALTER TABLE violation_evidence ADD CONSTRAINT violation_evidence_read_time CHECK ((plate_read_id IS NULL) = (plate_read_captured_at IS NULL));

DROP TRIGGER plate_reads_capture_time ON plate_reads;
DROP FUNCTION plate_read_capture_time();
ALTER TABLE plate_reads RENAME TO plate_reads_unpartitioned;
ALTER INDEX plate_reads_pkey RENAME TO plate_reads_unpartitioned_pkey;
ALTER INDEX plate_reads_capture_id_rank_key RENAME TO plate_reads_unpartitioned_capture_id_rank_key;
ALTER INDEX plate_reads_plate_time RENAME TO plate_reads_unpartitioned_plate_time;
-- the sequence would go with the old table
ALTER SEQUENCE plate_reads_id_seq OWNED BY NONE;

CREATE TABLE plate_reads (LIKE plate_reads_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY RANGE (captured_at);
ALTER SEQUENCE plate_reads_id_seq OWNED BY plate_reads.id;
ALTER TABLE plate_reads ADD PRIMARY KEY (id, captured_at);
ALTER TABLE plate_reads ADD CONSTRAINT plate_reads_capture_id_rank_key UNIQUE (capture_id, rank, captured_at);
ALTER TABLE plate_reads ADD CONSTRAINT plate_reads_capture_id_fkey FOREIGN KEY (capture_id) REFERENCES captures (id);
CREATE TABLE plate_reads_default PARTITION OF plate_reads DEFAULT;

-- every month that holds reads, up to three months ahead (the workers keep creating ahead)
SELECT ensure_month_partitions('plate_reads', first_month::date,
  ((extract(year FROM age(date_trunc('month', now() AT TIME ZONE 'Asia/Ho_Chi_Minh'), first_month)) * 12
    + extract(month FROM age(date_trunc('month', now() AT TIME ZONE 'Asia/Ho_Chi_Minh'), first_month)))::int + 4))
FROM (SELECT date_trunc('month', least(coalesce(min(captured_at), now()), now()) AT TIME ZONE 'Asia/Ho_Chi_Minh') AS first_month
      FROM plate_reads_unpartitioned) f;

INSERT INTO plate_reads SELECT * FROM plate_reads_unpartitioned;
DROP TABLE plate_reads_unpartitioned;

CREATE INDEX plate_reads_plate_time ON plate_reads (plate_key, captured_at DESC, id DESC);
ALTER TABLE violation_evidence ADD CONSTRAINT violation_evidence_plate_read_fkey
  FOREIGN KEY (plate_read_id, plate_read_captured_at) REFERENCES plate_reads (id, captured_at);

CREATE FUNCTION plate_read_time_matches_capture() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM captures WHERE id = NEW.capture_id AND captured_at = NEW.captured_at) THEN
    RAISE EXCEPTION 'plate read of capture % has captured_at % which is not the capture''s time', NEW.capture_id, NEW.captured_at
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER plate_reads_time_matches_capture AFTER INSERT OR UPDATE OF capture_id, captured_at ON plate_reads
  FOR EACH ROW EXECUTE FUNCTION plate_read_time_matches_capture();
