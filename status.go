package partyworks

import "time"

// JobRun is one run of a scheduled job. Several app nodes may share one
// database; a job runs once per slot (an hour) across all of them: the
// node that claims the slot first runs it, the others skip it.
type JobRun struct {
	Name     string     `json:"name"`
	Slot     string     `json:"slot"` // e.g. "2026-11-29T19", UTC
	Node     string     `json:"node"` // the node that ran it: host:pid
	Started  time.Time  `json:"started"`
	Finished *time.Time `json:"finished,omitempty"` // nil while running (or if the node died)
	Status   string     `json:"status"`             // JobRunning, JobOK or JobFailed
	Detail   string     `json:"detail,omitempty"`   // what the run did, or its error
}

// The states of a job run.
const (
	JobRunning = "running"
	JobOK      = "ok"
	JobFailed  = "failed"
)

// TableStat is the size of one of the main tables.
type TableStat struct {
	Name string `json:"name"`
	Rows int64  `json:"rows"`
	// Estimated: PostgreSQL's planner estimate (pg_class.reltuples), read
	// instead of counting a table of millions of rows on every visit.
	Estimated bool `json:"estimated,omitempty"`
	// Bytes with indexes; -1 where the database cannot tell (SQLite
	// without the dbstat table).
	Bytes int64 `json:"bytes"`
}

// Migration is one applied schema migration.
type Migration struct {
	Version string    `json:"version"`
	Applied time.Time `json:"applied"`
}

// SystemStatus is what the national administrator's status page shows:
// the program, the database and this app node.
type SystemStatus struct {
	Version         string      `json:"version"`
	Database        string      `json:"database"` // "sqlite" or "postgres"
	DatabaseVersion string      `json:"database_version"`
	DatabaseBytes   int64       `json:"database_bytes"`
	Migrations      []Migration `json:"migrations"`
	// MigrationsKnown is how many migrations this program carries: fewer
	// applied means another node has not finished migrating; more means
	// a newer program has migrated the database.
	MigrationsKnown int         `json:"migrations_known"`
	Tables          []TableStat `json:"tables"`
	Jobs            []JobRun    `json:"jobs"` // the most recent first
	Node            string      `json:"node"`
	Started         time.Time   `json:"started"`
	UptimeSeconds   int64       `json:"uptime_seconds"`
}
