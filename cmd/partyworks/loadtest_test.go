package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"partyworks/loadtest"
	"partyworks/sqldb/sqldbtest"
)

func TestLoadtestRefusesRemoteServers(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pw.db")
	fails(t, db, "this machine only", "loadtest", "--url", "http://192.0.2.1:8080", "--token", "x", "--duration", "1s")
	fails(t, db, "this machine only", "loadtest", "--url", "http://127.0.0.1:8080,http://example.com:8080", "--token", "x")
	// Refused before the database is touched.
	fails(t, db, "this machine only", "loadtest", "--url", "http://example.com", "--db", db)
	if _, err := os.Stat(db); err == nil {
		t.Errorf("loadtest --db with a remote URL created %s", db)
	}
	fails(t, db, "--duration", "loadtest", "--token", "x", "--duration", "1h")
	fails(t, db, "--mix", "loadtest", "--token", "x", "--mix", "everything")
}

// TestLoadtest runs the real command for two seconds against a real demo
// server on SQLite and on PostgreSQL: every kind of the mixed traffic is
// requested and answered with success; then 50 concurrent writers (progress
// reports and document registrations) get no 5xx: writes queue, they do
// not fail because the database is busy.
func TestLoadtest(t *testing.T) {
	if testing.Short() {
		t.Skip("short: starts a server and loads it")
	}
	t.Run("sqlite", func(t *testing.T) { loadtestOn(t, filepath.Join(t.TempDir(), "demo.db")) })
	t.Run("postgres", func(t *testing.T) { loadtestOn(t, loadtestSchema(t)) })
}

func loadtestOn(t *testing.T, db string) {
	serve(t, db, func(url string) {
		t.Run("mixed", func(t *testing.T) {
			r := runLoad(t, db, url, "--mix", "mixed", "--conns", "8", "--pid", fmt.Sprint(os.Getpid()))
			for _, k := range []string{"unit", "children", "stats", "members", "search", "member", "tasks", "task.update", "doc.register"} {
				if kr := kindOf(r, k); kr.Requests == 0 {
					t.Errorf("%s: no request", k)
				}
			}
			if len(r.Skipped) > 0 {
				t.Errorf("kinds left out: %v", r.Skipped)
			}
			for _, k := range r.Kinds {
				for st, n := range k.Status {
					if st < 200 || st > 299 {
						t.Errorf("%s: %d answers %d", k.Kind, n, st)
					}
				}
			}
			if r.Server == nil || r.Server.MaxRSS <= 0 || r.Server.MaxAnonRSS <= 0 || r.Server.MaxAnonRSS > r.Server.MaxRSS || r.Generator == nil || r.Generator.CPU <= 0 {
				t.Errorf("no process usage: server %+v, generator %+v", r.Server, r.Generator)
			}
		})
		t.Run("pages", func(t *testing.T) {
			// The HTML pages, each answered 200 (a redirect to the login
			// form would be a 3xx: the generator does not follow it).
			r := runLoad(t, db, url, "--mix", "pages", "--conns", "8")
			for _, k := range []string{"page.unit", "page.members", "page.stats", "page.member"} {
				kr := kindOf(r, k)
				if kr.Requests == 0 || kr.Status[200] != kr.Requests {
					t.Errorf("%s: %d requests, answers %v", k, kr.Requests, kr.Status)
				}
			}
		})
		t.Run("50 concurrent writers", func(t *testing.T) {
			r := runLoad(t, db, url, "--mix", "writes", "--conns", "50")
			for _, k := range []string{"task.update", "doc.register"} {
				if kr := kindOf(r, k); kr.Requests == 0 {
					t.Errorf("%s: no request", k)
				}
			}
			for _, k := range r.Kinds {
				for st, n := range k.Status {
					// 409: two writers reported on the same task; the
					// loser reloads it, as a person would.
					if st != 200 && st != 201 && st != 409 {
						t.Errorf("%s: %d answers %d", k.Kind, n, st)
					}
				}
			}
		})
	})
}

// runLoad runs "loadtest --db DB --url URL --duration 2s --json" with the
// arguments, and fails the test on a 5xx or a failed run.
func runLoad(t *testing.T, db, url string, args ...string) *loadtest.Report {
	t.Helper()
	res := pw(t, db, "", append([]string{"loadtest", "--db", db, "--url", url, "--duration", "2s", "--json"}, args...)...)
	var r loadtest.Report
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatalf("loadtest %s: exit %d, no report (%v)\n%s\n%s", strings.Join(args, " "), res.code, err, res.stdout, res.stderr)
	}
	if res.code != 0 || r.ServerErrors() != 0 {
		t.Errorf("loadtest %s: exit %d, %d server errors: %s\n%s", strings.Join(args, " "), res.code, r.ServerErrors(), statusLine(&r), res.stderr)
	}
	if r.All.Requests == 0 || r.All.P99 <= 0 {
		t.Errorf("loadtest %s: %d requests, p99 %s", strings.Join(args, " "), r.All.Requests, r.All.P99)
	}
	return &r
}

func kindOf(r *loadtest.Report, name string) loadtest.KindReport {
	for _, k := range r.Kinds {
		if k.Kind == name {
			return k
		}
	}
	return loadtest.KindReport{Kind: name}
}

func statusLine(r *loadtest.Report) string {
	var s []string
	for _, k := range r.Kinds {
		s = append(s, fmt.Sprintf("%s %v", k.Kind, k.Status))
	}
	return strings.Join(s, "; ")
}

// The baseline loads its own bare handler: requests answered, none failed.
func TestLoadtestBaseline(t *testing.T) {
	res := pw(t, filepath.Join(t.TempDir(), "pw.db"), "", "loadtest", "--baseline", "--duration", "1s", "--conns", "4", "--json")
	var r loadtest.Report
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil || res.code != 0 {
		t.Fatalf("exit %d, %v\n%s\n%s", res.code, err, res.stdout, res.stderr)
	}
	if k := kindOf(&r, "row"); k.Requests == 0 || k.Status[200] != k.Requests {
		t.Errorf("row: %+v", k)
	}
}

// loadtestSchema returns the URL of a fresh schema on the test PostgreSQL
// server (skipping without one, failing under CI), dropped at the end.
func loadtestSchema(t *testing.T) string {
	t.Helper()
	return sqldbtest.WithSearchPath(sqldbtest.PostgresURL(t), sqldbtest.Schema(t, "lt_"))
}
