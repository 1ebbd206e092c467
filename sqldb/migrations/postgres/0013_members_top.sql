-- top_id is the root of the tree (the province) that the member's unit
-- stands under in its last version (0 for a unit without one), kept by
-- every write that moves a member or a unit (sqldb/member_top.go). On
-- SQLite a province-wide name search walks members_top; PostgreSQL's
-- planner reads the name indexes, so the column is kept (one schema, one
-- set of writers) without that index.
ALTER TABLE members ADD COLUMN top_id BIGINT NOT NULL DEFAULT 0;
UPDATE members SET top_id = COALESCE((SELECT CAST(split_part(v.path, '/', 2) AS BIGINT)
	FROM unit_versions v WHERE v.unit_id = members.unit_id ORDER BY v.valid_from DESC LIMIT 1), 0);
CREATE INDEX unit_versions_from ON unit_versions (valid_from);
