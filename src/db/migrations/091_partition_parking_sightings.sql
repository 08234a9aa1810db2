-- Monthly partitions (issue 15), first for the parking sightings: a no-parking camera writes one row per
-- read plate, and every dwell lookup asks for a window of time, which now touches one or two monthly
-- partitions instead of the whole history. Months follow the Vietnamese calendar (Asia/Ho_Chi_Minh).
-- Rows outside every monthly partition (a capture stamped long ago) land in the default partition.

-- Creates the monthly partitions of `parent` for `months` months from the month of `first_month`
-- (those missing); returns how many it created. Serialised per table: workers may call it at once.
CREATE FUNCTION ensure_month_partitions(parent text, first_month date, months int) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  m date;
  part text;
  created int := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('partitions:' || parent));
  FOR i IN 0 .. months - 1 LOOP
    m := (date_trunc('month', first_month) + make_interval(months => i))::date;
    part := parent || '_p' || to_char(m, 'YYYYMM');
    IF to_regclass(part) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', part, parent,
        m::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh', (m + interval '1 month')::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh');
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END $$;

ALTER TABLE parking_sightings RENAME TO parking_sightings_unpartitioned;
ALTER INDEX parking_sightings_pkey RENAME TO parking_sightings_unpartitioned_pkey;
ALTER INDEX parking_sightings_lookup RENAME TO parking_sightings_unpartitioned_lookup;

-- the primary key must contain the partition key; seen_at is the capture's time, so it is still one row per capture
CREATE TABLE parking_sightings (
  capture_id bigint NOT NULL REFERENCES captures (id),
  camera_id  bigint NOT NULL REFERENCES cameras (id),
  plate_key  text NOT NULL CHECK (plate_key ~ '^[A-Z0-9]+$'),
  seen_at    timestamptz NOT NULL,
  PRIMARY KEY (capture_id, seen_at)
) PARTITION BY RANGE (seen_at);
CREATE TABLE parking_sightings_default PARTITION OF parking_sightings DEFAULT;

-- every month that holds sightings, up to three months ahead (the workers keep creating ahead)
SELECT ensure_month_partitions('parking_sightings', first_month::date,
  ((extract(year FROM age(date_trunc('month', now() AT TIME ZONE 'Asia/Ho_Chi_Minh'), first_month)) * 12
    + extract(month FROM age(date_trunc('month', now() AT TIME ZONE 'Asia/Ho_Chi_Minh'), first_month)))::int + 4))
FROM (SELECT date_trunc('month', least(coalesce(min(seen_at), now()), now()) AT TIME ZONE 'Asia/Ho_Chi_Minh') AS first_month
      FROM parking_sightings_unpartitioned) f;

INSERT INTO parking_sightings (capture_id, camera_id, plate_key, seen_at)
SELECT capture_id, camera_id, plate_key, seen_at FROM parking_sightings_unpartitioned;
DROP TABLE parking_sightings_unpartitioned;

CREATE INDEX parking_sightings_lookup ON parking_sightings (camera_id, plate_key, seen_at DESC);
