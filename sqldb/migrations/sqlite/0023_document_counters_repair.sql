-- A merge before migration 0021 (or applied by a node older than it) moved
-- the merged unit's documents into the successor's register with their
-- numbers: the successor's counter could stand behind numbers its register
-- now holds, and its next registration was refused for good. Every counter
-- is moved past the highest number its register holds (sqldb/
-- document_number.go). In normal use a counter is never behind.
INSERT INTO document_counters (unit_id, period, series, last)
SELECT COALESCE(register_id, unit_id), period, series, MAX(reg_no) FROM documents WHERE true
GROUP BY COALESCE(register_id, unit_id), period, series
ON CONFLICT (unit_id, period, series) DO UPDATE SET last = max(last, excluded.last);
