-- Whether an ended unit's document registers go to its heir: yes after a
-- merge or a dissolution, no for a divided unit, which keeps its own. A
-- fold recorded ahead of its day hands over the unit's open tasks and
-- registers on the day (sqldb/task_fold.go, handOverDue), not when it is
-- recorded. Folds recorded before this migration moved them when recorded,
-- but documents registered into a merging unit after its merge was
-- recorded stayed with it: the rows of merges and dissolutions say 1, so
-- those go over now.
ALTER TABLE unit_heirs ADD COLUMN registers INTEGER NOT NULL DEFAULT 0;
UPDATE unit_heirs SET registers = 1 WHERE EXISTS (SELECT 1 FROM unit_event_units s JOIN unit_events e ON e.id = s.event_id
	WHERE s.unit_id = unit_heirs.unit_id AND s.role = 'source' AND e.type IN ('merge', 'dissolve') AND e.effective = unit_heirs.day);
