-- Evidence as the law needs it (issue 11): a camera event may carry several frames (before, at and after
-- the stop line) and a short video clip besides the image the plate is read from (captures.image_sha256,
-- frame 0). Stored content-addressed like that image, each verified by its sha256 whenever it is read.
CREATE TABLE capture_media (
  capture_id   bigint NOT NULL REFERENCES captures (id),
  seq          smallint NOT NULL CHECK (seq BETWEEN 1 AND 6),
  kind         text NOT NULL CHECK (kind IN ('frame', 'clip')),
  sha256       char(64) NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  bytes        integer NOT NULL CHECK (bytes > 0),
  content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp', 'video/mp4', 'video/webm')),
  width        integer CHECK (width > 0),
  height       integer CHECK (height > 0),
  PRIMARY KEY (capture_id, seq),
  CHECK ((kind = 'frame') = (content_type LIKE 'image/%')),
  CHECK (kind = 'clip' OR (width IS NOT NULL AND height IS NOT NULL))
);
-- at most one clip per capture
CREATE UNIQUE INDEX capture_media_one_clip ON capture_media (capture_id) WHERE kind = 'clip';
-- blob reference checks look media up by hash
CREATE INDEX capture_media_sha256 ON capture_media (sha256);
