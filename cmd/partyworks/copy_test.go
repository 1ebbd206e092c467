package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
	"partyworks/vault"
)

// pgDatabase creates an empty database on the test server (skipping
// without one, failing under CI) and drops it when the test ends; it
// returns the database's URL.
func pgDatabase(t *testing.T) string {
	t.Helper()
	base := sqldbtest.PostgresURL(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "pw_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		t.Fatalf("postgres: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// checksums opens a database and returns its tables' checksums.
func checksums(t *testing.T, dsn string) map[string]sqldb.TableSum {
	t.Helper()
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sums, err := db.Checksums(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

// TestCopyToPostgres moves the demo installation from a SQLite file to a
// new PostgreSQL database with the real binary: every table matches, the
// copy serves reads (a member, a unit as it stood before and after the
// reorganization, a document) and its audit chain verifies, and a second
// copy into it is refused and changes nothing.
func TestCopyToPostgres(t *testing.T) {
	pgURL := pgDatabase(t)
	dir := t.TempDir()
	lite := filepath.Join(dir, "demo.db")
	ok(t, lite, "demo", "--scale", "story")

	out := ok(t, lite, "copy", "--from", lite, "--to", pgURL)
	contains(t, out, "every table matches", "PARTYWORKS_FILES="+filepath.Join(dir, "partyworks-files"))
	if strings.Contains(out, "MISMATCH") || strings.Contains(out, ":postgres@") {
		t.Errorf("a mismatch, or the password shown:\n%s", out)
	}
	tables := 0
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) == 4 && f[0] != "table" && f[0] != "copy:" {
			tables++
			if f[3] != "ok" {
				t.Errorf("not matching: %s", line)
			}
		}
	}
	liteSums := checksums(t, lite)
	if tables != len(liteSums)-1 { // every table but schema_migrations
		t.Errorf("%d tables listed, the source has %d:\n%s", tables, len(liteSums), out)
	}
	contains(t, ok(t, pgURL, "audit", "verify"), "the chain is intact")
	contains(t, ok(t, pgURL, "units", "show", "22", "--at", "30/06/2025"), "children on 30/06/2025: 18", "193          Thành ủy Hạ Long")
	contains(t, ok(t, pgURL, "units", "show", "22", "--at", "01/07/2025"), "06688        Đảng ủy phường Hạ Long  (ward)")
	readBoth(t, lite, pgURL)

	before := checksums(t, pgURL)
	r := fails(t, lite, "already holds data", "copy", "--from", lite, "--to", pgURL)
	contains(t, r.stderr, "units 10", "nothing was written")
	after := checksums(t, pgURL)
	for table, sum := range before {
		if after[table] != sum {
			t.Errorf("%s changed by a refused copy", table)
		}
	}
	fails(t, lite, "--to must be a postgres:// URL", "copy", "--from", lite, "--to", filepath.Join(dir, "other.db"))
	fails(t, lite, "give --from FILE.db and --to", "copy", "--from", lite)
}

// readBoth reads the same member, unit version and document on both
// databases through the services.
func readBoth(t *testing.T, lite, pgURL string) {
	t.Helper()
	ctx := context.Background()
	open := func(dsn string) (*sqldb.DB, *sqldb.DocumentService) {
		db, err := sqldb.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		v, err := vault.New(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return db, sqldb.NewDocumentService(db, v)
	}
	ldb, ldocs := open(lite)
	pdb, pdocs := open(pgURL)
	at, _ := partyworks.ParseDate("2025-08-01")
	ms, _, err := sqldb.NewMemberService(ldb).FindMembers(ctx, partyworks.MemberFilter{At: at, Limit: 1})
	if err != nil || len(ms) == 0 {
		t.Fatalf("a member: %v", err)
	}
	if m, err := sqldb.NewMemberService(pdb).FindMemberByID(ctx, ms[0].ID); err != nil || m.FullName != ms[0].FullName || m.UnitID != ms[0].UnitID {
		t.Errorf("member %d on PostgreSQL: %+v %v; on SQLite %+v", ms[0].ID, m, err, ms[0])
	}
	for _, day := range []string{"2025-03-01", "2025-07-01"} {
		d, _ := partyworks.ParseDate(day)
		want, err := sqldb.NewUnitService(ldb).FindUnitByCode(ctx, "06688", d)
		if err != nil {
			want, err = sqldb.NewUnitService(ldb).FindUnitByCode(ctx, "193", d)
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := sqldb.NewUnitService(pdb).FindUnitByID(ctx, want.ID, d)
		if err != nil || got.Name != want.Name || got.Path != want.Path || got.Code != want.Code {
			t.Errorf("unit %d on %s, PostgreSQL: %+v %v; SQLite %+v", want.ID, day, got, err, want)
		}
	}
	sys := partyworks.Viewer{System: true}
	docs, _, err := ldocs.FindDocuments(ctx, sys, partyworks.DocumentFilter{Limit: 5})
	if err != nil || len(docs) == 0 {
		t.Fatalf("a document: %v", err)
	}
	for _, want := range docs {
		got, err := pdocs.FindDocumentByID(ctx, sys, want.ID)
		if err != nil || got.Summary != want.Summary || got.Symbol.String() != want.Symbol.String() {
			t.Errorf("document %d on PostgreSQL: %+v %v; SQLite %+v", want.ID, got, err, want)
		}
	}
}
