-- The organization tree through time. A unit is an identity; its versions
-- say what it was called, what it was and where it stood, each over a
-- half-open period [valid_from, valid_to). path lists the unit ids from the
-- root down to the unit ("/1/7/42/"), so a subtree is a range scan.
CREATE TABLE units (
	id         INTEGER PRIMARY KEY,
	created_at TEXT NOT NULL,
	version    INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE unit_events (
	id         INTEGER PRIMARY KEY,
	type       TEXT NOT NULL,
	effective  TEXT NOT NULL,
	decision   TEXT NOT NULL DEFAULT '',
	note       TEXT NOT NULL DEFAULT '',
	plan_id    INTEGER,
	created_at TEXT NOT NULL,
	created_by INTEGER
);

CREATE TABLE unit_versions (
	id         INTEGER PRIMARY KEY,
	unit_id    INTEGER NOT NULL REFERENCES units(id),
	code       TEXT NOT NULL,
	name       TEXT NOT NULL,
	name_fold  TEXT NOT NULL,
	kind       TEXT NOT NULL,
	parent_id  INTEGER REFERENCES units(id),
	path       TEXT NOT NULL,
	depth      INTEGER NOT NULL,
	valid_from TEXT NOT NULL,
	valid_to   TEXT NOT NULL DEFAULT '9999-12-31',
	event_id   INTEGER REFERENCES unit_events(id),
	CHECK (valid_from < valid_to)
);
CREATE INDEX unit_versions_unit ON unit_versions (unit_id, valid_from);
CREATE INDEX unit_versions_parent ON unit_versions (parent_id, valid_from, code);
CREATE INDEX unit_versions_code ON unit_versions (code, valid_from);
CREATE INDEX unit_versions_path ON unit_versions (path, valid_from);

-- Which units an event touched, with their code and name as they were.
CREATE TABLE unit_event_units (
	event_id INTEGER NOT NULL REFERENCES unit_events(id),
	unit_id  INTEGER NOT NULL REFERENCES units(id),
	role     TEXT NOT NULL, -- source | target
	code     TEXT NOT NULL,
	name     TEXT NOT NULL,
	PRIMARY KEY (event_id, role, unit_id)
);
CREATE INDEX unit_event_units_unit ON unit_event_units (unit_id);

CREATE TABLE restructure_plans (
	id         INTEGER PRIMARY KEY,
	effective  TEXT NOT NULL,
	decision   TEXT NOT NULL,
	rows       INTEGER NOT NULL,
	summary    TEXT NOT NULL,
	created_at TEXT NOT NULL,
	created_by INTEGER
);

-- Accounts.
CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE,
	display_name  TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	disabled      INTEGER NOT NULL DEFAULT 0,
	created_at    TEXT NOT NULL,
	version       INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE grants (
	id      INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	role    TEXT NOT NULL,
	unit_id INTEGER REFERENCES units(id),
	UNIQUE (user_id, role, unit_id)
);
CREATE INDEX grants_unit ON grants (unit_id);

-- Sessions and API tokens are kept as SHA-256 hashes of the secret.
CREATE TABLE sessions (
	hash       TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	csrf       TEXT NOT NULL,
	addr       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	last_seen  TEXT NOT NULL,
	expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
	hash       TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	last_used  TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Failed logins per key ("acct:<name>|<addr>", "addr:<addr>") in the
-- current window; shared by every app node through the database.
CREATE TABLE login_failures (
	key          TEXT PRIMARY KEY,
	window_start TEXT NOT NULL,
	failures     INTEGER NOT NULL
);

-- The audit trail: a hash chain; audit_head holds the last link so that a
-- deleted tail is caught too.
CREATE TABLE audit_log (
	seq       INTEGER PRIMARY KEY,
	at        TEXT NOT NULL,
	user_id   INTEGER,
	username  TEXT NOT NULL,
	on_behalf TEXT NOT NULL DEFAULT '',
	action    TEXT NOT NULL,
	object    TEXT NOT NULL,
	addr      TEXT NOT NULL,
	before    TEXT NOT NULL DEFAULT '',
	after     TEXT NOT NULL DEFAULT '',
	prev_hash TEXT NOT NULL,
	hash      TEXT NOT NULL
);
CREATE INDEX audit_log_user ON audit_log (username, seq);
CREATE INDEX audit_log_object ON audit_log (object, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);

CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  INTEGER NOT NULL,
	hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');
