-- Directives and the tasks they create (issue 4).

-- A source of work registered by a unit (owner_id), which assigns the
-- tasks it creates.
CREATE TABLE directives (
	id         INTEGER PRIMARY KEY,
	owner_id   INTEGER NOT NULL REFERENCES units(id),
	symbol     TEXT NOT NULL DEFAULT '',
	kind       TEXT NOT NULL,
	issuer     TEXT NOT NULL DEFAULT '',
	issued     TEXT NOT NULL,
	title      TEXT NOT NULL,
	summary    TEXT NOT NULL DEFAULT '',
	rule       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	version    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX directives_owner ON directives (owner_id, issued);

-- A unit's task. unit_path is the unit's path as of the last sync with
-- the tree (task_sync), so that a subtree's tasks are a range. done_on is
-- NULL while the task is open; the status is derived, never stored.
CREATE TABLE tasks (
	id           INTEGER PRIMARY KEY,
	directive_id INTEGER NOT NULL REFERENCES directives(id),
	parent_id    INTEGER REFERENCES tasks(id),
	unit_id      INTEGER NOT NULL REFERENCES units(id),
	unit_path    TEXT NOT NULL,
	assigner_id  INTEGER NOT NULL REFERENCES units(id),
	title        TEXT NOT NULL,
	detail       TEXT NOT NULL DEFAULT '',
	start        TEXT NOT NULL,
	deadline     TEXT NOT NULL,
	weight       INTEGER NOT NULL DEFAULT 1,
	progress     INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
	milestones   INTEGER NOT NULL DEFAULT 0,
	reached      INTEGER NOT NULL DEFAULT 0,
	done_on      TEXT,
	review       TEXT NOT NULL DEFAULT '',
	review_note  TEXT NOT NULL DEFAULT '',
	escalated_on TEXT,
	note         TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	version      INTEGER NOT NULL DEFAULT 1,
	CHECK (start <= deadline)
);
-- The roll-up reads a directive's top-level tasks over a path range from
-- this index alone.
CREATE INDEX tasks_rollup ON tasks (directive_id, unit_path, deadline, done_on, progress, weight, review) WHERE parent_id IS NULL;
CREATE INDEX tasks_unit ON tasks (unit_id, deadline);
CREATE INDEX tasks_assigner ON tasks (assigner_id, deadline);
CREATE INDEX tasks_parent ON tasks (parent_id) WHERE parent_id IS NOT NULL;
-- "What needs doing": open tasks of a subtree by deadline.
CREATE INDEX tasks_open ON tasks (unit_path, deadline) WHERE done_on IS NULL;

-- Reports on a task: progress, and the assigning unit's reviews.
CREATE TABLE task_reports (
	id         INTEGER PRIMARY KEY,
	task_id    INTEGER NOT NULL REFERENCES tasks(id),
	day        TEXT NOT NULL,
	kind       TEXT NOT NULL,
	progress   INTEGER NOT NULL,
	note       TEXT NOT NULL DEFAULT '',
	by_name    TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
);
CREATE INDEX task_reports_task ON task_reports (task_id, id);

-- Evidence files: stored on disk under generated names (stored), served as
-- attachments under their original name.
CREATE TABLE task_files (
	id         INTEGER PRIMARY KEY,
	task_id    INTEGER NOT NULL REFERENCES tasks(id),
	report_id  INTEGER NOT NULL REFERENCES task_reports(id),
	name       TEXT NOT NULL,
	stored     TEXT NOT NULL UNIQUE,
	size       INTEGER NOT NULL,
	type       TEXT NOT NULL,
	sha256     TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX task_files_task ON task_files (task_id);

-- In-app notifications to a unit; one per (task, kind) so that a daily
-- reminder run does not repeat itself.
CREATE TABLE task_notifications (
	id         INTEGER PRIMARY KEY,
	unit_id    INTEGER NOT NULL REFERENCES units(id),
	task_id    INTEGER NOT NULL REFERENCES tasks(id),
	kind       TEXT NOT NULL,
	text       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	mailed     INTEGER NOT NULL DEFAULT 0,
	UNIQUE (task_id, kind, unit_id)
);
CREATE INDEX task_notifications_unit ON task_notifications (unit_id, id);

-- Where a unit's notifications are emailed (when SMTP is configured).
CREATE TABLE task_mail (
	unit_id INTEGER NOT NULL REFERENCES units(id),
	address TEXT NOT NULL,
	PRIMARY KEY (unit_id, address)
);

-- Roll-up counters: the sums of a directive's top-level tasks for each
-- unit and every unit above it in the task's unit_path (unit_id), by
-- deadline (so that "overdue" is read for any day), kept in the same
-- transaction as every change to a task (sqldb/task_count.go). above_id is
-- unit_id's parent in that path (0 at a root), for the breakdown by the
-- units just below. A subtree's roll-up reads a handful of rows.
CREATE TABLE task_counts (
	directive_id INTEGER NOT NULL REFERENCES directives(id),
	unit_id      INTEGER NOT NULL,
	above_id     INTEGER NOT NULL,
	deadline     TEXT NOT NULL,
	tasks        INTEGER NOT NULL DEFAULT 0,
	done         INTEGER NOT NULL DEFAULT 0,
	done_on_time INTEGER NOT NULL DEFAULT 0,
	accepted     INTEGER NOT NULL DEFAULT 0,
	started      INTEGER NOT NULL DEFAULT 0,
	percent_sum  INTEGER NOT NULL DEFAULT 0,
	weight_sum   INTEGER NOT NULL DEFAULT 0,
	weighted_sum INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (directive_id, unit_id, above_id, deadline)
);
CREATE INDEX task_counts_above ON task_counts (directive_id, above_id, unit_id);

-- The tree state tasks.unit_path was last synced with.
CREATE TABLE task_sync (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	stamp    TEXT NOT NULL
);
INSERT INTO task_sync (id, stamp) VALUES (1, '');

-- Study and dissemination of a directive.
CREATE TABLE study_campaigns (
	id           INTEGER PRIMARY KEY,
	directive_id INTEGER NOT NULL REFERENCES directives(id),
	owner_id     INTEGER NOT NULL REFERENCES units(id),
	title        TEXT NOT NULL,
	start        TEXT NOT NULL,
	end_day      TEXT NOT NULL,
	kinds        TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	CHECK (start <= end_day)
);
CREATE INDEX study_campaigns_directive ON study_campaigns (directive_id);

-- Sessions held by a unit, with attendance counts (per-member attendance
-- waits for the members capability).
CREATE TABLE study_sessions (
	id          INTEGER PRIMARY KEY,
	campaign_id INTEGER NOT NULL REFERENCES study_campaigns(id),
	unit_id     INTEGER NOT NULL REFERENCES units(id),
	held        TEXT NOT NULL,
	attended    INTEGER NOT NULL CHECK (attended >= 0),
	expected    INTEGER NOT NULL CHECK (expected >= attended),
	note        TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL
);
CREATE INDEX study_sessions_campaign ON study_sessions (campaign_id, unit_id);
