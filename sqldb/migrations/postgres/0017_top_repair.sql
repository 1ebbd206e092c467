-- top_id again, where it is behind (PostgreSQL only): before the tree's
-- lock (sqldb/member_top.go, lockTreeShared), a member written while its
-- unit moved to another province could keep the old root, and nothing
-- read the column on PostgreSQL; its province searches now do. (SQLite
-- has always had one writer at a time.) Only rows that differ are
-- written. Stop the nodes of older versions before starting this one: they
-- write members without the lock.
UPDATE members m SET top_id = t.top
FROM (SELECT DISTINCT ON (unit_id) unit_id, CAST(split_part(path, '/', 2) AS BIGINT) AS top
	FROM unit_versions ORDER BY unit_id, valid_from DESC) t
WHERE t.unit_id = m.unit_id AND m.top_id <> t.top;
