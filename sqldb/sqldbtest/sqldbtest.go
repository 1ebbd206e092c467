// Package sqldbtest opens throw-away databases for tests: a SQLite file in
// a temporary folder, and a fresh schema on the PostgreSQL server named by
// PARTYWORKS_TEST_PG. Without that variable PostgreSQL tests skip, except
// under CI (CI=true), where a skip is a failure.
package sqldbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"partyworks/sqldb"
)

// SQLite opens a new SQLite database in a temporary folder.
func SQLite(tb testing.TB) *sqldb.DB {
	tb.Helper()
	db, err := sqldb.Open(context.Background(), filepath.Join(tb.TempDir(), "test.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// PostgresURL returns the server for tests, or skips (fails under CI).
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("PARTYWORKS_TEST_PG")
	if url == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("PARTYWORKS_TEST_PG is not set: under CI the PostgreSQL tests must run")
		}
		tb.Skip("PARTYWORKS_TEST_PG is not set")
	}
	return url
}

// Schema creates a new, empty schema named prefix and random letters on
// the test server (skipping without one, failing under CI) and drops it
// when the test ends; WithSearchPath(PostgresURL(tb), schema) reaches it.
func Schema(tb testing.TB, prefix string) string {
	tb.Helper()
	url := PostgresURL(tb)
	admin, err := sql.Open("pgx", url)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	schema := prefix + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		tb.Fatalf("postgres: %v", err)
	}
	tb.Cleanup(func() {
		if a, err := sql.Open("pgx", url); err == nil {
			a.Exec("DROP SCHEMA " + schema + " CASCADE")
			a.Close()
		}
	})
	return schema
}

// WithSearchPath is url reaching schema.
func WithSearchPath(url, schema string) string {
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schema
}

// Postgres opens a new, empty schema on the test server and drops it when
// the test ends.
func Postgres(tb testing.TB) *sqldb.DB {
	tb.Helper()
	db, err := sqldb.Open(context.Background(), WithSearchPath(PostgresURL(tb), Schema(tb, "t_")))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() }) // before the schema's drop (cleanups run last first)
	return db
}

// Each runs fn on SQLite and on PostgreSQL, as subtests.
func Each(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}
