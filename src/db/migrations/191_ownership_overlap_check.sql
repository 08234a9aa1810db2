-- Ownership periods of one vehicle never overlap (001: EXCLUDE USING gist). The gist index of that
-- constraint is written for every period, about 100 µs a row: most of a registry import's time spent on
-- ownership periods. The same guarantee, checked set-based: after each statement that adds or changes
-- periods, the periods of the vehicles it touched are read in order, once for the whole statement,
-- through the btree index vehicle_ownerships_vehicle_time (020). A 100 000-row import checks them in
-- one query instead of 100 000 gist insertions.
--
-- Two transactions writing the same vehicle's history take turns: the check first locks the vehicles
-- it touched (FOR NO KEY UPDATE: writers of one vehicle's periods wait for each other, the pipeline's
-- foreign-key checks on vehicles do not wait), and, in READ COMMITTED, its query then sees what the
-- transaction it waited for committed. A REPEATABLE READ or SERIALIZABLE transaction would keep an
-- older snapshot and could miss it, so periods are written in READ COMMITTED only (the default, and
-- what the application uses).
ALTER TABLE vehicle_ownerships DROP CONSTRAINT vehicle_ownerships_vehicle_id_tstzrange_excl;

CREATE FUNCTION vehicle_ownerships_no_overlap() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  clash record;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'thời hạn sở hữu chỉ được ghi trong giao dịch READ COMMITTED (đang là %)', current_setting('transaction_isolation')
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  PERFORM 1 FROM vehicles WHERE id IN (SELECT vehicle_id FROM touched) ORDER BY id FOR NO KEY UPDATE;
  -- sorted by start, periods overlap exactly when one ends after the next one starts (an open end never ends)
  SELECT w.vehicle_id, w.valid_from, w.valid_to, w.next_from INTO clash
  FROM (SELECT o.vehicle_id, o.valid_from, o.valid_to,
               lead(o.valid_from) OVER (PARTITION BY o.vehicle_id ORDER BY o.valid_from, o.id) AS next_from
        FROM vehicle_ownerships o WHERE o.vehicle_id IN (SELECT vehicle_id FROM touched)) w
  WHERE w.next_from IS NOT NULL AND (w.valid_to IS NULL OR w.valid_to > w.next_from)
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'thời hạn sở hữu của xe #% chồng lên nhau: từ % đến % và từ %', clash.vehicle_id, clash.valid_from,
      coalesce(clash.valid_to::text, 'nay'), clash.next_from
      USING ERRCODE = 'exclusion_violation';
  END IF;
  RETURN NULL;
END $$;

-- a trigger with transition tables takes one event each
CREATE TRIGGER vehicle_ownerships_no_overlap_insert AFTER INSERT ON vehicle_ownerships
  REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION vehicle_ownerships_no_overlap();
CREATE TRIGGER vehicle_ownerships_no_overlap_update AFTER UPDATE ON vehicle_ownerships
  REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION vehicle_ownerships_no_overlap();
