-- Member statistics by year of birth and of admission instead of month,
-- and no rows for cells and party groups, which are counted from their
-- members (see sqldb/member_stats.go).
INSERT INTO member_stats (unit_id, dim, val, day, n)
SELECT unit_id, dim, substr(val, 1, 4), day, SUM(n) FROM member_stats
WHERE dim IN ('birth', 'admitted') AND length(val) > 4
GROUP BY unit_id, dim, substr(val, 1, 4), day
ON CONFLICT (unit_id, dim, val, day) DO UPDATE SET n = member_stats.n + excluded.n;

DELETE FROM member_stats WHERE dim IN ('birth', 'admitted') AND length(val) > 4;

DELETE FROM member_stats WHERE unit_id IN (SELECT unit_id FROM unit_versions WHERE kind IN ('cell', 'group'));

-- The sort index carries the folded names, the unit and the day, so that a
-- broad name search walks it in sort order without reading the table for
-- the members it skips (sqldb/member_find.go).
DROP INDEX IF EXISTS members_sort;
CREATE INDEX members_sort ON members (sort_key, name_fold, given_fold, unit_id, since);

-- A name inside a subtree: each unit's members of that name.
CREATE INDEX members_unit_name ON members (unit_id, name_fold);
CREATE INDEX members_unit_given ON members (unit_id, given_fold);
