-- Form 04 (TT 73/2024 Điều 24): when a motorbike case is still unresolved 20 days after the notice was
-- sent, the handling unit sends a further notice to the commune/ward police where the owner lives. One per
-- escalated notice, numbered per unit and year like records and decisions, its PDF kept by sha256.
ALTER TABLE procedure_counters DROP CONSTRAINT procedure_counters_kind_check;
ALTER TABLE procedure_counters ADD CONSTRAINT procedure_counters_kind_check CHECK (kind IN ('BB', 'QD', 'TB'));

CREATE TABLE form04_notices (
  id              bigserial PRIMARY KEY,
  notice_id       bigint NOT NULL UNIQUE REFERENCES notices (id),
  form_number     text NOT NULL UNIQUE CHECK (form_number ~ '^TB-[A-Z0-9]{2,12}-[0-9]{4}-[0-9]{6}$'),
  issued_at       timestamptz NOT NULL,
  -- the commune/ward police serving the owner's address when it was issued; null when no unit is registered for it
  commune_unit_id bigint REFERENCES handling_units (id),
  pdf_sha256      char(64) CHECK (pdf_sha256 ~ '^[0-9a-f]{64}$'),
  pdf_rendered_at timestamptz,
  CHECK ((pdf_sha256 IS NULL) = (pdf_rendered_at IS NULL))
);
