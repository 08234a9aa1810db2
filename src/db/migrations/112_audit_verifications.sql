-- Audit verification runs (issue 15): the workers verify the audit log on a schedule, outside the API
-- process, and each run resumes after the newest checkpoint an earlier successful run verified, so a
-- nightly run reads one day of rows rather than the whole log. This table is the record of those
-- runs: where each started and reached, and what it found. It vouches for nothing by itself (the
-- checkpoints' seals do); a full run (`npm run audit:verify`) re-reads everything whenever wanted.
-- Checkpoint ids are not foreign keys: a record of what a run saw must survive whatever later happens
-- to the checkpoints (a resumed run refuses a checkpoint that is gone).
CREATE TABLE audit_verifications (
  id                  bigserial PRIMARY KEY,
  started_at          timestamptz NOT NULL,
  finished_at         timestamptz NOT NULL,
  -- the checkpoint this run resumed after (NULL: it read the log from the first row)
  resumed_after       bigint,
  ok                  boolean NOT NULL,
  -- rows in the log as the run counted them (up to the resume point as its checkpoint counted them)
  log_rows            bigint NOT NULL CHECK (log_rows >= 0),
  -- newest checkpoint whose head the rows matched: where the next run resumes (when ok)
  verified_checkpoint bigint,
  problem             text,
  first_bad_id        bigint,
  CHECK (ok = (problem IS NULL))
);
CREATE INDEX audit_verifications_ok ON audit_verifications (id DESC) WHERE ok;
