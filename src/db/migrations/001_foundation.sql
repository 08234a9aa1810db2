-- Foundation schema. Constraints are the last line of defence: a bad row must not be storable
-- even if application code has a bug.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE users (
  id            bigserial PRIMARY KEY,
  username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9._-]{3,64}$'),
  full_name     text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
  role          text NOT NULL CHECK (role IN ('officer', 'operator', 'finance', 'admin')),
  password_hash text NOT NULL,
  active        boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cameras (
  id                  bigserial PRIMARY KEY,
  code                text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{1,63}$'),
  name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  province            text NOT NULL,
  address             text NOT NULL,
  latitude            double precision CHECK (latitude BETWEEN -90 AND 90),
  longitude           double precision CHECK (longitude BETWEEN -180 AND 180),
  camera_type         text NOT NULL CHECK (camera_type IN ('speed', 'red_light', 'lane', 'no_entry', 'no_parking')),
  enabled             boolean NOT NULL DEFAULT true,
  -- sha256 of the camera's API key; the key itself is shown once when issued
  api_key_hash        char(64) UNIQUE CHECK (api_key_hash ~ '^[0-9a-f]{64}$'),
  plate_profile       text NOT NULL DEFAULT 'vn' CHECK (plate_profile IN ('vn', 'generic')),
  roi                 jsonb CHECK (roi IS NULL OR (jsonb_typeof(roi) = 'object'
                        AND (roi->>'x')::int >= 0 AND (roi->>'y')::int >= 0
                        AND (roi->>'width')::int > 0 AND (roi->>'height')::int > 0)),
  detect_threshold    real NOT NULL DEFAULT 0.3 CHECK (detect_threshold > 0 AND detect_threshold < 1),
  read_threshold      real NOT NULL DEFAULT 0.6 CHECK (read_threshold > 0 AND read_threshold < 1),
  speed_limit_kmh     smallint CHECK (speed_limit_kmh BETWEEN 5 AND 150),
  speed_tolerance_kmh smallint NOT NULL DEFAULT 0 CHECK (speed_tolerance_kmh BETWEEN 0 AND 20),
  allowed_lanes       smallint[],
  dedup_window_s      integer NOT NULL DEFAULT 300 CHECK (dedup_window_s BETWEEN 0 AND 86400),
  no_parking_dwell_s  integer NOT NULL DEFAULT 300 CHECK (no_parking_dwell_s BETWEEN 10 AND 86400),
  drop_folder         text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CHECK (camera_type <> 'speed' OR speed_limit_kmh IS NOT NULL)
);

CREATE TABLE captures (
  id                 bigserial PRIMARY KEY,
  camera_id          bigint NOT NULL REFERENCES cameras (id),
  image_sha256       char(64) NOT NULL CHECK (image_sha256 ~ '^[0-9a-f]{64}$'),
  image_bytes        integer NOT NULL CHECK (image_bytes > 0),
  image_width        integer NOT NULL CHECK (image_width > 0),
  image_height       integer NOT NULL CHECK (image_height > 0),
  content_type       text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
  captured_at        timestamptz NOT NULL,
  received_at        timestamptz NOT NULL DEFAULT now(),
  source             text NOT NULL CHECK (source IN ('http', 'drop_folder')),
  measured_speed_kmh numeric(5, 1) CHECK (measured_speed_kmh BETWEEN 0 AND 400),
  signal_phase       text CHECK (signal_phase IN ('green', 'amber', 'red')),
  red_elapsed_ms     integer CHECK (red_elapsed_ms >= 0),
  lane               smallint CHECK (lane BETWEEN 1 AND 20),
  direction          text CHECK (direction IN ('forward', 'reverse')),
  status             text NOT NULL DEFAULT 'queued'
                       CHECK (status IN ('queued', 'processing', 'processed', 'dead_lettered')),
  status_reason      text,
  attempts           integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  processed_at       timestamptz,
  UNIQUE (camera_id, image_sha256),
  CHECK (status <> 'dead_lettered' OR status_reason IS NOT NULL),
  CHECK (status NOT IN ('processed', 'dead_lettered') OR processed_at IS NOT NULL)
);
CREATE INDEX captures_camera_time ON captures (camera_id, captured_at DESC);
CREATE INDEX captures_status ON captures (status) WHERE status <> 'processed';

