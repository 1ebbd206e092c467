-- Sort keys in nameKey's shorter form (sqldb/member.go): the collation's
-- primary weights as they were, its secondary weights a byte each, no
-- tertiary level. The keys are rewritten in Go (sqldb/db.go,
-- goMigrations: rekeyMembers), in this transaction, without the
-- secondary indexes of members, which it then builds again.
SELECT 1;
