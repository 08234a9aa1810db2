-- Migration 113 rebuilt plate_reads as a table partitioned by month after migration 100 had put the
-- camera-figure rollup's statement triggers on it; they went with the old table, so reads written or
-- deleted since would no longer mark their capture's bucket dirty and the figures would drift.
--
-- PostgreSQL 15 accepts statement triggers with transition tables on a partitioned parent (only row
-- triggers with transition tables are refused, and only on partitions): a statement that names the
-- parent fires them once, with the rows of every partition it touched, including partitions created
-- later by ensure_month_partitions. A statement naming a partition directly would not fire them;
-- every writer and retention names plate_reads itself.
--
-- Created only when missing: a database that applied 113 before 100 already has them on the parent.
DO $$
DECLARE
  missing boolean := false;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'plate_reads'::regclass AND tgname = 'plate_reads_stats_insert') THEN
    CREATE TRIGGER plate_reads_stats_insert AFTER INSERT ON plate_reads REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION mark_camera_stats_from_reads();
    missing := true;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'plate_reads'::regclass AND tgname = 'plate_reads_stats_delete') THEN
    CREATE TRIGGER plate_reads_stats_delete AFTER DELETE ON plate_reads REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION mark_camera_stats_from_reads();
    missing := true;
  END IF;
  -- reads may have changed while the triggers were missing: every bucket is rebuilt once, as in migration 100
  IF missing THEN
    INSERT INTO camera_stat_dirty (camera_id, bucket, txid)
    SELECT DISTINCT camera_id, camera_stat_bucket(received_at), 0 FROM captures
    ON CONFLICT DO NOTHING;
  END IF;
END $$;
