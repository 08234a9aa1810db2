-- The penalty procedure as TT 73/2024 Điều 24 and NĐ 168/2024 Điều 47, 50 run it (issue 11): handling
-- units, the owner's response, violation records, penalty decisions paid against their own number, and
-- the licence-points ledger.

-- Units that detect violations and handle cases: the provincial traffic police (PC08) and the commune/ward
-- police a case can be forwarded to. `commune` and `province` are the area served (two-level addresses since
-- 1/7/2025); a traffic-police unit serves a whole province and has no commune.
CREATE TABLE handling_units (
  id          bigserial PRIMARY KEY,
  code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9]{2,12}$'),
  kind        text NOT NULL CHECK (kind IN ('traffic_police', 'commune_police')),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  parent_name text CHECK (parent_name IS NULL OR length(parent_name) BETWEEN 1 AND 200),
  address     text NOT NULL CHECK (length(address) BETWEEN 1 AND 300),
  phone       text NOT NULL CHECK (phone ~ '^\+?[0-9]{9,12}$'),
  commune     text CHECK (commune IS NULL OR length(commune) BETWEEN 1 AND 100),
  province    text NOT NULL CHECK (length(province) BETWEEN 1 AND 100),
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'commune_police') = (commune IS NOT NULL))
);
CREATE UNIQUE INDEX handling_units_commune ON handling_units (lower(commune), lower(province)) WHERE kind = 'commune_police';

ALTER TABLE cameras ADD COLUMN detecting_unit_id bigint REFERENCES handling_units (id);

-- The unit that handles the case: the camera's detecting unit at issue, the owner's commune/ward police once forwarded.
ALTER TABLE notices ADD COLUMN handling_unit_id bigint REFERENCES handling_units (id);
ALTER TABLE notices ADD COLUMN forwarded_at timestamptz;
-- where an unresolved notice went after 20 days: cars and trucks to the inspection registry and the
-- registration authority, motorbikes (not inspected) as form 04 to the commune/ward police of the owner
ALTER TABLE notices ADD COLUMN escalation_kind text CHECK (escalation_kind IN ('inspection_registry', 'commune_police'));
ALTER TABLE notices ADD CONSTRAINT notices_escalation_kind CHECK (escalated_at IS NULL OR escalation_kind IS NOT NULL);

-- Who the violator is, as the owner answered (NĐ 168 Đ47.8): the owner drove, the owner named the driver,
-- or the owner did not cooperate and is fined as owner. One answer per notice, entered by an officer.
CREATE TABLE owner_responses (
  id                 bigserial PRIMARY KEY,
  notice_id          bigint NOT NULL UNIQUE REFERENCES notices (id),
  response           text NOT NULL CHECK (response IN ('owner_is_driver', 'driver_named', 'non_cooperation')),
  violator_kind      text NOT NULL CHECK (violator_kind IN ('person', 'organisation')),
  violator_name      text NOT NULL CHECK (length(violator_name) BETWEEN 1 AND 200),
  -- personal ID number (12 digits) of a person, tax code or ID code of an organisation
  violator_id_number text NOT NULL CHECK (violator_id_number ~ '^[0-9]{10,13}(-?[0-9]{3})?$'),
  violator_address   text NOT NULL,
  licence_number     text CHECK (licence_number ~ '^[0-9]{12}$'),
  recorded_by        bigint NOT NULL REFERENCES users (id),
  recorded_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (violator_kind <> 'person' OR violator_id_number ~ '^[0-9]{12}$'),
  CHECK (response <> 'driver_named' OR (violator_kind = 'person' AND licence_number IS NOT NULL))
);

-- Record and decision numbers run per unit, kind and year, like notice numbers.
CREATE TABLE procedure_counters (
  kind       text NOT NULL CHECK (kind IN ('BB', 'QD')),
  unit_code  text NOT NULL,
  year       integer NOT NULL,
  last_value integer NOT NULL CHECK (last_value BETWEEN 1 AND 999999),
  PRIMARY KEY (kind, unit_code, year)
);

