-- Scheduled jobs (the hourly task reminders) run once per slot across all
-- app nodes: a node claims (name, slot) with INSERT … ON CONFLICT DO
-- NOTHING and runs the job only if its row went in (sqldb/job.go).
CREATE TABLE job_runs (
	name        TEXT NOT NULL,
	slot        TEXT NOT NULL,
	node        TEXT NOT NULL,
	started_at  TEXT NOT NULL,
	finished_at TEXT,
	status      TEXT NOT NULL,
	detail      TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (name, slot)
);
CREATE INDEX job_runs_started ON job_runs (started_at);
