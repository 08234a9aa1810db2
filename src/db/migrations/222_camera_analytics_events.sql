-- The events an analytics camera is set up to report (issue 11): a camera bought to catch helmets and phones
-- that suddenly reports pavement riding is misconfigured or spoofed, and its event must not become a fine.
-- Empty means any event, as for every camera before this setting.
ALTER TABLE cameras ADD COLUMN analytics_events text[] NOT NULL DEFAULT '{}'
  CHECK (analytics_events <@ ARRAY['stop_line', 'road_markings', 'no_left_turn', 'no_right_turn', 'solid_line', 'emergency_lane',
    'pavement', 'no_helmet', 'phone', 'no_seat_belt', 'three_on_motorbike']::text[]);