CREATE TABLE plate_reads (
  id               bigserial PRIMARY KEY,
  capture_id       bigint NOT NULL REFERENCES captures (id),
  rank             smallint NOT NULL CHECK (rank >= 0),
  plate_text       text NOT NULL,
  plate_key        text NOT NULL CHECK (plate_key ~ '^[A-Z0-9]*$'),
  raw_text         text NOT NULL,
  confidence       real NOT NULL CHECK (confidence BETWEEN 0 AND 1),
  char_confidences real[] NOT NULL,
  bbox_x           integer NOT NULL CHECK (bbox_x >= 0),
  bbox_y           integer NOT NULL CHECK (bbox_y >= 0),
  bbox_width       integer NOT NULL CHECK (bbox_width > 0),
  bbox_height      integer NOT NULL CHECK (bbox_height > 0),
  corners          jsonb,
  layout           text NOT NULL CHECK (layout IN ('one-line', 'two-line')),
  colour           text NOT NULL CHECK (colour IN ('white', 'yellow', 'blue', 'red', 'unknown')),
  valid            boolean NOT NULL,
  low_confidence   boolean NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (capture_id, rank)
);
CREATE INDEX plate_reads_key ON plate_reads (plate_key);

CREATE TABLE owners (
  id          bigserial PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('person', 'organisation')),
  -- số định danh cá nhân: PPP G YY RRRRRR
  national_id text UNIQUE CHECK (national_id ~ '^[0-9]{3}[0-3][0-9]{2}[0-9]{6}$'),
  tax_code    text UNIQUE CHECK (tax_code ~ '^[0-9]{10}(-?[0-9]{3})?$'),
  full_name   text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
  address     text NOT NULL,
  province    text NOT NULL,
  phone       text CHECK (phone ~ '^\+?[0-9]{9,12}$'),
  email       text CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'person' AND national_id IS NOT NULL AND tax_code IS NULL)
      OR (kind = 'organisation' AND tax_code IS NOT NULL AND national_id IS NULL))
);

