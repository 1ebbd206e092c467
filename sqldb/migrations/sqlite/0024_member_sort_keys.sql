-- Sort keys in nameKey's shorter form (sqldb/member.go): the collation's
-- primary weights as they were, its secondary weights a byte each, no
-- tertiary level. The keys are rewritten in Go (sqldb/db.go,
-- goMigrations: rekeyMembers), without the three indexes that carry them,
-- which it then builds again.
DROP INDEX IF EXISTS members_unit;
DROP INDEX IF EXISTS members_sort;
DROP INDEX IF EXISTS members_top;
