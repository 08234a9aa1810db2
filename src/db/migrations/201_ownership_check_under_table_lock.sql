-- The overlap check of 191 locks every vehicle a statement touched (FOR NO KEY UPDATE) so two writers of
-- one vehicle's periods take turns. A registry import touches hundreds of thousands of vehicles, and
-- locking each wrote its tuple once more: ~9 µs a row, about a third of inserting the periods. An import
-- instead takes the table lock SHARE ROW EXCLUSIVE on vehicle_ownerships for its merge (no other
-- transaction can then write any period until it commits; readers are not held up), and a transaction
-- holding that lock or a stronger one has no other writer to take turns with: the row locks are skipped.
CREATE OR REPLACE FUNCTION vehicle_ownerships_no_overlap() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  clash record;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'thời hạn sở hữu chỉ được ghi trong giao dịch READ COMMITTED (đang là %)', current_setting('transaction_isolation')
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF NOT EXISTS (
    SELECT 1 FROM pg_locks
    WHERE locktype = 'relation' AND relation = 'vehicle_ownerships'::regclass AND pid = pg_backend_pid() AND granted
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND mode IN ('ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')) THEN
    PERFORM 1 FROM vehicles WHERE id IN (SELECT vehicle_id FROM touched) ORDER BY id FOR NO KEY UPDATE;
  END IF;
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
