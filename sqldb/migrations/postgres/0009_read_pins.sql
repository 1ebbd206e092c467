-- Read your own writes with a read replica (sqldb/replica.go): each write
-- transaction bumps its writers' rows here, in the transaction itself; a
-- request reads the replica only when the replica's row of its user
-- equals the primary's. Written on PostgreSQL only when a replica is
-- configured; SQLite has no replica and no such table. Frequent updates of
-- short rows: room on the page for HOT updates.
CREATE TABLE read_pins (
	user_id BIGINT PRIMARY KEY,
	seq     BIGINT NOT NULL
) WITH (fillfactor = 50);
