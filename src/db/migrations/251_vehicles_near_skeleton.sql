-- Fuzzy plate matching stays an index lookup at any registry size (issue 14: p99 < 20 ms at 10M vehicles).
--
-- With the look-alike keys written into the query, PostgreSQL estimates `plate_skeleton_deletions && keys`
-- from the column's most common elements. In a registry of 10M vehicles, keys full of zeros (`18X0000`, the
-- deletions of plates such as 18X-000.04) are common elements, the estimate came out at ~300 000 rows for a
-- lookup that finds 174, and a lookup ran as a parallel scan of the whole table: 2.7-4 s instead of under
-- a millisecond, for about one plate read in three of the benchmark. A handful of keys never matches more than
-- a sliver of the registry, so the lookup is planned without the sequential scan.
CREATE FUNCTION vehicles_near_skeleton(keys text[]) RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE
SET enable_seqscan = off
AS $$
  SELECT id FROM vehicles WHERE plate_skeleton = ANY (keys) OR plate_skeleton_deletions && keys
$$;
