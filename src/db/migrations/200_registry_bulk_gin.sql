-- A registry import writes the GIN index of skeleton deletions (170) for every vehicle it adds. With
-- fastupdate off each row's ~9 keys went into the tree one by one: about 40% of the vehicles merge
-- (measured at 100,000 vehicles: 3.9-4.7 s of backend CPU with it off, 2.9-3.1 s with a pending list).
-- fastupdate on queues new entries in a pending list that is merged into the tree sorted, in bulk, once it
-- passes gin_pending_list_limit. Every lookup scans that list linearly, so it is kept short: 64 kB for
-- ordinary writers (set for the database below; no limit on the index itself, or the import's own
-- setting would be ignored). An import raises the limit for its own transaction and empties the list
-- with gin_clean_pending_list before it commits (src/registry/staged-merge.ts).
ALTER INDEX vehicles_plate_skeleton_deletions SET (fastupdate = on);

-- Applies to new sessions of this database; skipped (with a notice) where the migrating role does not
-- own the database: then set it on the server (lookups stay correct, only slower by a longer list).
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET gin_pending_list_limit = %L', current_database(), '64kB');
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'gin_pending_list_limit not set for this database: %', SQLERRM;
END $$;

-- The same deletions (as a set: the GIN index and the lookup's && ignore order) at about half the cost
-- of the aggregate over generate_series, which ran for every vehicle written (~7 µs a row). Deleting any
-- glyph of a run of equal glyphs gives the same string, and glyphs of different runs give different
-- strings: one deletion per run is exactly the distinct set.
CREATE OR REPLACE FUNCTION plate_skeleton_deletions(skeleton text) RETURNS text[]
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
DECLARE
  out text[] := '{}';
BEGIN
  FOR i IN 1 .. length(skeleton) LOOP
    IF i = 1 OR substr(skeleton, i, 1) <> substr(skeleton, i - 1, 1) THEN
      out := out || (left(skeleton, i - 1) || substr(skeleton, i + 1));
    END IF;
  END LOOP;
  RETURN out;
END $$;
