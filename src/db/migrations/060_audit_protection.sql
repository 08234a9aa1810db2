-- Audit trail protection (issue 13).
--
-- 1. The audit log is append-only in the database itself: UPDATE, DELETE and TRUNCATE raise an
--    error. Triggers bind every role, superusers included; a superuser can still disable them, which
--    the keyed checkpoints below then expose.
-- 2. Each new row carries `mac` = HMAC-SHA256(key, hash). The key lives outside the database
--    (AUDIT_HMAC_KEY / AUDIT_HMAC_KEY_FILE), so someone who can write to the table cannot append
--    a row, or rebuild the chain after an edit, that verifies. Rows written before this migration
--    have no mac; the constraint is NOT VALID so it binds new rows only.
-- 3. audit_checkpoints seal the chain head and the row count with the same key, periodically and
--    on demand: removing the newest rows or the whole table no longer leaves a "valid" chain.

CREATE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;

ALTER TABLE audit_log ADD COLUMN mac char(64) CHECK (mac ~ '^[0-9a-f]{64}$');
ALTER TABLE audit_log ADD CONSTRAINT audit_log_mac_present CHECK (mac IS NOT NULL) NOT VALID;

CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();

CREATE TABLE audit_checkpoints (
  id        bigserial PRIMARY KEY,
  taken_at  timestamptz NOT NULL,
  -- rows in audit_log when the checkpoint was taken, and the newest of them (0 / genesis when empty)
  row_count bigint NOT NULL CHECK (row_count >= 0),
  head_id   bigint NOT NULL CHECK (head_id >= 0),
  head_hash char(64) NOT NULL CHECK (head_hash ~ '^[0-9a-f]{64}$'),
  -- the previous checkpoint's mac: checkpoints form their own chain
  prev_mac  char(64) NOT NULL CHECK (prev_mac ~ '^[0-9a-f]{64}$'),
  mac       char(64) NOT NULL UNIQUE CHECK (mac ~ '^[0-9a-f]{64}$')
);

CREATE TRIGGER audit_checkpoints_no_update_delete BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();

-- An application role that may read and append but never change the audit trail, for deployments
-- that connect as a role other than the table owner: GRANT phat_app TO <login role>. Skipped (with a
-- notice) where the migrating role may not create roles; the triggers above protect either way.
DO $$
BEGIN
  BEGIN
    CREATE ROLE phat_app NOLOGIN;
  EXCEPTION WHEN duplicate_object OR insufficient_privilege OR unique_violation THEN
    RAISE NOTICE 'role phat_app not created: %', SQLERRM;
  END;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'phat_app') THEN
    GRANT SELECT, INSERT ON audit_log, audit_checkpoints TO phat_app;
    GRANT USAGE ON SEQUENCE audit_log_id_seq, audit_checkpoints_id_seq TO phat_app;
    REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, audit_checkpoints FROM phat_app;
  END IF;
END $$;
