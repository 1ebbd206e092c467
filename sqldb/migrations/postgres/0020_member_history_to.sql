-- Whether any member is placed by a change dated after a day (sqldb/
-- member_find.go, findMembers): while one is, a list of today reads the
-- history, as a past day's does.
CREATE INDEX member_history_to ON member_history (valid_to);
