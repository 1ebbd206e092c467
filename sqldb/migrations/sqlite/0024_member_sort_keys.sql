-- Sort keys in nameKey's shorter form (sqldb/member.go): the collation's
-- primary weights as they were, its secondary weights a byte each, no
-- tertiary level. On SQLite the keys are rewritten before this
-- transaction, a page of members a transaction, without the secondary
-- indexes of members, which it then builds again (sqldb/db.go,
-- preMigrations: rekeyMembersInParts): nothing is left to do here.
SELECT 1;
