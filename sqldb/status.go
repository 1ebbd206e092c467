package sqldb

import (
	"context"
	"fmt"
	"io/fs"

	"partyworks"
)

// statusTables are the main tables the status page sizes.
var statusTables = []string{"units", "unit_versions", "members", "tasks", "documents", "audit_log"}

// exactBelow: PostgreSQL tables the planner estimates below this many rows
// are counted exactly (cheap); larger ones show the estimate, because a
// COUNT(*) over millions of members on every visit would be a load of its own.
const exactBelow = 100_000

// Status reports the database's side of the status page: its kind and
// version, the migrations, the main tables and the recent job runs. The
// program's version and the node's identity are the caller's to fill.
func (db *DB) Status(ctx context.Context) (*partyworks.SystemStatus, error) {
	st := &partyworks.SystemStatus{Database: db.dialect.name()}
	var err error
	if st.DatabaseVersion, st.DatabaseBytes, err = db.serverInfo(ctx); err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	if st.Migrations, err = db.appliedMigrations(ctx); err != nil {
		return nil, fmt.Errorf("status: migrations: %w", err)
	}
	names, _ := fs.Glob(migrations, "migrations/"+db.dialect.name()+"/*.sql")
	st.MigrationsKnown = len(names)
	for _, name := range statusTables {
		t, err := db.tableStat(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("status: table %s: %w", name, err)
		}
		st.Tables = append(st.Tables, t)
	}
	if st.Jobs, err = db.RecentJobRuns(ctx, 20); err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	return st, nil
}

func (db *DB) serverInfo(ctx context.Context) (version string, bytes int64, err error) {
	if db.dialect == postgres {
		err = db.queryRow(ctx, `SELECT current_setting('server_version'), pg_database_size(current_database())`).Scan(&version, &bytes)
		return version, bytes, err
	}
	// The main file; the WAL beside it is at most a checkpoint's worth.
	err = db.queryRow(ctx, `SELECT sqlite_version(), (SELECT page_count FROM pragma_page_count()) * (SELECT page_size FROM pragma_page_size())`).Scan(&version, &bytes)
	return version, bytes, err
}

func (db *DB) appliedMigrations(ctx context.Context) ([]partyworks.Migration, error) {
	rows, err := db.query(ctx, `SELECT version, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(s scanner) (partyworks.Migration, error) {
		var m partyworks.Migration
		var at string
		err := s.Scan(&m.Version, &at)
		m.Applied = parseTime(at)
		return m, err
	})
}

// tableStat counts a table's rows (or, for a large PostgreSQL table, reads
// the planner's estimate) and, on PostgreSQL, its size with indexes.
func (db *DB) tableStat(ctx context.Context, name string) (partyworks.TableStat, error) {
	t := partyworks.TableStat{Name: name, Bytes: -1}
	if db.dialect == postgres {
		var est float64
		// to_regclass resolves the name on the search path (a test's schema).
		if err := db.queryRow(ctx, `SELECT c.reltuples, pg_total_relation_size(c.oid) FROM pg_class c WHERE c.oid = to_regclass(?)`, name).Scan(&est, &t.Bytes); err != nil {
			return t, err
		}
		if est >= exactBelow {
			t.Rows, t.Estimated = int64(est), true
			return t, nil
		}
	}
	// The name comes from statusTables, never from a request.
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM `+name).Scan(&t.Rows)
	return t, err
}