CREATE TABLE violation_records (
  id               bigserial PRIMARY KEY,
  record_number    text NOT NULL UNIQUE CHECK (record_number ~ '^BB-[A-Z0-9]{2,12}-[0-9]{4}-[0-9]{6}$'),
  notice_id        bigint NOT NULL UNIQUE REFERENCES notices (id),
  response_id      bigint NOT NULL REFERENCES owner_responses (id),
  handling_unit_id bigint NOT NULL REFERENCES handling_units (id),
  made_at          timestamptz NOT NULL,
  signed_by        bigint NOT NULL REFERENCES users (id),
  statement        text,
  pdf_sha256       char(64) CHECK (pdf_sha256 ~ '^[0-9a-f]{64}$'),
  pdf_rendered_at  timestamptz,
  CHECK ((pdf_sha256 IS NULL) = (pdf_rendered_at IS NULL))
);

CREATE TABLE penalty_decisions (
  id                 bigserial PRIMARY KEY,
  decision_number    text NOT NULL UNIQUE CHECK (decision_number ~ '^QD-[A-Z0-9]{2,12}-[0-9]{4}-[0-9]{6}$'),
  handling_unit_id   bigint NOT NULL REFERENCES handling_units (id),
  issued_at          timestamptz NOT NULL,
  -- a decision takes effect when signed (points are deducted from then: NĐ 168 Đ50.1.a)
  effective_at       timestamptz NOT NULL,
  signed_by          bigint NOT NULL REFERENCES users (id),
  violator_kind      text NOT NULL CHECK (violator_kind IN ('person', 'organisation')),
  violator_name      text NOT NULL,
  violator_id_number text NOT NULL,
  violator_address   text NOT NULL,
  licence_number     text,
  total_amount       bigint NOT NULL CHECK (total_amount > 0),
  points_deducted    smallint NOT NULL CHECK (points_deducted BETWEEN 0 AND 12),
  status             text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'paid')),
  paid_at            timestamptz,
  pdf_sha256         char(64) CHECK (pdf_sha256 ~ '^[0-9a-f]{64}$'),
  pdf_rendered_at    timestamptz,
  CHECK ((status = 'paid') = (paid_at IS NOT NULL)),
  CHECK ((pdf_sha256 IS NULL) = (pdf_rendered_at IS NULL))
);
CREATE INDEX penalty_decisions_violator ON penalty_decisions (violator_id_number);

-- Several violations of one person in one decision: fines add up, only the largest deduction applies (Đ50.1.b).
CREATE TABLE decision_items (
  decision_id   bigint NOT NULL REFERENCES penalty_decisions (id),
  record_id     bigint NOT NULL UNIQUE REFERENCES violation_records (id),
  notice_id     bigint NOT NULL UNIQUE REFERENCES notices (id),
  fine_min      bigint NOT NULL,
  fine_max      bigint NOT NULL,
  fine_amount   bigint NOT NULL,
  amount_reason text,
  points        smallint NOT NULL CHECK (points BETWEEN 0 AND 12),
  PRIMARY KEY (decision_id, record_id),
  CHECK (fine_min <= fine_amount AND fine_amount <= fine_max),
  -- the midpoint is the default (Luật XLVPHC Đ23.4); anything else is justified in writing
  CHECK (fine_amount * 2 = fine_min + fine_max OR length(coalesce(amount_reason, '')) > 0)
);

-- The licence-points ledger: a deduction per decision that took effect; restoration after 12 months
-- without deduction is derived on read (Luật 36 Đ58), so the ledger is append-only.
CREATE TABLE licence_point_deductions (
  id             bigserial PRIMARY KEY,
  national_id    text NOT NULL CHECK (national_id ~ '^[0-9]{12}$'),
  licence_number text NOT NULL CHECK (licence_number ~ '^[0-9]{12}$'),
  decision_id    bigint NOT NULL UNIQUE REFERENCES penalty_decisions (id),
  points         smallint NOT NULL CHECK (points BETWEEN 1 AND 12),
  effective_at   timestamptz NOT NULL
);
CREATE INDEX licence_point_deductions_person ON licence_point_deductions (national_id, effective_at);

-- The fine is paid against the decision, not the notice.
ALTER TABLE payments ALTER COLUMN notice_id DROP NOT NULL;
ALTER TABLE payments ADD COLUMN decision_id bigint REFERENCES penalty_decisions (id);
ALTER TABLE payments ADD CONSTRAINT payments_one_target CHECK ((notice_id IS NULL) <> (decision_id IS NULL));
CREATE INDEX payments_decision ON payments (decision_id) WHERE decision_id IS NOT NULL;
