-- Indexes behind the admin API: the review queue's filters, finding an officer's open claims, and
-- the audit trail of one entity (read newest first).

CREATE INDEX violations_review_camera ON violations (camera_id, occurred_at) WHERE status = 'pending_review';
CREATE INDEX violations_claimed_by ON violations (claimed_by) WHERE claimed_by IS NOT NULL;
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, id DESC);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id DESC) WHERE actor_id IS NOT NULL;

-- A claim only means something while the case awaits review: a decided case holding a claim would
-- show an officer as "working on" something that is already closed.
ALTER TABLE violations ADD CONSTRAINT violations_decided_unclaimed
  CHECK (status = 'pending_review' OR claimed_by IS NULL);
