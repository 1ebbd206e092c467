package sqldb_test

import (
	"context"
	"testing"

	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

// SQLite's memory statistics (one mutex for every allocation of every
// connection) are off: SQLite counts no memory though a database is open
// and has been read.
func TestSQLiteMemoryStatisticsOff(t *testing.T) {
	if got := sqldb.SQLiteConfigured(); got != 0 {
		t.Fatalf("sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) returned %d, want 0 (SQLITE_OK): SQLite had started before it", got)
	}
	db := sqldbtest.SQLite(t)
	var n int
	if err := sqldb.QueryRowRaw(context.Background(), db, `SELECT COUNT(*) FROM units`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if used := sqldb.SQLiteMemoryUsed(); used != 0 {
		t.Fatalf("SQLite counts %d bytes in use: its memory statistics are on", used)
	}
}

// Every connection of both pools reads the file through a memory map of
// SQLite's largest size.
func TestSQLiteMemoryMap(t *testing.T) {
	db := sqldbtest.SQLite(t)
	ctx := context.Background()
	var read, write int64
	if err := sqldb.QueryRowRaw(ctx, db, `PRAGMA mmap_size`).Scan(&read); err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := tx.QueryRow(`PRAGMA mmap_size`).Scan(&write); err != nil {
		t.Fatal(err)
	}
	if read != 0x7fff0000 || write != 0x7fff0000 {
		t.Fatalf("mmap_size: reader %d, writer %d; want %d each", read, write, 0x7fff0000)
	}
}
