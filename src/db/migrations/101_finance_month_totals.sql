-- Finance totals per Vietnam calendar month, camera and violation type: the sums of finance_day_totals
-- (migration 100) for each month, kept by the same fold (src/finance/totals-rollup.ts), so that a
-- twelve-month report adds up a few thousand rows instead of every day of the year.
CREATE TABLE finance_month_totals (
  month            date NOT NULL CHECK (extract(day FROM month) = 1),
  camera_id        bigint NOT NULL REFERENCES cameras (id),
  rule             text NOT NULL,
  issued_count     integer NOT NULL CHECK (issued_count >= 0),
  issued_amount    bigint NOT NULL CHECK (issued_amount >= 0),
  outstanding      bigint NOT NULL,
  collected_count  integer NOT NULL CHECK (collected_count >= 0),
  collected_amount bigint NOT NULL CHECK (collected_amount >= 0),
  PRIMARY KEY (month, camera_id, rule)
);

-- every month that has days is folded again by the next reader
INSERT INTO finance_dirty_days (day, txid)
SELECT DISTINCT date_trunc('month', day)::date, 0 FROM finance_day_totals
ON CONFLICT DO NOTHING;
