-- Files of a directive (issue 4, item 1: "its issuer, date, summary and
-- files"): stored on disk under generated names, like task evidence, and
-- served only as attachments under their original name.
CREATE TABLE directive_files (
	id           INTEGER PRIMARY KEY,
	directive_id INTEGER NOT NULL REFERENCES directives(id),
	name         TEXT NOT NULL,
	stored       TEXT NOT NULL UNIQUE,
	size         INTEGER NOT NULL,
	type         TEXT NOT NULL,
	sha256       TEXT NOT NULL,
	created_at   TEXT NOT NULL
);
CREATE INDEX directive_files_directive ON directive_files (directive_id);
