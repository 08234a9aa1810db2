-- Data lifecycle (issue 15): the retention job finds captures by age, and a blob's references by its
-- hash (captures.image_sha256, notices.pdf_sha256) before the object is deleted. Without these, each
-- nightly run and each released blob would scan the largest tables.
CREATE INDEX captures_captured_at ON captures (captured_at);
CREATE INDEX captures_image_sha256 ON captures (image_sha256);
CREATE INDEX notices_pdf_sha256 ON notices (pdf_sha256) WHERE pdf_sha256 IS NOT NULL;
-- deleting a plate read checks that no evidence names it (foreign key): without an index, one scan
-- of violation_evidence per deleted read
CREATE INDEX violation_evidence_plate_read ON violation_evidence (plate_read_id) WHERE plate_read_id IS NOT NULL;
