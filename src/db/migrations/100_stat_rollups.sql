-- Rollups behind the operator's camera figures and the finance totals (issue 14, scale): with millions of
-- captures and notices, both read per-bucket sums instead of the raw rows.
--
-- A bucket is never updated by the writes themselves (that would make every worker of one camera queue
-- on the same row): a write only marks its bucket dirty, one mark per transaction, from statement-level
-- triggers. The reader (src/cameras/camera-stat-rollup.ts, src/finance/totals-rollup.ts) takes the
-- committed marks and recomputes those buckets from the raw rows before answering, in one transaction;
-- marks of transactions still running stay for the next reader. Recomputing a bucket is idempotent.
-- Buckets are keyed on camera ids and times only, so they survive the tables being partitioned.

-- 10-minute buckets of captures by arrival time (captures.received_at), per camera.
CREATE TABLE camera_stat_buckets (
  camera_id       bigint NOT NULL REFERENCES cameras (id),
  bucket          timestamptz NOT NULL,
  captures        integer NOT NULL CHECK (captures >= 0),
  processed       integer NOT NULL CHECK (processed >= 0),
  -- processed captures with at least one read that fits a plate format
  with_valid_read integer NOT NULL CHECK (with_valid_read >= 0),
  -- confidence of the best read (lowest rank) of processed captures that have one, and how many have one
  confidence_sum  double precision NOT NULL,
  confidence_n    integer NOT NULL CHECK (confidence_n >= 0),
  dead_lettered   integer NOT NULL CHECK (dead_lettered >= 0),
  PRIMARY KEY (camera_id, bucket)
);

CREATE TABLE camera_stat_dirty (
  camera_id bigint NOT NULL,
  bucket    timestamptz NOT NULL,
  txid      bigint NOT NULL DEFAULT txid_current(),
  PRIMARY KEY (camera_id, bucket, txid)
);

-- recomputing one camera's bucket, and the raw edges of a window, read captures by camera and arrival
-- (captures_camera_received, migration 010)

