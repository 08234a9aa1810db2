-- Audited writes without one global lock (issue 15).
--
-- Until now every audited transaction took one advisory lock to read the chain head and link its row
-- to it, so all audited writes of the system ran one at a time, each holding the lock until it
-- committed. From here on:
--
-- 1. A writer appends its row complete and sealed, but unlinked: `hash` covers the row's content
--    (prev_hash is NULL) and `mac` = HMAC(key, hash) is written with it, so an edit or a row forged
--    without the key shows at once, before any chaining. Writers no longer wait for each other.
-- 2. A chainer (workers, every few seconds, and before every checkpoint) links committed rows in id
--    order into audit_links: link = sha256(id, previous link, row hash), sealed with the key. A row
--    deleted after it was linked breaks the next link; a chain rebuilt without the key has wrong seals.
-- 3. Ids are drawn before commit, so a lower id may commit after a higher one: the chainer skips a
--    gap (a rolled-back transaction) only once every transaction that could still fill it has ended
--    (see src/audit/audit-chainer.ts); otherwise it stops at the gap and links it on a later run.
-- 4. Checkpoints seal the newest linked row (its link) and the number of rows up to it, as before.
--
-- The links live in their own append-only table because audit_log refuses UPDATE. No foreign key to
-- audit_log: the verifier checks the two tables against each other, and a key would let nothing more
-- be refused (both tables already refuse UPDATE, DELETE and TRUNCATE).

ALTER TABLE audit_log ALTER COLUMN prev_hash DROP NOT NULL;

CREATE TABLE audit_links (
  -- audit_log.id of the row this link covers
  id        bigint PRIMARY KEY,
  prev_link char(64) NOT NULL CHECK (prev_link ~ '^[0-9a-f]{64}$'),
  link      char(64) NOT NULL UNIQUE CHECK (link ~ '^[0-9a-f]{64}$'),
  mac       char(64) NOT NULL CHECK (mac ~ '^[0-9a-f]{64}$'),
  linked_at timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER audit_links_no_update_delete BEFORE UPDATE OR DELETE ON audit_links
  FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER audit_links_no_truncate BEFORE TRUNCATE ON audit_links
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'phat_app') THEN
    GRANT SELECT, INSERT ON audit_links TO phat_app;
    REVOKE UPDATE, DELETE, TRUNCATE ON audit_links FROM phat_app;
  END IF;
END $$;
