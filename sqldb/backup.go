package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"partyworks"
	"sort"
	"strings"
)

// Backup writes a consistent copy of a SQLite database into one file while
// the service keeps running: VACUUM INTO reads one snapshot (WAL readers
// never block the writer, nor it them) and writes a compact, self-contained
// database. The file must not exist. PostgreSQL is backed up with
// pg_dump (docs/OPERATIONS.md).
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect != sqlite {
		return partyworks.Errorf(partyworks.EINVALID, "backup of PostgreSQL: use pg_dump (see docs/OPERATIONS.md)")
	}
	if _, err := os.Stat(path); err == nil {
		return partyworks.Errorf(partyworks.ECONFLICT, "%s exists already: a backup never overwrites a file", path)
	}
	// A connection of its own: the readers are query-only and the writer
	// must stay free for the service.
	conn, err := sql.Open("sqlite3", "file:"+db.DSN+"?_busy_timeout=10000")
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("backup: %w", err)
	}
	return nil
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

// TableSum is one table's row count and a checksum of its rows.
type TableSum struct {
	Rows int64
	Sum  string
}

// Checksums returns every table's row count and a checksum over its rows
// in primary-key order, so that two databases (a backup and its restore, a
// SQLite file and its PostgreSQL copy) can be compared table by table.
// Values are written as text the same way on both databases.
func (db *DB) Checksums(ctx context.Context) (map[string]TableSum, error) {
	tables, err := db.tables(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]TableSum, len(tables))
	for _, t := range tables {
		rows, err := db.read.QueryContext(ctx, `SELECT * FROM `+t+` ORDER BY 1`)
		if err != nil {
			return nil, fmt.Errorf("checksum %s: %w", t, err)
		}
		cols, _ := rows.Columns()
		h := sha256.New()
		var n int64
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			n++
			for _, v := range vals {
				fmt.Fprintf(h, "%d:%s|", len(v.String), v.String)
			}
			h.Write([]byte{'\n'})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		out[t] = TableSum{Rows: n, Sum: hex.EncodeToString(h.Sum(nil))}
	}
	return out, nil
}

// tables lists the application's tables, sorted.
func (db *DB) tables(ctx context.Context) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if db.dialect == postgres {
		q = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`
	}
	rows, err := db.read.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		if !strings.ContainsAny(t, `"; `) {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out, rows.Err()
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
		conn, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
		if err != nil {
			return err
		}
		var n int64
		err = conn.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM units) + (SELECT COUNT(*) FROM users)`).Scan(&n)
		conn.Close()
		if err == nil && n > 0 {
			return partyworks.Errorf(partyworks.ECONFLICT, "%s already holds data (%d units and users): restoring over it would lose them; move it away first, or use --force", path, n)
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
