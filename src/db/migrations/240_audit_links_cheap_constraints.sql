-- The chainer links a backlog at the speed of its inserts into audit_links (issue 15).
--
-- Measured on 300 000 links inserted in one statement: the three format checks cost ~12 µs a row
-- (PostgreSQL's regex engine runs `{64}` as 64 repeated states) and the unique index on `link` ~5 µs
-- a row while it fits in shared buffers, more past that: links are random hashes, so every insert
-- lands on another page of an index as large as all the links. A backlog of 1M rows linked onto a
-- chain of 4M: 27 000 rows/s with them, 82 000 without (BENCHMARKS.md, "Audit chainer"). The rows are
-- unchanged: the same links and seals, the same checks on what is stored.
--
-- 1. The unique index on `link` goes. It refused nothing the primary key does not: a link covers its
--    row's id (audit-log.ts, linkHash), so two rows with one link would need a SHA-256 collision, and
--    one row cannot be linked twice (id is the key, and the chainer holds AUDIT_CHAIN_LOCK). Nothing
--    looks a link up by its value: the verifier walks the links by id.
-- 2. Each format check says the same in a form the regex engine runs in one pass: 64 characters (a
--    char(64) shorter value is blank-padded, which length() does not count and the cast to text for
--    the regex drops) and none outside 0-9a-f.

ALTER TABLE audit_links
  DROP CONSTRAINT audit_links_link_key,
  DROP CONSTRAINT audit_links_prev_link_check,
  DROP CONSTRAINT audit_links_link_check,
  DROP CONSTRAINT audit_links_mac_check,
  ADD CONSTRAINT audit_links_prev_link_check CHECK (length(prev_link) = 64 AND prev_link !~ '[^0-9a-f]'),
  ADD CONSTRAINT audit_links_link_check CHECK (length(link) = 64 AND link !~ '[^0-9a-f]'),
  ADD CONSTRAINT audit_links_mac_check CHECK (length(mac) = 64 AND mac !~ '[^0-9a-f]');
