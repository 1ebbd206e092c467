-- A province's members by full name (sqldb/member_find.go, namePlan): a
-- whole name or a rare one searched in a province is read from the
-- province's own matches, where the name index holds the country's (for a
-- whole name of the demo, some 3,000 rows for the province's 40) and a
-- walk or skip over the province's order seeks every given name's block.
CREATE INDEX members_top_name ON members (top_id, name_fold);
