-- Fuzzy lookup by deletion neighbours (issue 14). Looking up every skeleton one edit away from a read
-- (migration 020's plate_skeleton = ANY(...)) probes the index ~500 times a read. Two skeletons are one
-- edit apart exactly when one equals the other or one of its one-glyph deletions, or both share a
-- one-glyph deletion; so each vehicle keeps its skeleton's deletions, and a read probes its own skeleton
-- and deletions (about ten keys) in the skeleton index and in a GIN index on the deletions. Extra hits
-- (two swapped glyphs share a deletion too) are dropped by the caller's one-edit check.

CREATE FUNCTION plate_skeleton_deletions(skeleton text) RETURNS text[]
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT coalesce(array_agg(DISTINCT left(skeleton, i - 1) || substr(skeleton, i + 1)), '{}')
        FROM generate_series(1, length(skeleton)) AS i $$;

-- a generated column cannot read another one: the skeleton's translate() is repeated (same as 020 and confusion.ts)
ALTER TABLE vehicles ADD COLUMN plate_skeleton_deletions text[]
  GENERATED ALWAYS AS (plate_skeleton_deletions(translate(plate_key, 'OQDUIJLTY7SZGABE3', '00001111115264888'))) STORED;

-- fastupdate off: a pending list would be scanned linearly by every lookup after a registry import
CREATE INDEX vehicles_plate_skeleton_deletions ON vehicles USING gin (plate_skeleton_deletions) WITH (fastupdate = off);
ANALYZE vehicles;
