-- The unit that took an ended unit's members (sqldb/member_fold.go,
-- followFolds). A fold moves the members it finds when it is recorded; a
-- member written afterwards into the ended unit, on a day before its end
-- (a merge recorded ahead of its day, a record entered late), follows the
-- same way to the heir. Folds recorded from now on write their heir
-- (Tx.folded). Of those recorded before: a merge's heir is its one
-- target, a dissolution's the unit's last parent; a split's or a
-- restructuring's are not known (their members written later stay where
-- they were put).
CREATE TABLE unit_heirs (
	unit_id BIGINT PRIMARY KEY REFERENCES units(id),
	heir_id BIGINT NOT NULL REFERENCES units(id),
	day     TEXT NOT NULL
);
INSERT INTO unit_heirs (unit_id, heir_id, day)
SELECT x.unit_id, x.heir, x.day FROM (
	SELECT v.unit_id, v.valid_to AS day, CASE e.type
		WHEN 'merge' THEN (SELECT MIN(t.unit_id) FROM unit_event_units t WHERE t.event_id = e.id AND t.role = 'target'
			HAVING COUNT(*) = 1)
		WHEN 'dissolve' THEN v.parent_id END AS heir
	FROM unit_versions v
	JOIN unit_event_units s ON s.unit_id = v.unit_id AND s.role = 'source'
	JOIN unit_events e ON e.id = s.event_id AND e.effective = v.valid_to
	WHERE v.valid_to <> '9999-12-31'
	AND NOT EXISTS (SELECT 1 FROM unit_versions w WHERE w.unit_id = v.unit_id AND w.valid_from >= v.valid_to)
) x WHERE x.heir IS NOT NULL AND x.heir <> x.unit_id
ON CONFLICT (unit_id) DO NOTHING;
