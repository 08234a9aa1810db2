-- A camera reading no road vehicle could produce (a radar reflection, a double count) is evidence of a
-- device fault, not of a fine: the capture is kept, and the violation it opens carries the reason, so
-- nobody approves it without confirming the reading (issue 13, point 7).
-- Vietnamese reason written at ingest, e.g. "Tốc độ đo được bất thường (399,99 km/h): cần kiểm tra thiết bị".
ALTER TABLE captures ADD COLUMN speed_warning text CHECK (speed_warning IS NULL OR length(speed_warning) BETWEEN 1 AND 300);
-- Set when the case opens (or evidence with a warning is added while it awaits review); approval then
-- needs the officer's explicit confirmation.
ALTER TABLE violations ADD COLUMN review_warning text CHECK (review_warning IS NULL OR length(review_warning) BETWEEN 1 AND 600);