CREATE FUNCTION camera_stat_bucket(t timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT date_bin('10 minutes', t, timestamptz '2000-01-01 00:00:00+00') $$;

CREATE FUNCTION mark_camera_stats_from_captures() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO camera_stat_dirty (camera_id, bucket)
    SELECT DISTINCT camera_id, camera_stat_bucket(received_at) FROM new_rows ON CONFLICT DO NOTHING;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO camera_stat_dirty (camera_id, bucket)
    SELECT DISTINCT camera_id, camera_stat_bucket(received_at) FROM old_rows ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION mark_camera_stats_from_reads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO camera_stat_dirty (camera_id, bucket)
    SELECT DISTINCT c.camera_id, camera_stat_bucket(c.received_at) FROM new_rows r JOIN captures c ON c.id = r.capture_id
    ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO camera_stat_dirty (camera_id, bucket)
    SELECT DISTINCT c.camera_id, camera_stat_bucket(c.received_at) FROM old_rows r JOIN captures c ON c.id = r.capture_id
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER captures_stats_insert AFTER INSERT ON captures REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mark_camera_stats_from_captures();
CREATE TRIGGER captures_stats_update AFTER UPDATE ON captures REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mark_camera_stats_from_captures();
CREATE TRIGGER captures_stats_delete AFTER DELETE ON captures REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mark_camera_stats_from_captures();
CREATE TRIGGER plate_reads_stats_insert AFTER INSERT ON plate_reads REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mark_camera_stats_from_reads();
CREATE TRIGGER plate_reads_stats_delete AFTER DELETE ON plate_reads REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mark_camera_stats_from_reads();

-- Everything already stored is dirty once: the first reader builds the buckets.
INSERT INTO camera_stat_dirty (camera_id, bucket, txid)
SELECT DISTINCT camera_id, camera_stat_bucket(received_at), 0 FROM captures;

-- Finance totals per Vietnam calendar day, camera and violation type: notices issued that day (count,
-- amount, and what of them is still unpaid now) and money received that day.
CREATE TABLE finance_day_totals (
  day              date NOT NULL,
  camera_id        bigint NOT NULL REFERENCES cameras (id),
  rule             text NOT NULL,
  issued_count     integer NOT NULL CHECK (issued_count >= 0),
  issued_amount    bigint NOT NULL CHECK (issued_amount >= 0),
  outstanding      bigint NOT NULL,
  collected_count  integer NOT NULL CHECK (collected_count >= 0),
  collected_amount bigint NOT NULL CHECK (collected_amount >= 0),
  PRIMARY KEY (day, camera_id, rule)
);

CREATE TABLE finance_dirty_days (
  day  date NOT NULL,
  txid bigint NOT NULL DEFAULT txid_current(),
  PRIMARY KEY (day, txid)
);

CREATE FUNCTION vn_day(t timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (t AT TIME ZONE 'Asia/Ho_Chi_Minh')::date $$;

-- A notice changes its issue day's figures; a payment its own day's and (outstanding) the issue day of
-- each notice it pays, directly or through a decision.
CREATE FUNCTION mark_finance_from_notices() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO finance_dirty_days (day) SELECT DISTINCT vn_day(issued_at) FROM new_rows ON CONFLICT DO NOTHING;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO finance_dirty_days (day) SELECT DISTINCT vn_day(issued_at) FROM old_rows ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION mark_finance_days_of_payments(rows_changed jsonb) RETURNS void LANGUAGE sql AS $$
  INSERT INTO finance_dirty_days (day)
  SELECT DISTINCT d FROM (
    SELECT vn_day((p->>'paid_at')::timestamptz) AS d FROM jsonb_array_elements(rows_changed) p
    UNION ALL
    SELECT vn_day(n.issued_at) FROM jsonb_array_elements(rows_changed) p JOIN notices n ON n.id = (p->>'notice_id')::bigint
    UNION ALL
    SELECT vn_day(n.issued_at) FROM jsonb_array_elements(rows_changed) p
      JOIN decision_items i ON i.decision_id = (p->>'decision_id')::bigint JOIN notices n ON n.id = i.notice_id
  ) days
  ON CONFLICT DO NOTHING
$$;

CREATE FUNCTION mark_finance_from_payments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM mark_finance_days_of_payments((SELECT coalesce(jsonb_agg(to_jsonb(r)), '[]') FROM new_rows r));
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM mark_finance_days_of_payments((SELECT coalesce(jsonb_agg(to_jsonb(r)), '[]') FROM old_rows r));
  END IF;
  RETURN NULL;
END $$;

-- an item added to a decision already paid moves that payment's shares
CREATE FUNCTION mark_finance_from_decision_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM mark_finance_days_of_payments((SELECT coalesce(jsonb_agg(to_jsonb(p)), '[]') FROM payments p
      WHERE p.decision_id IN (SELECT decision_id FROM new_rows)));
    INSERT INTO finance_dirty_days (day)
    SELECT DISTINCT vn_day(n.issued_at) FROM new_rows i JOIN notices n ON n.id = i.notice_id ON CONFLICT DO NOTHING;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM mark_finance_days_of_payments((SELECT coalesce(jsonb_agg(to_jsonb(p)), '[]') FROM payments p
      WHERE p.decision_id IN (SELECT decision_id FROM old_rows)));
    INSERT INTO finance_dirty_days (day)
    SELECT DISTINCT vn_day(n.issued_at) FROM old_rows i JOIN notices n ON n.id = i.notice_id ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER notices_finance_insert AFTER INSERT ON notices REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mark_finance_from_notices();
CREATE TRIGGER notices_finance_update AFTER UPDATE ON notices REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mark_finance_from_notices();
CREATE TRIGGER notices_finance_delete AFTER DELETE ON notices REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mark_finance_from_notices();
CREATE TRIGGER payments_finance_insert AFTER INSERT ON payments REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mark_finance_from_payments();
CREATE TRIGGER payments_finance_update AFTER UPDATE ON payments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mark_finance_from_payments();
CREATE TRIGGER payments_finance_delete AFTER DELETE ON payments REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mark_finance_from_payments();
CREATE TRIGGER decision_items_finance_insert AFTER INSERT ON decision_items REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mark_finance_from_decision_items();
CREATE TRIGGER decision_items_finance_update AFTER UPDATE ON decision_items REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mark_finance_from_decision_items();
CREATE TRIGGER decision_items_finance_delete AFTER DELETE ON decision_items REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mark_finance_from_decision_items();

INSERT INTO finance_dirty_days (day, txid)
SELECT vn_day(issued_at), 0 FROM notices UNION SELECT vn_day(paid_at), 0 FROM payments;
