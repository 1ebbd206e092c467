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
