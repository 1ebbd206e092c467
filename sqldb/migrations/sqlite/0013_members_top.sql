-- A province-wide name search walks the province's members in sort
-- order: top_id is the root of the tree (the province) that the member's
-- unit stands under in its last version (0 for a unit without one), kept
-- by every write that moves a member or a unit (sqldb/member_top.go), and
-- members_top is that walk's index, as members_sort is the country's.
-- unit_versions_from finds the changes dated after today: while one
-- touches a unit of a province, that province's search does not use
-- top_id (it describes the last version).
ALTER TABLE members ADD COLUMN top_id INTEGER NOT NULL DEFAULT 0;
UPDATE members SET top_id = COALESCE((SELECT CAST(substr(v.path, 2, instr(substr(v.path, 2), '/') - 1) AS INTEGER)
	FROM unit_versions v WHERE v.unit_id = members.unit_id ORDER BY v.valid_from DESC LIMIT 1), 0);
CREATE INDEX members_top ON members (top_id, sort_key, name_fold, given_fold, unit_id, since);
CREATE INDEX unit_versions_from ON unit_versions (valid_from);
