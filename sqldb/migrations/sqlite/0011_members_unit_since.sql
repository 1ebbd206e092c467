-- Today's list of a subtree sorts the ids of its units' members: with the
-- day they joined in the index, that sort reads the index alone.
DROP INDEX members_unit;
CREATE INDEX members_unit ON members (unit_id, sort_key, since);
