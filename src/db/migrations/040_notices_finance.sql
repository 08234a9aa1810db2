-- Penalty notices, escalation and finance (issue 6 part B).

-- Notice numbers run per issuing unit and calendar year (PN-<unit>-<year>-<000001>). A counter row
-- rather than a sequence: it is bumped inside the approval transaction, so a rolled-back approval
-- leaves no gap in the numbers the finance office reconciles against.
CREATE TABLE notice_counters (
  unit_code  text NOT NULL CHECK (unit_code ~ '^[A-Z0-9]{2,12}$'),
  year       integer NOT NULL CHECK (year BETWEEN 2000 AND 2200),
  last_value integer NOT NULL CHECK (last_value BETWEEN 1 AND 999999),
  PRIMARY KEY (unit_code, year)
);

ALTER TABLE notices ADD CONSTRAINT notices_number_format
  CHECK (notice_number ~ '^PN-[A-Z0-9]{2,12}-[0-9]{4}-[0-9]{6}$');
-- a rendered PDF has both its hash and its time, or neither
ALTER TABLE notices ADD CONSTRAINT notices_pdf_complete
  CHECK ((pdf_sha256 IS NULL) = (pdf_rendered_at IS NULL));

-- the batch renderer's work list, and the finance reports by period
CREATE INDEX notices_unrendered ON notices (id) WHERE pdf_sha256 IS NULL;
CREATE INDEX notices_issued_at ON notices (issued_at);
-- the inspection registry's list: notices escalated and not yet lifted
CREATE INDEX notices_escalated ON notices (escalated_at) WHERE escalated_at IS NOT NULL;
CREATE INDEX payments_paid_at ON payments (paid_at);
