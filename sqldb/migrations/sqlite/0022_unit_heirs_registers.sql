-- Whether an ended unit's document registers go to its heir (a merge or a
-- dissolution; a divided unit keeps its own). A fold recorded ahead of its
-- day hands over the unit's open tasks and registers on the day
-- (sqldb/task_fold.go, handOverDue), not when it is recorded. Folds
-- recorded before this migration moved them when recorded: nothing is left
-- to hand over, so their rows say 0.
ALTER TABLE unit_heirs ADD COLUMN registers INTEGER NOT NULL DEFAULT 0;