CREATE TABLE vehicles (
  id            bigserial PRIMARY KEY,
  plate         text NOT NULL,
  -- letters and digits only, upper case: what a camera read is compared against
  plate_key     text NOT NULL UNIQUE CHECK (plate_key ~ '^[A-Z0-9]{6,10}$'),
  plate_colour  text NOT NULL CHECK (plate_colour IN ('white', 'yellow', 'blue', 'red')),
  vehicle_type  text NOT NULL CHECK (vehicle_type IN ('car', 'truck', 'bus', 'motorbike', 'moped', 'electric_motorbike')),
  make          text,
  model         text,
  colour        text,
  registered_at date NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- Who answers for a vehicle at a given time. A sale the buyer has not re-registered still moves
-- responsibility to the buyer (NĐ 168), so ownership carries its basis and periods never overlap.
CREATE TABLE vehicle_ownerships (
  id          bigserial PRIMARY KEY,
  vehicle_id  bigint NOT NULL REFERENCES vehicles (id),
  owner_id    bigint NOT NULL REFERENCES owners (id),
  basis       text NOT NULL DEFAULT 'registration' CHECK (basis IN ('registration', 'sale_unregistered')),
  valid_from  timestamptz NOT NULL,
  valid_to    timestamptz,
  CHECK (valid_to IS NULL OR valid_to > valid_from),
  EXCLUDE USING gist (vehicle_id WITH =, tstzrange(valid_from, valid_to) WITH &&)
);
CREATE INDEX vehicle_ownerships_owner ON vehicle_ownerships (owner_id);

CREATE TABLE violations (
  id                bigserial PRIMARY KEY,
  camera_id         bigint NOT NULL REFERENCES cameras (id),
  rule              text NOT NULL CHECK (rule IN ('speeding', 'red_light', 'wrong_lane', 'no_entry', 'no_parking')),
  violation_code    text NOT NULL,
  legal_clause      text NOT NULL,
  description       text NOT NULL,
  vehicle_category  text NOT NULL CHECK (vehicle_category IN ('car', 'motorbike')),
  occurred_at       timestamptz NOT NULL,
  plate_text        text NOT NULL,
  plate_key         text NOT NULL CHECK (plate_key ~ '^[A-Z0-9]*$'),
  plate_colour      text NOT NULL CHECK (plate_colour IN ('white', 'yellow', 'blue', 'red', 'unknown')),
  vehicle_id        bigint REFERENCES vehicles (id),
  owner_id          bigint REFERENCES owners (id),
  match_status      text NOT NULL CHECK (match_status IN ('exact', 'fuzzy', 'ambiguous', 'unknown', 'foreign', 'corrected')),
  match_candidates  jsonb NOT NULL DEFAULT '[]',
  suspected_clone   boolean NOT NULL DEFAULT false,
  clone_reason      text,
  schedule_version  text NOT NULL,
  fine_min          bigint NOT NULL CHECK (fine_min > 0),
  fine_max          bigint NOT NULL,
  fine_amount       bigint NOT NULL,
  points            smallint NOT NULL CHECK (points BETWEEN 0 AND 12),
  details           jsonb NOT NULL DEFAULT '{}',
  read_confidence   real NOT NULL CHECK (read_confidence BETWEEN 0 AND 1),
  status            text NOT NULL DEFAULT 'pending_review'
                      CHECK (status IN ('pending_review', 'approved', 'rejected', 'noticed', 'closed')),
  claimed_by        bigint REFERENCES users (id),
  claim_expires_at  timestamptz,
  decided_by        bigint REFERENCES users (id),
  decided_at        timestamptz,
  reject_reason     text CHECK (reject_reason IN ('plate_unreadable', 'plate_obstructed', 'wrong_vehicle',
                      'emergency_vehicle', 'duplicate', 'equipment_fault', 'other')),
  reject_note       text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (fine_min <= fine_amount AND fine_amount <= fine_max),
  CHECK ((claimed_by IS NULL) = (claim_expires_at IS NULL)),
  CHECK (status <> 'rejected' OR reject_reason IS NOT NULL),
  CHECK (reject_reason <> 'other' OR length(coalesce(reject_note, '')) > 0),
  CHECK (status NOT IN ('approved', 'rejected', 'noticed', 'closed') OR (decided_by IS NOT NULL AND decided_at IS NOT NULL)),
  CHECK (match_status NOT IN ('exact', 'corrected') OR vehicle_id IS NOT NULL)
);
CREATE INDEX violations_review ON violations (status, occurred_at) WHERE status = 'pending_review';
CREATE INDEX violations_dedup ON violations (camera_id, rule, plate_key, occurred_at DESC);
CREATE INDEX violations_plate ON violations (plate_key);

-- One violation, several photos: later captures of the same vehicle within the dedup window add evidence.
CREATE TABLE violation_evidence (
  violation_id  bigint NOT NULL REFERENCES violations (id),
  capture_id    bigint NOT NULL REFERENCES captures (id),
  plate_read_id bigint REFERENCES plate_reads (id),
  added_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (violation_id, capture_id)
);
CREATE INDEX violation_evidence_capture ON violation_evidence (capture_id);

CREATE TABLE notices (
  id              bigserial PRIMARY KEY,
  violation_id    bigint NOT NULL UNIQUE REFERENCES violations (id),
  notice_number   text NOT NULL UNIQUE,
  owner_id        bigint REFERENCES owners (id),
  amount          bigint NOT NULL CHECK (amount > 0),
  issued_at       timestamptz NOT NULL DEFAULT now(),
  due_at          timestamptz NOT NULL,
  status          text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'escalated', 'resolved', 'cancelled')),
  escalated_at    timestamptz,
  resolved_at     timestamptz,
  pdf_sha256      char(64) CHECK (pdf_sha256 ~ '^[0-9a-f]{64}$'),
  pdf_rendered_at timestamptz,
  CHECK (due_at > issued_at),
  CHECK (status <> 'escalated' OR escalated_at IS NOT NULL),
  CHECK (status <> 'resolved' OR resolved_at IS NOT NULL)
);
CREATE INDEX notices_open ON notices (due_at) WHERE status IN ('issued', 'escalated');

CREATE TABLE payments (
  id           bigserial PRIMARY KEY,
  notice_id    bigint NOT NULL REFERENCES notices (id),
  amount       bigint NOT NULL CHECK (amount > 0),
  paid_at      timestamptz NOT NULL,
  method       text NOT NULL CHECK (method IN ('cash', 'bank_transfer', 'treasury', 'online')),
  -- the bank/treasury transaction id: importing the same statement twice must not pay twice
  reference    text NOT NULL,
  source       text NOT NULL CHECK (source IN ('manual', 'statement_import')),
  recorded_by  bigint REFERENCES users (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (method, reference)
);
CREATE INDEX payments_notice ON payments (notice_id);

CREATE TABLE sessions (
  token_hash char(64) PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  user_id    bigint NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  CHECK (expires_at > created_at)
);

-- Append-only and hash-chained: each row's hash covers its content and the previous row's hash,
-- so an edited or deleted row breaks the chain from that point on.
CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  actor_id    bigint REFERENCES users (id),
  actor       text NOT NULL,
  action      text NOT NULL CHECK (action ~ '^[a-z_]+\.[a-z_]+$'),
  entity_type text NOT NULL,
  entity_id   text NOT NULL,
  details     jsonb NOT NULL DEFAULT '{}',
  prev_hash   char(64) NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash        char(64) NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$')
);
