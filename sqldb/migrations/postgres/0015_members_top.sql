-- A province-wide name search walks the province's members in sort order
-- on PostgreSQL too (sqldb/member_top.go, 0013 made the column). The walk
-- asks for the page's ids first, read from this index alone: it holds the
-- order (sort key, then id) and what the walk's conditions read (the
-- folded names, the unit, the day the state began), so entries that do not
-- match are passed without fetching their rows.
CREATE INDEX members_top ON members (top_id, sort_key, id) INCLUDE (name_fold, given_fold, unit_id, since);
