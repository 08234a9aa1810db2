-- The capture pipeline: recognition and rule evaluation run as two queued stages, so a capture
-- records when its plate reads were written (a capture with no plate still has recognised_at)
-- and the stage timings operators and the benchmark look at.

ALTER TABLE captures
  ADD COLUMN recognised_at  timestamptz,
  ADD COLUMN recognise_ms   integer CHECK (recognise_ms >= 0),
  -- drop-folder file name (or client file name) the image arrived as: lets an operator find the original upload
  ADD COLUMN source_name    text CHECK (source_name IS NULL OR length(source_name) BETWEEN 1 AND 255),
  ADD CONSTRAINT captures_processed_recognised CHECK (status <> 'processed' OR recognised_at IS NOT NULL);

-- per-camera operator statistics look at recent arrivals
CREATE INDEX captures_camera_received ON captures (camera_id, received_at DESC);
CREATE INDEX captures_dead_lettered ON captures (camera_id, processed_at DESC) WHERE status = 'dead_lettered';
