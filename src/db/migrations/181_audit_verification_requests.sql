-- Audit verification on request (issue 15): the API no longer walks the log itself (3M rows held the API
-- process for 28 s and 1.3 GB); it queues a verification job for the workers, which record the run here
-- like their nightly one. A requested run carries the request's id, so the console that asked for it
-- finds its result, and the administrator who asked. A nightly run has neither.
ALTER TABLE audit_verifications
  ADD COLUMN request_id   uuid UNIQUE,
  ADD COLUMN requested_by bigint REFERENCES users (id),
  ADD CONSTRAINT audit_verifications_requested CHECK (requested_by IS NULL OR request_id IS NOT NULL);
