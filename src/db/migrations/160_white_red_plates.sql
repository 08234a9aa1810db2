-- The fifth plate colour of Vietnamese law: white with red characters (foreign organisations and their staff:
-- NG, QT, NN, CV series). The engine now tells it apart, and the registry may list such vehicles.
-- On the partitioned plate_reads, the parent's constraint is the partitions' too: dropping and adding it there
-- reaches every month.
ALTER TABLE vehicles DROP CONSTRAINT vehicles_plate_colour_check,
  ADD CONSTRAINT vehicles_plate_colour_check CHECK (plate_colour IN ('white', 'yellow', 'blue', 'red', 'white_red'));
ALTER TABLE violations DROP CONSTRAINT violations_plate_colour_check,
  ADD CONSTRAINT violations_plate_colour_check CHECK (plate_colour IN ('white', 'yellow', 'blue', 'red', 'white_red', 'unknown'));
ALTER TABLE plate_reads DROP CONSTRAINT plate_reads_colour_check,
  ADD CONSTRAINT plate_reads_colour_check CHECK (colour IN ('white', 'yellow', 'blue', 'red', 'white_red', 'unknown'));
