package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"partyworks/sqldb"
)

// binary is the real program, built once for all the tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "partyworks-cli-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "partyworks")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const (
	unitsCSV = "../../demo/data/units-2025-03.csv"
	planCSV  = "../../demo/data/reorg-2025-07.csv"
)

// result is what a run of the program left.
type result struct {
	stdout, stderr string
	code           int
}

// pw runs the program on the database db as the OS user "tester".
func pw(t *testing.T, db, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "PARTYWORKS_DB="+db, "USER=tester")
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("partyworks %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// ok runs the program and fails the test unless it succeeds.
func ok(t *testing.T, db string, args ...string) string {
	t.Helper()
	r := pw(t, db, "", args...)
	if r.code != 0 {
		t.Fatalf("partyworks %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// fails runs the program and fails the test unless it exits non-zero and
// says want on stderr.
func fails(t *testing.T, db, want string, args ...string) result {
	t.Helper()
	r := pw(t, db, "", args...)
	if r.code == 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("partyworks %s: exit %d, want failure saying %q\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
	}
	return r
}

func contains(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("the output lacks %q:\n%s", w, out)
		}
	}
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHelpAndUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pw.db")
	contains(t, ok(t, db, "help"), "Commands:", "serve", "units", "PARTYWORKS_DB")
	contains(t, ok(t, db, "help", "units"), "units import FILE", "--assign C=P")
	contains(t, ok(t, db, "version"), "partyworks ")
	if r := pw(t, db, "", "units", "import", "-h"); r.code != 0 || !strings.Contains(r.stderr, "Usage:") {
		t.Errorf("units import -h: exit %d, %s", r.code, r.stderr)
	}
	fails(t, db, "unknown command", "bogus")
	fails(t, db, "no command")
	fails(t, db, "flag provided but not defined", "units", "show", "--bogus")
	fails(t, db, "--effective DATE is required", "units", "restructure", planCSV, "--decision", "60-NQ/TW")
	fails(t, db, `"31/02/2025" is not a date`, "units", "import", unitsCSV, "--effective", "31/02/2025")
}

func TestUnitsImportAndRestructure(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pw.db")

	t.Run("import the national tree", func(t *testing.T) {
		contains(t, ok(t, db, "units", "import", unitsCSV, "--effective", "01/10/2020"),
			"10806 units created, 0 skipped", "standing from 01/10/2020")
		contains(t, ok(t, db, "units", "import", "--effective", "2020-10-01", unitsCSV), "0 units created, 10806 skipped")
	})
	t.Run("import cells under a commune the plan splits", func(t *testing.T) {
		cells := writeFile(t, "cells.csv", "code,name,kind,parent_code\n06655.KP1,Chi bộ khu phố 1,cell,\n06655.KP2,Chi bộ khu phố 2,cell,\n")
		contains(t, ok(t, db, "units", "import", cells, "--under", "06655", "--effective", "01/01/2021", "--decision", "18-QĐ/ĐU"), "2 units created")
		contains(t, ok(t, db, "units", "show", "06655", "--at", "01/01/2021"), "Đảng ủy phường Hà Khẩu", "children on 01/01/2021: 2", "06655.KP1")
	})
	t.Run("bad files", func(t *testing.T) {
		fails(t, db, "is not a spreadsheet", "units", "import", binary)
		bad := writeFile(t, "bad.csv", "code,name,type,parent_code\nX1,Chi bộ A,cell,22\nX2,,cell,22\nX 3,B,cell,22\n")
		r := fails(t, db, "line 3, column name: the name is empty", "units", "import", bad)
		contains(t, r.stderr, `line 4, column code: the code "X 3"`, "2 faulty rows; nothing was written")
		orphan := writeFile(t, "orphan.csv", "code,name,type,parent_code\nX1,Chi bộ A,cell,NOPE\n")
		fails(t, db, "line 2", "units", "import", orphan)
		fails(t, db, "the plan has no column", "units", "restructure", bad, "--effective", "01/07/2025", "--decision", "60-NQ/TW")
		fails(t, db, "document symbol", "units", "restructure", planCSV, "--effective", "01/07/2025", "--decision", "sixty")
	})
	t.Run("dry run", func(t *testing.T) {
		out := ok(t, db, "units", "restructure", planCSV, "--effective", "01/07/2025", "--decision", "60-NQ/TW", "--dry-run")
		contains(t, out, "Dry run: nothing was written", "split          460", "Dissolved (they end the day before) — first 20 of",
			"Review: children whose new parent", "06655.KP1 Chi bộ khu phố 1, from 06655 Đảng ủy phường Hà Khẩu → 06661 Đảng ủy phường Việt Hưng (options: 06661, 06706)")
		contains(t, ok(t, db, "units", "show", "22", "--at", "2025-07-01"), "children on 01/07/2025: 13")
	})
	t.Run("apply", func(t *testing.T) {
		fails(t, db, "--assign NOPE=06706: no unit has the code NOPE", "units", "restructure", planCSV, "--effective", "01/07/2025", "--decision", "60-NQ/TW", "--assign", "06655.KP2=06706", "--assign", "NOPE=06706")
		out := ok(t, db, "units", "restructure", planCSV, "--effective", "01/07/2025", "--decision", "60-NQ/TW", "--assign", "06655.KP2=06706", "--limit", "0")
		contains(t, out, "Applied as plan", "Review: children whose new parent a person should confirm (--assign CHILD=PARENT) — 2:",
			"06655.KP2 Chi bộ khu phố 2, from 06655 Đảng ủy phường Hà Khẩu → 06661")
		contains(t, ok(t, db, "units", "show", "22", "--at", "2025-07-01"), "children on 01/07/2025: 54", "06688        Đảng ủy phường Hạ Long  (ward)")
		contains(t, ok(t, db, "units", "show", "22", "--at", "30/06/2025"), "children on 30/06/2025: 13", "193          Thành ủy Hạ Long")
		contains(t, ok(t, db, "units", "show", "06706", "--at", "2025-07-01"), "Đảng ủy phường Tuần Châu", "06655.KP2")
		contains(t, ok(t, db, "units", "show", "06661", "--at", "2025-07-01"), "Đảng ủy phường Việt Hưng", "06655.KP1")
		contains(t, ok(t, db, "units", "show", "--at", "2025-07-01"), "units at the top of the tree on 01/07/2025: 34")
		fails(t, db, "no unit has the code 193 on 01/07/2025", "units", "show", "193", "--at", "2025-07-01")
	})
}

func TestUsersTokensAndAudit(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pw.db")
	cells := writeFile(t, "units.csv", "code,name,type,parent_code\n22,Tỉnh Quảng Ninh,Tỉnh,\n193,Thành phố Hạ Long,Thành phố,22\n")
	ok(t, db, "units", "import", cells, "--effective", "2020-10-01")

	out := ok(t, db, "user", "add", "nguyen.a", "--display", "Nguyễn Văn A", "--role", "staff", "--unit", "22")
	contains(t, out, "user nguyen.a created", "nguyen.a is staff over 22 Tỉnh ủy Quảng Ninh")
	m := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no password printed:\n%s", out)
	}
	if r := pw(t, db, "ba-con-meo-den\n", "user", "add", "tran.b", "--password-stdin"); r.code != 0 || strings.Contains(r.stdout, "password:") {
		t.Errorf("user add --password-stdin: %+v", r)
	}
	contains(t, ok(t, db, "grant", "tran.b", "--role", "admin"), "tran.b is admin over the whole tree")
	fails(t, db, "already has that role", "grant", "tran.b", "--role", "admin")
	fails(t, db, "is taken", "user", "add", "tran.b")
	fails(t, db, "--role must be", "grant", "tran.b", "--role", "king")
	token := strings.TrimSpace(ok(t, db, "token", "create", "--user", "tran.b", "--name", "script"))
	fails(t, db, "no such user", "token", "create", "--user", "nobody")

	t.Run("the accounts work", func(t *testing.T) {
		ctx := context.Background()
		store, err := sqldb.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		users := sqldb.NewUserService(store)
		if u, err := users.Authenticate(ctx, "nguyen.a", m[1], "test"); err != nil || u.DisplayName != "Nguyễn Văn A" {
			t.Errorf("log in with the printed password: %v", err)
		}
		if _, err := users.Authenticate(ctx, "tran.b", "ba-con-meo-den", "test"); err != nil {
			t.Errorf("log in with the password from stdin: %v", err)
		}
		if u, err := users.TokenUser(ctx, token); err != nil || u.Username != "tran.b" {
			t.Errorf("token %q: %v", token, err)
		}
	})
	contains(t, ok(t, db, "user", "disable", "tran.b"), "user tran.b disabled")

	t.Run("audit", func(t *testing.T) {
		contains(t, ok(t, db, "audit", "verify"), "entries checked", "the chain is intact")
		sdb, err := sql.Open("sqlite3", db)
		if err != nil {
			t.Fatal(err)
		}
		defer sdb.Close()
		var n int
		if err := sdb.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE username = 'tester' AND addr = 'cli'`).Scan(&n); err != nil || n < 6 {
			t.Errorf("%d entries by tester from cli (%v)", n, err)
		}
		if _, err := sdb.Exec(`UPDATE audit_log SET after = '{"username":"someone.else"}' WHERE action = 'user.create' AND seq = (SELECT MIN(seq) FROM audit_log WHERE action = 'user.create')`); err != nil {
			t.Fatal(err)
		}
		var seq int
		sdb.QueryRow(`SELECT MIN(seq) FROM audit_log WHERE action = 'user.create'`).Scan(&seq)
		r := fails(t, db, "the audit trail is broken", "audit", "verify")
		contains(t, r.stdout, fmt.Sprintf("entry %d: the entry was altered", seq))
	})
}

func TestServeDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	out := serve(t, db, func(url string) {
		res, err := http.Get(url + "healthz")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET /healthz: %d", res.StatusCode)
		}
	})
	contains(t, out, "demo: ready in", "Demo accounts", "admin ", "hanoi.admin")
	// Again on the same database: served as it is, no new logins.
	out = serve(t, db, func(string) {})
	contains(t, out, "already has data: serving it as it is", "delete "+db)
	if strings.Contains(out, "Demo accounts") {
		t.Errorf("logins printed for a database seeded before:\n%s", out)
	}
}

// serve starts "serve --demo" on a free port, calls check with its URL,
// stops it with SIGTERM and returns what it printed.
func serve(t *testing.T, db string, check func(url string)) string {
	t.Helper()
	cmd := exec.Command(binary, "serve", "--demo", "--addr", "127.0.0.1:0", "--db", db)
	cmd.Env = append(os.Environ(), "USER=tester")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var out strings.Builder
	url, scanned := make(chan string, 1), make(chan struct{})
	go func() {
		defer close(scanned)
		defer close(url)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
			if m := regexp.MustCompile(`serving on (http://\S+)`).FindStringSubmatch(sc.Text()); m != nil {
				url <- m[1]
			}
		}
	}()
	select {
	case u, open := <-url:
		if !open {
			t.Fatalf("serve stopped before listening:\n%s", stderr.String())
		}
		check(u)
	case <-time.After(180 * time.Second): // the province demo loads 104,000 members first
		t.Fatalf("serve did not start:\n%s", stderr.String())
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { <-scanned; done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
	contains(t, stderr.String(), "shutting down", "stopped")
	return out.String()
}

// members follow and members rekey run their repairs and say what they
// found (the sqldb tests move a member left behind and rewrite an old key).
func TestMembersRepairs(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pw.db")
	ok(t, db, "units", "import", unitsCSV, "--effective", "2020-10-01")
	if out := ok(t, db, "members", "follow"); !strings.Contains(out, "0 before, 0 after") {
		t.Errorf("members follow: %q", out)
	}
	fails(t, db, "unexpected argument", "members", "follow", "now")
	if out := ok(t, db, "members", "rekey"); !strings.Contains(out, "0 members checked, 0 rewritten") {
		t.Errorf("members rekey: %q", out)
	}
	fails(t, db, "unexpected argument", "members", "rekey", "now")
}
