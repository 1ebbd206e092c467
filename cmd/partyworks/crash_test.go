package main

import (
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Crash safety: the real binary is killed with SIGKILL at random moments
// during the national import and during the national restructuring. After
// each kill the database passes PRAGMA integrity_check, holds either all of
// the operation or none of it (each is one transaction), and running the
// operation again finishes it without duplicates.

const killPoints = 8

func count(t *testing.T, db, query string, args ...any) int {
	t.Helper()
	conn, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func integrity(t *testing.T, db string) {
	t.Helper()
	conn, err := sql.Open("sqlite3", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var res string
	if err := conn.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check: %q %v", res, err)
	}
}

// killAfter starts the program and kills it after d; it reports whether
// the program had already finished.
func killAfter(t *testing.T, db string, d time.Duration, args ...string) bool {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "PARTYWORKS_DB="+db, "USER=tester")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		return false
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

const standing = `SELECT COUNT(*) FROM unit_versions WHERE valid_from <= ? AND valid_to > ?`

func TestKilledImportLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	dir := t.TempDir()
	killed := 0
	for i := range killPoints {
		db := filepath.Join(dir, fmt.Sprintf("import-%d.db", i))
		ok(t, db, "migrate")
		delay := time.Duration(20+rand.IntN(600)) * time.Millisecond
		if !killAfter(t, db, delay, "units", "import", unitsCSV, "--effective", "2020-10-01") {
			killed++
		}
		integrity(t, db)
		n := count(t, db, standing, "2021-01-01", "2021-01-01")
		if n != 0 && n != 10806 {
			t.Fatalf("killed after %v: %d units stand, want all or none", delay, n)
		}
		ok(t, db, "units", "import", unitsCSV, "--effective", "2020-10-01")
		if n := count(t, db, standing, "2021-01-01", "2021-01-01"); n != 10806 {
			t.Fatalf("after running the import again: %d units", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM (SELECT code FROM unit_versions GROUP BY code HAVING COUNT(*) > 1)`); n != 0 {
			t.Fatalf("%d codes are duplicated", n)
		}
	}
	t.Logf("%d kill points, %d of them during the import", killPoints, killed)
}

func TestKilledRestructureLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	dir := t.TempDir()
	base := filepath.Join(dir, "base.db")
	ok(t, base, "units", "import", unitsCSV, "--effective", "2020-10-01")
	// A copy of a closed database file is a consistent database.
	killed := 0
	for i := range killPoints {
		db := filepath.Join(dir, fmt.Sprintf("plan-%d.db", i))
		copyFile(t, base, db)
		delay := time.Duration(50+rand.IntN(1500)) * time.Millisecond
		if !killAfter(t, db, delay, "units", "restructure", planCSV, "--effective", "2025-07-01", "--decision", "60-NQ/TW") {
			killed++
		}
		integrity(t, db)
		n := count(t, db, standing, "2025-07-01", "2025-07-01")
		if n != 10806 && n != 3355 {
			t.Fatalf("killed after %v: %d units stand on 01/07/2025, want the old tree (10,806) or the new (3,355)", delay, n)
		}
		if n == 10806 {
			ok(t, db, "units", "restructure", planCSV, "--effective", "2025-07-01", "--decision", "60-NQ/TW")
		}
		if n := count(t, db, standing, "2025-07-01", "2025-07-01"); n != 3355 {
			t.Fatalf("after the restructuring: %d units", n)
		}
		if n := count(t, db, standing, "2025-06-30", "2025-06-30"); n != 10806 {
			t.Fatalf("the day before: %d units", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM restructure_plans`); n != 1 {
			t.Fatalf("%d plans recorded", n)
		}
	}
	t.Logf("%d kill points, %d of them during the restructuring", killPoints, killed)
}
