-- A document keeps the number its register gave it when it is handed to
-- another unit (its unit merged away, sqldb/document.go foldDocuments):
-- register_id is the unit whose register numbered it, NULL while that is
-- still its unit_id. Numbers are unique per register, so two merged units'
-- documents of the same number both come to the successor.
DROP INDEX documents_number;
ALTER TABLE documents ADD COLUMN register_id BIGINT;
CREATE UNIQUE INDEX documents_number ON documents (COALESCE(register_id, unit_id), direction, period, series, reg_no);
