-- Analytics cameras (issue 11): the camera's own video analytics reports the event (stop line, road
-- markings, a turn against a no-left/no-right sign, a lane change across a solid line, the expressway
-- emergency lane, the pavement, no helmet, phone use, seat belt, three on a motorbike); we check it,
-- price it under Decree 168 and keep its frames as evidence. The lists match
-- src/violations/analytics-events.ts.

ALTER TABLE cameras DROP CONSTRAINT cameras_camera_type_check;
ALTER TABLE cameras ADD CONSTRAINT cameras_camera_type_check
  CHECK (camera_type IN ('speed', 'red_light', 'lane', 'no_entry', 'wrong_way', 'no_parking', 'no_stopping', 'analytics'));

-- captures is partitioned by month (migration 180): the columns and checks reach every partition
ALTER TABLE captures ADD COLUMN analytics_event text
  CHECK (analytics_event IN ('stop_line', 'road_markings', 'no_left_turn', 'no_right_turn', 'solid_line', 'emergency_lane',
    'pavement', 'no_helmet', 'phone', 'no_seat_belt', 'three_on_motorbike'));
-- who broke the rule, where the decree fines the driver and a passenger under different points
ALTER TABLE captures ADD COLUMN event_subject text CHECK (event_subject IN ('driver', 'passenger'));
ALTER TABLE captures ADD CONSTRAINT captures_event_subject_fits
  CHECK (CASE WHEN analytics_event IS NULL THEN event_subject IS NULL
              ELSE (analytics_event IN ('no_helmet', 'no_seat_belt')) = (event_subject IS NOT NULL) END);

ALTER TABLE violations DROP CONSTRAINT violations_rule_check;
ALTER TABLE violations ADD CONSTRAINT violations_rule_check
  CHECK (rule IN ('speeding', 'red_light', 'wrong_lane', 'no_entry', 'wrong_way', 'no_parking', 'no_stopping',
    'stop_line', 'road_markings', 'no_left_turn', 'no_right_turn', 'solid_line', 'emergency_lane', 'pavement',
    'no_helmet_rider', 'no_helmet_passenger', 'phone', 'no_seat_belt_driver', 'no_seat_belt_passenger', 'three_on_motorbike'));
