-- The operator's and finance reports read the rollups (migrations 100, 101) a time window at a time, for
-- all cameras at once.
CREATE INDEX camera_stat_buckets_bucket ON camera_stat_buckets (bucket);

-- Just-in-time compilation pays off for long analytic scans, not for this service's short statements:
-- measured with 200,000 captures on a loaded 2-core box, compiling the camera-figures statement took
-- 2-4 s of its 2-4 s (125 ms without). Applies to new sessions of this database.
-- Skipped (with a notice) where the migrating role does not own the database; then set it on the server.
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'jit not turned off for this database: %', SQLERRM;
END $$;
