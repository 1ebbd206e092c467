package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"partyworks"
)

// Backup writes a consistent copy of a SQLite database into one file while
// the service keeps running: VACUUM INTO reads one snapshot (WAL readers
// never block the writer, nor it them) and writes a compact, self-contained
// database. The file must not exist. PostgreSQL is backed up with
// pg_dump (docs/OPERATIONS.md).
//
// The copy is written under a temporary name (FILE.partial) and gets its
// name only once it is complete, synced and passes the integrity check, so
// that a file at the backup's name is always a good backup: a full disk, a
// crash or a kill midway leave at most FILE.partial, which the next backup
// to the same name removes. The service's database is only read.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect != sqlite {
		return partyworks.Errorf(partyworks.EINVALID, "backup of PostgreSQL: use pg_dump (see docs/OPERATIONS.md)")
	}
	if _, err := os.Stat(path); err == nil {
		return partyworks.Errorf(partyworks.ECONFLICT, "%s exists already: a backup never overwrites a file", path)
	}
	tmp := path + ".partial"
	if err := removeTemp(tmp); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// A connection of its own: the readers are query-only and the writer
	// must stay free for the service.
	conn, err := sql.Open("sqlite3", "file:"+db.DSN+"?_busy_timeout=10000")
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		removeTemp(tmp)
		return partyworks.Errorf(partyworks.EINTERNAL, "writing %s failed: %v (is its disk full?); no backup was written, the database is unchanged", path, err)
	}
	if err := syncFile(tmp); err != nil {
		removeTemp(tmp)
		return partyworks.Errorf(partyworks.EINTERNAL, "writing %s failed: %v (is its disk full?); no backup was written, the database is unchanged", path, err)
	}
	if err := CheckFile(ctx, tmp); err != nil {
		removeTemp(tmp)
		return fmt.Errorf("the copy does not check out, no backup was written: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		removeTemp(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	return syncFile(filepath.Dir(path)) // the new name, too, survives a power cut
}

// removeTemp removes a partial backup and the journal SQLite may leave
// beside it when VACUUM INTO fails midway.
func removeTemp(tmp string) error {
	for _, p := range []string{tmp, tmp + "-journal", tmp + "-wal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// syncFile flushes a file (or a folder's entries) to the disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if err2 := f.Close(); err == nil {
		err = err2
	}
	return err
}

// CheckFile runs SQLite's integrity check on a database file without
// changing it.
func CheckFile(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return partyworks.Errorf(partyworks.ENOTFOUND, "%s: %v", path, err)
	}
	conn, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer conn.Close()
	var res string
	if err := conn.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return partyworks.Errorf(partyworks.EINVALID, "%s is not a readable SQLite database: %v", path, err)
	}
	if res != "ok" {
		return partyworks.Errorf(partyworks.EINVALID, "%s fails the integrity check: %s", path, res)
	}
	return nil
}

// Restore puts a backup file in place of the database file at path: the
// backup must pass the integrity check, and the target must not exist or
// hold no units and no users, unless force is set. The service must be
// stopped (the target is replaced as a file).
func Restore(ctx context.Context, backup, path string, force bool) error {
	if err := CheckFile(ctx, backup); err != nil {
		return err
	}
	if _, err := os.Stat(path); err == nil && !force {
		held, err := heldData(ctx, path)
		if err == nil && len(held) > 0 {
			return partyworks.Errorf(partyworks.ECONFLICT, "%s already holds data (%s): restoring over it would lose them; move it away first, or use --force", path, strings.Join(held, ", "))
		}
	}
	data, err := os.ReadFile(backup)
	if err != nil {
		return err
	}
	tmp := path + ".restoring"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("restore: %w", err)
	}
	f, err := os.Open(tmp)
	if err == nil {
		err = f.Sync()
		f.Close()
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("restore: %w", err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			os.Remove(tmp)
			return fmt.Errorf("restore: %w", err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}

// heldData lists the tables of a SQLite file that hold data, with their
// row counts; the file is only read.
func heldData(ctx context.Context, path string) ([]string, error) {
	db, err := openReadOnly(path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return dataTables(ctx, db.read, db.dialect)
}

// openReadOnly opens a SQLite file for reading only, without migrating it:
// the source of a copy, the target of a restore.
func openReadOnly(path string) (*DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, partyworks.Errorf(partyworks.ENOTFOUND, "%s: %v", path, err)
	}
	conn, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return nil, err
	}
	if err := conn.Ping(); err != nil {
		conn.Close()
		return nil, partyworks.Errorf(partyworks.EINVALID, "%s is not a readable SQLite database: %v", path, err)
	}
	return &DB{read: conn, write: conn, dialect: sqlite, DSN: path, Now: time.Now}, nil
}

// seeded are the tables a new database is given rows in by its migrations
// (settings and counters, not data): they do not make a database "hold
// data", and a copy replaces their rows.
var seeded = []string{"schema_migrations", "audit_head", "task_sync", "retention_periods"}

// dataTables lists the tables that hold rows ("units 10843 rows"), leaving
// out those a fresh database is seeded with.
func dataTables(ctx context.Context, q queryer, d dialect) ([]string, error) {
	tables, err := listTables(ctx, q, d)
	if err != nil {
		return nil, err
	}
	var held []string
	for _, t := range tables {
		if slices.Contains(seeded, t) {
			continue
		}
		var n int64
		rows, err := q.QueryContext(ctx, `SELECT COUNT(*) FROM `+t)
		if err != nil {
			return nil, err
		}
		if rows.Next() {
			err = rows.Scan(&n)
		}
		rows.Close()
		if err != nil {
			return nil, err
		}
		if n > 0 {
			held = append(held, fmt.Sprintf("%s %d rows", t, n))
		}
	}
	return held, nil
}
