-- Camera figures read from indexes alone (issue 14: a camera's 24 h figures in < 50 ms with millions of reads).
--
-- The window's whole buckets are summed per camera from a primary key that carries the sums, so each camera's
-- range is one index-only scan (a bitmap scan of the heap took most of a 30-day read). Folds write the same
-- rows as before; the key is only wider.
ALTER TABLE camera_stat_buckets
  DROP CONSTRAINT camera_stat_buckets_pkey,
  ADD CONSTRAINT camera_stat_buckets_pkey PRIMARY KEY (camera_id, bucket)
    INCLUDE (captures, processed, with_valid_read, confidence_sum, confidence_n, dead_lettered);

-- Dead-lettered and waiting captures counted per camera without visiting the captures themselves: the partial
-- status index (migration 180) gives the rows, but their camera only from the heap, one random read each.
CREATE INDEX captures_open_by_camera ON captures (camera_id, status) WHERE status <> 'processed';
