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
