-- Official documents (the documents issue): registers per unit, numbering
-- per issuer, type and term, secrecy, files, routing, search, retention.

-- The clearance of a user: the highest secrecy mark they may read
-- (1 Mật, 2 Tối mật, 3 Tuyệt mật). No row: no clearance.
CREATE TABLE user_clearances (
	user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	level      INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),
	granted_at TEXT NOT NULL,
	granted_by TEXT NOT NULL
);

-- The abbreviation a unit signs its symbols with ("TU", "BTCTU").
CREATE TABLE document_issuers (
	unit_id INTEGER PRIMARY KEY REFERENCES units(id),
	abbr    TEXT NOT NULL
);

-- Congresses cut an issuer's numbering into terms.
CREATE TABLE document_congresses (
	id      INTEGER PRIMARY KEY,
	unit_id INTEGER NOT NULL REFERENCES units(id),
	label   TEXT NOT NULL,
	opens   TEXT NOT NULL,
	closes  TEXT NOT NULL
);
CREATE INDEX document_congresses_unit ON document_congresses (unit_id, opens);

-- One counter per (unit, period, series): period is the term ("c<congress
-- id>", "" before the first congress) or, for incoming registers, the
-- year; series is the type, "congress" or "incoming". Taken with UPDATE …
-- RETURNING in the registering transaction: no gap, no duplicate.
CREATE TABLE document_counters (
	unit_id INTEGER NOT NULL REFERENCES units(id),
	period  TEXT NOT NULL,
	series  TEXT NOT NULL,
	last    INTEGER NOT NULL,
	PRIMARY KEY (unit_id, period, series)
);

CREATE TABLE documents (
	id         INTEGER PRIMARY KEY,
	unit_id    INTEGER NOT NULL REFERENCES units(id),
	direction  TEXT NOT NULL CHECK (direction IN ('out', 'in')),
	reg_no     INTEGER NOT NULL,
	period     TEXT NOT NULL,
	series     TEXT NOT NULL,
	symbol     TEXT NOT NULL,
	sym_number INTEGER NOT NULL,
	sym_type   TEXT NOT NULL,
	sym_issuer TEXT NOT NULL,
	sym_state  INTEGER NOT NULL DEFAULT 0,
	issuer     TEXT NOT NULL DEFAULT '',
	issued     TEXT NOT NULL,
	received   TEXT NOT NULL DEFAULT '',
	summary    TEXT NOT NULL,
	signer     TEXT NOT NULL DEFAULT '',
	recipients TEXT NOT NULL DEFAULT '',
	secrecy    INTEGER NOT NULL DEFAULT 0 CHECK (secrecy BETWEEN 0 AND 3),
	urgency    INTEGER NOT NULL DEFAULT 0 CHECK (urgency BETWEEN 0 AND 3),
	class      TEXT NOT NULL,
	status     TEXT NOT NULL DEFAULT 'active',
	created_at TEXT NOT NULL,
	created_by INTEGER,
	version    INTEGER NOT NULL DEFAULT 1
);
-- A number is taken once per register series: the database refuses a
-- duplicate even if the counter were bypassed.
CREATE UNIQUE INDEX documents_number ON documents (unit_id, direction, period, series, reg_no);
-- secrecy last: the total of a register page is counted from the index alone.
CREATE INDEX documents_register ON documents (unit_id, direction, issued, id, secrecy);
CREATE INDEX documents_status ON documents (unit_id, status, issued);

-- The normalized, folded text of a document (symbol, summary, files) that
-- search results are checked against, and the index of its words, word
-- pairs and CJK character pairs (sqldb/document_search.go), newest first.
CREATE TABLE document_text (
	document_id INTEGER PRIMARY KEY REFERENCES documents(id),
	fold        TEXT NOT NULL
);
CREATE VIRTUAL TABLE document_search USING fts4(toks, tokenize=simple, order=DESC);

CREATE TABLE document_files (
	id          INTEGER PRIMARY KEY,
	document_id INTEGER NOT NULL REFERENCES documents(id),
	name        TEXT NOT NULL,
	media_type  TEXT NOT NULL,
	size        INTEGER NOT NULL,
	sha256      TEXT NOT NULL,
	stored      TEXT NOT NULL UNIQUE,
	key_id      TEXT NOT NULL DEFAULT '',
	wrapped_key TEXT NOT NULL DEFAULT '',
	text        TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL,
	created_by  INTEGER
);
CREATE INDEX document_files_doc ON document_files (document_id);
CREATE INDEX document_files_key ON document_files (key_id);

CREATE TABLE document_routes (
	id          INTEGER PRIMARY KEY,
	document_id INTEGER NOT NULL REFERENCES documents(id),
	to_unit_id  INTEGER REFERENCES units(id),
	to_user_id  INTEGER REFERENCES users(id),
	deadline    TEXT NOT NULL,
	note        TEXT NOT NULL DEFAULT '',
	done        INTEGER NOT NULL DEFAULT 0,
	created_at  TEXT NOT NULL,
	created_by  INTEGER
);
CREATE INDEX document_routes_doc ON document_routes (document_id);
CREATE INDEX document_routes_open ON document_routes (done, deadline);

-- Retention periods per class (a type, or '*' for the rest). The values
-- are UNVERIFIED defaults: change them with partyworks documents retention.
CREATE TABLE retention_periods (
	class         TEXT PRIMARY KEY,
	name          TEXT NOT NULL,
	archive_after INTEGER NOT NULL,
	keep          INTEGER NOT NULL
);
INSERT INTO retention_periods (class, name, archive_after, keep) VALUES
	('NQ', 'Nghị quyết', 1, 0), ('CT', 'Chỉ thị', 1, 0), ('KL', 'Kết luận', 1, 0),
	('QĐ', 'Quyết định', 1, 0), ('QyĐ', 'Quy định', 1, 0), ('BB', 'Biên bản', 1, 0),
	('KH', 'Kế hoạch', 1, 20), ('HD', 'Hướng dẫn', 1, 20), ('BC', 'Báo cáo', 1, 20),
	('TB', 'Thông báo', 1, 10), ('CV', 'Công văn', 1, 10), ('TTr', 'Tờ trình', 1, 10),
	('*', 'Các loại khác', 1, 10);

-- Archiving and disposal, each by a decision.
CREATE TABLE document_dispositions (
	id          INTEGER PRIMARY KEY,
	document_id INTEGER NOT NULL REFERENCES documents(id),
	action      TEXT NOT NULL,
	decision    TEXT NOT NULL,
	day         TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	created_by  INTEGER
);
CREATE INDEX document_dispositions_doc ON document_dispositions (document_id);
