-- The rules as the signs and the law put them (issue 11):
-- * a no-entry sign bans some vehicle kinds, sometimes only at some hours (Vietnam time);
-- * wrong way is a camera type of its own (one-way street, "Cấm đi ngược chiều"), no longer a
--   no-entry camera seeing a vehicle in reverse;
-- * "Cấm dừng xe và đỗ xe" cameras tell stopping from parking by how long a vehicle stands;
-- * amber counts unless the vehicle was at the stop line when the light turned: cameras report the
--   time from amber to the crossing, judged against a per-camera timing tolerance;
-- * lane cameras may allow different lanes to cars and to motorbikes.

ALTER TABLE cameras DROP CONSTRAINT cameras_camera_type_check;
ALTER TABLE cameras ADD CONSTRAINT cameras_camera_type_check
  CHECK (camera_type IN ('speed', 'red_light', 'lane', 'no_entry', 'wrong_way', 'no_parking', 'no_stopping'));

ALTER TABLE cameras ADD COLUMN no_entry_vehicle_types text[] NOT NULL DEFAULT '{}'
  CHECK (no_entry_vehicle_types <@ ARRAY['car', 'truck', 'bus', 'motorbike', 'moped', 'electric_motorbike']);
ALTER TABLE cameras ADD COLUMN no_entry_hours jsonb NOT NULL DEFAULT '[]'::jsonb
  CHECK (jsonb_typeof(no_entry_hours) = 'array' AND jsonb_array_length(no_entry_hours) <= 6);
ALTER TABLE cameras ADD COLUMN allowed_lanes_by_category jsonb
  CHECK (allowed_lanes_by_category IS NULL OR jsonb_typeof(allowed_lanes_by_category) = 'object');
ALTER TABLE cameras ADD COLUMN stop_dwell_s integer NOT NULL DEFAULT 60 CHECK (stop_dwell_s BETWEEN 5 AND 86400);
ALTER TABLE cameras ADD COLUMN amber_tolerance_ms integer NOT NULL DEFAULT 200 CHECK (amber_tolerance_ms BETWEEN 0 AND 2000);

-- until now a no-entry camera fined every vehicle it saw: keep that meaning ("Đường cấm", every kind)
UPDATE cameras SET no_entry_vehicle_types = ARRAY['car', 'truck', 'bus', 'motorbike', 'moped', 'electric_motorbike']
WHERE camera_type = 'no_entry';
ALTER TABLE cameras ADD CONSTRAINT cameras_no_entry_bans_something
  CHECK (camera_type <> 'no_entry' OR cardinality(no_entry_vehicle_types) > 0);
ALTER TABLE cameras ADD CONSTRAINT cameras_stop_before_park
  CHECK (camera_type <> 'no_stopping' OR stop_dwell_s < no_parking_dwell_s);

ALTER TABLE captures ADD COLUMN amber_elapsed_ms integer CHECK (amber_elapsed_ms BETWEEN 0 AND 60000);
ALTER TABLE captures ADD CONSTRAINT captures_amber_elapsed_on_amber
  CHECK (amber_elapsed_ms IS NULL OR signal_phase = 'amber');

ALTER TABLE violations DROP CONSTRAINT violations_rule_check;
ALTER TABLE violations ADD CONSTRAINT violations_rule_check
  CHECK (rule IN ('speeding', 'red_light', 'wrong_lane', 'no_entry', 'wrong_way', 'no_parking', 'no_stopping'));
-- wrong-way cases recorded by no-entry cameras become what they were priced as
UPDATE violations SET rule = 'wrong_way' WHERE rule = 'no_entry' AND details->>'offence' = 'wrong_way';
