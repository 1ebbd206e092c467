-- members_top_name on PostgreSQL over lower(name_fold), which the province's
-- full-name condition writes and no other index matches (name_fold is
-- folded to lower case already: the same order and values). Its
-- statistics give any prefix of a full name about one row, on
-- members_name as on this index, and it took the smaller, members_name:
-- the country's 9,622 rows of "bui phuong" read to keep a province's 97
-- (94 ms cold, 2.5 s under load), where this index holds the 97 (5 ms).
DROP INDEX IF EXISTS members_top_name;
CREATE INDEX members_top_name ON members (top_id, lower(name_fold));
