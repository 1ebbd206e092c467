-- Party members (form 2-HSĐV). The core fields are columns; the record's
-- tables (work, training, family, awards, discipline) are member_entries.
-- unit_id and status are the member's state since `since`; the states
-- before are in member_history, so any past day can be viewed.
-- sort_key is the Vietnamese collation key of "given, middle, family"
-- (hex, compared bytewise); name_fold and given_fold serve the
-- diacritic-insensitive search.
CREATE TABLE members (
	id               INTEGER PRIMARY KEY,
	citizen_id       TEXT NOT NULL UNIQUE,
	full_name        TEXT NOT NULL,
	name_fold        TEXT NOT NULL,
	given_fold       TEXT NOT NULL,
	sort_key         TEXT NOT NULL,
	other_names      TEXT NOT NULL DEFAULT '',
	sex              TEXT NOT NULL,
	birth_date       TEXT NOT NULL,
	birthplace       TEXT NOT NULL DEFAULT '',
	hometown         TEXT NOT NULL DEFAULT '',
	address          TEXT NOT NULL DEFAULT '',
	current_address  TEXT NOT NULL DEFAULT '',
	ethnicity        TEXT NOT NULL DEFAULT '',
	religion         TEXT NOT NULL DEFAULT '',
	occupation       TEXT NOT NULL DEFAULT '',
	education        TEXT NOT NULL DEFAULT '',
	professional     TEXT NOT NULL DEFAULT '',
	theory           TEXT NOT NULL DEFAULT '',
	foreign_language TEXT NOT NULL DEFAULT '',
	card_number      TEXT NOT NULL DEFAULT '',
	record_number    TEXT NOT NULL DEFAULT '',
	youth_union      TEXT NOT NULL DEFAULT '',
	introducers      TEXT NOT NULL DEFAULT '',
	notes            TEXT NOT NULL DEFAULT '',
	unit_id          INTEGER NOT NULL REFERENCES units(id),
	status           TEXT NOT NULL,
	since            TEXT NOT NULL,
	resume           TEXT NOT NULL DEFAULT '',
	transfer_to      INTEGER,
	resolved         TEXT NOT NULL DEFAULT '',
	admitted         TEXT NOT NULL DEFAULT '',
	ceremony         TEXT NOT NULL DEFAULT '',
	recognized       TEXT NOT NULL DEFAULT '',
	readmitted       INTEGER NOT NULL DEFAULT 0,
	user_id          INTEGER UNIQUE REFERENCES users(id) ON DELETE SET NULL,
	version          INTEGER NOT NULL DEFAULT 1,
	updated_at       TEXT NOT NULL
);
CREATE INDEX members_unit ON members (unit_id, sort_key);
CREATE INDEX members_name ON members (name_fold);
CREATE INDEX members_given ON members (given_fold);
CREATE INDEX members_sort ON members (sort_key);
CREATE INDEX members_transfer ON members (transfer_to);

-- The member's earlier (unit, status) periods: [valid_from, valid_to).
CREATE TABLE member_history (
	member_id  INTEGER NOT NULL REFERENCES members(id),
	unit_id    INTEGER NOT NULL REFERENCES units(id),
	status     TEXT NOT NULL,
	valid_from TEXT NOT NULL,
	valid_to   TEXT NOT NULL
);
CREATE INDEX member_history_member ON member_history (member_id, valid_from);
CREATE INDEX member_history_unit ON member_history (unit_id, valid_from);

-- The lifecycle, append-only: every step with its date and decision, who
-- recorded it and for whom (assisted entry).
CREATE TABLE member_steps (
	id          INTEGER PRIMARY KEY,
	member_id   INTEGER NOT NULL REFERENCES members(id),
	step        TEXT NOT NULL,
	day         TEXT NOT NULL,
	decision    TEXT NOT NULL DEFAULT '',
	from_status TEXT NOT NULL,
	to_status   TEXT NOT NULL,
	unit_id     INTEGER,
	note        TEXT NOT NULL DEFAULT '',
	recorded_by TEXT NOT NULL,
	on_behalf   TEXT NOT NULL DEFAULT '',
	recorded_at TEXT NOT NULL
);
CREATE INDEX member_steps_member ON member_steps (member_id, id);

CREATE TABLE member_entries (
	id        INTEGER PRIMARY KEY,
	member_id INTEGER NOT NULL REFERENCES members(id),
	kind      TEXT NOT NULL,
	from_date TEXT NOT NULL DEFAULT '',
	to_date   TEXT NOT NULL DEFAULT '',
	title     TEXT NOT NULL,
	detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX member_entries_member ON member_entries (member_id, kind, from_date);

CREATE TABLE member_photos (
	member_id    INTEGER PRIMARY KEY REFERENCES members(id),
	content_type TEXT NOT NULL,
	data         BLOB NOT NULL
);

-- Statistics: deltas of counted members per unit *and every ancestor*
-- (the unit's whole subtree), by dimension and value, dated. The count of
-- a subtree on day D is SUM(n) over its root's rows with day <= D. Age and
-- party age come from the birth and admission year-month histograms.
CREATE TABLE member_stats (
	unit_id INTEGER NOT NULL,
	dim     TEXT NOT NULL,
	val     TEXT NOT NULL,
	day     TEXT NOT NULL,
	n       INTEGER NOT NULL,
	PRIMARY KEY (unit_id, dim, val, day)
);

-- Import jobs: a file (by its hash) and how far it got, to resume.
CREATE TABLE member_import_jobs (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	hash       TEXT NOT NULL UNIQUE,
	rows       INTEGER NOT NULL,
	done       INTEGER NOT NULL DEFAULT 0,
	inserted   INTEGER NOT NULL DEFAULT 0,
	existing   INTEGER NOT NULL DEFAULT 0,
	status     TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
