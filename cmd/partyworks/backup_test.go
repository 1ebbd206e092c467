package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestBackupAndRestore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "live.db")
	ok(t, db, "units", "import", unitsCSV, "--effective", "2020-10-01")
	backup := filepath.Join(dir, "backup.db")
	contains(t, ok(t, db, "backup", backup), "written and checked")
	fails(t, db, "exists already", "backup", backup)
	restored := filepath.Join(dir, "restored.db")
	contains(t, ok(t, restored, "restore", backup), "restored")
	if n := count(t, restored, standing, "2021-01-01", "2021-01-01"); n != 10806 {
		t.Errorf("%d units in the restored database", n)
	}
	fails(t, db, "already holds data", "restore", backup)
	ok(t, restored, "audit", "verify")
}

// TestRestoreRefusesData: a restore over a database that holds data is
// refused, the message names what is there, and the database is left as
// it was, byte for byte.
func TestRestoreRefusesData(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "live.db")
	cells := writeFile(t, "units.csv", "code,name,type,parent_code\n22,Tỉnh Quảng Ninh,Tỉnh,\n193,Thành phố Hạ Long,Thành phố,22\n")
	ok(t, db, "units", "import", cells, "--effective", "2020-10-01")
	ok(t, db, "user", "add", "lan.nguyen")
	backup := filepath.Join(dir, "backup.db")
	ok(t, db, "backup", backup)
	before := fileSum(t, db)
	r := fails(t, db, "already holds data", "restore", backup)
	contains(t, r.stderr, "units 2 rows", "users 1 rows", "audit_log ", "move it away first, or use --force")
	if fileSum(t, db) != before {
		t.Error("a refused restore changed the database file")
	}
	if _, err := os.Stat(db + ".restoring"); !os.IsNotExist(err) {
		t.Errorf("a refused restore left %s.restoring: %v", db, err)
	}
	contains(t, ok(t, db, "restore", backup, "--force"), "restored")
	fails(t, db, "PostgreSQL is restored with pg_restore", "restore", backup, "--db", "postgres://u@127.0.0.1:1/x")
}

func fileSum(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestBackupFullDisk: a backup that cannot be written whole (a disk that
// fills up: a 1 MiB tmpfs when the test may mount one; and always a file
// size limit, ulimit -f, on the real binary) fails saying so, leaves no
// file at the backup's name nor a partial one, and the database being
// served keeps working: it answers, takes writes, checks out, and the
// next backup to a disk with room succeeds.
func TestBackupFullDisk(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash for ulimit")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "live.db")
	full := func(t *testing.T, target string, prefix ...string) {
		t.Helper()
		args := append(prefix, binary, "backup", target, "--db", db)
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = append(os.Environ(), "USER=tester")
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("a backup onto a full disk succeeded:\n%s", out)
		}
		contains(t, string(out), "backup: writing "+target+" failed", "is its disk full?", "no backup was written")
		if left, _ := filepath.Glob(target + "*"); len(left) > 0 {
			t.Errorf("left after a failed backup: %v", left)
		}
	}
	serve(t, db, func(url string) {
		t.Run("file size limit", func(t *testing.T) {
			// bash's ulimit -f counts KiB; the demo database is about 8 MiB.
			full(t, filepath.Join(dir, "limited.db"), "bash", "-c", `ulimit -f 1024 && exec "$@"`, "bash")
		})
		t.Run("tmpfs of 1 MiB", func(t *testing.T) {
			small := filepath.Join(dir, "small")
			os.Mkdir(small, 0o755)
			if err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1M", "tmpfs", small).Run(); err != nil {
				t.Skipf("cannot mount a tmpfs here (%v): the file size limit stands for a full disk", err)
			}
			defer exec.Command("umount", small).Run()
			full(t, filepath.Join(small, "backup.db"))
		})
		res, err := http.Get(url + "readyz")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET /readyz after the failed backups: %d", res.StatusCode)
		}
		contains(t, ok(t, db, "user", "add", "after.full.disk"), "user after.full.disk created")
	})
	integrity(t, db)
	contains(t, ok(t, db, "audit", "verify"), "the chain is intact")
	contains(t, ok(t, db, "backup", filepath.Join(dir, "roomy.db")), "written and checked")
}

// pgTool finds a PostgreSQL client program on PATH or in Debian's place;
// without it the test skips, except under CI.
func pgTool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if p := "/usr/lib/postgresql/15/bin/" + name; fileExists(p) {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed: under CI the PostgreSQL backup drill must run", name)
	}
	t.Skipf("%s is not installed", name)
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestPostgresDumpRestoreDrill runs the PostgreSQL backup steps of
// docs/OPERATIONS.md as written: pg_dump of a database holding the demo,
// pg_restore into a new database; every table matches, the audit chain
// verifies, and the restored database takes new rows (its sequences came
// along).
func TestPostgresDumpRestoreDrill(t *testing.T) {
	pgDump, pgRestore := pgTool(t, "pg_dump"), pgTool(t, "pg_restore")
	live, restored := pgDatabase(t), pgDatabase(t)
	dir := t.TempDir()
	lite := filepath.Join(dir, "demo.db")
	ok(t, lite, "demo", "--scale", "story")
	ok(t, lite, "copy", "--from", lite, "--to", live) // the demo, faster than seeding PostgreSQL row by row
	ok(t, live, "user", "add", "before.dump")

	dump := filepath.Join(dir, "partyworks.dump")
	run := func(args ...string) {
		t.Helper()
		start := time.Now()
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
		t.Logf("%s: %v", filepath.Base(args[0]), time.Since(start).Round(time.Millisecond))
	}
	run(pgDump, "--format=custom", "--file="+dump, live)
	run(pgRestore, "--no-owner", "--exit-on-error", "--dbname="+restored, dump)

	want, got := checksums(t, live), checksums(t, restored)
	if len(got) != len(want) || want["units"].Rows < 10000 || want["users"].Rows < 7 {
		t.Errorf("restored %d tables, dumped %d; %d units, %d users", len(got), len(want), want["units"].Rows, want["users"].Rows)
	}
	for table, sum := range want {
		if got[table] != sum {
			t.Errorf("%s: restored %+v, dumped %+v", table, got[table], sum)
		}
	}
	// What an operator runs to check the restore (docs/OPERATIONS.md).
	contains(t, ok(t, live, "checksums", "--against", restored), fmt.Sprintf("every table matches: %d tables", len(want)))
	contains(t, ok(t, restored, "audit", "verify"), "the chain is intact")
	out := ok(t, restored, "user", "add", "after.restore")
	// Now they differ, and the command says where.
	if r := fails(t, live, "tables differ: ", "checksums", "--against", restored); !strings.Contains(r.stderr, "users") || !strings.Contains(r.stdout, "DIFFERS") {
		t.Errorf("after adding an account to the restored database: %s\n%s", r.stderr, r.stdout)
	}
	if m := regexp.MustCompile(`\(id (\d+)\)`).FindStringSubmatch(out); m == nil || m[1] != fmt.Sprint(want["users"].Rows+1) {
		t.Errorf("a user added after the restore: %s (there were %d)", out, want["users"].Rows)
	}
}
