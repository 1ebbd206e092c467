package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
	"partyworks/vault"
)

// Several app nodes on one PostgreSQL database: three real "partyworks
// serve" processes share a fresh schema. Sessions, login throttling and
// document numbers live in the database, so every node sees the same; the
// hourly reminder job runs on one node only.

const nodePassword = "a long test password"

// appNodeProc is one running "partyworks serve".
type appNodeProc struct {
	url    string
	cmd    *exec.Cmd
	stderr *syncBuffer
}

// syncBuffer is a strings.Builder safe for the process's writer goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startNode starts "serve" on dsn on a free port and stops it (SIGTERM)
// when the test ends.
func startNode(t *testing.T, dsn, files string) *appNodeProc {
	t.Helper()
	cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--db", dsn, "--insecure-cookies", "--require-totp=false")
	cmd.Env = append(os.Environ(), "USER=tester", "PARTYWORKS_FILES="+files)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	n := &appNodeProc{cmd: cmd, stderr: &syncBuffer{}}
	cmd.Stderr = n.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Errorf("a node did not stop on SIGTERM:\n%s", n.stderr)
		}
	})
	urls := make(chan string, 1)
	go func() {
		defer close(urls)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := regexp.MustCompile(`serving on (http://\S+)/`).FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
	}()
	select {
	case u, open := <-urls:
		if !open {
			t.Fatalf("serve stopped before listening:\n%s", n.stderr)
		}
		n.url = u
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start:\n%s", n.stderr)
	}
	return n
}

// client never follows redirects: a 303 to /login is an answer.
var client = &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (n *appNodeProc) do(t *testing.T, method, path string, body io.Reader, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, n.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s%s: %v", method, n.url, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// login posts the login form; it returns the status and the session cookie.
func (n *appNodeProc) login(t *testing.T, user, password string) (int, string) {
	t.Helper()
	form := url.Values{"username": {user}, "password": {password}}
	res, _ := n.do(t, "POST", "/login", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	for _, c := range res.Cookies() {
		if c.Name == "pw_session" && c.Value != "" {
			return res.StatusCode, c.Value
		}
	}
	return res.StatusCode, ""
}

// nodeSeed is what the test puts in the database before the nodes start.
type nodeSeed struct {
	province int64
	token    string // the national administrator's API token
}

// seedNodes writes a province with a ward, a national administrator, a
// second user, an issuer abbreviation for the province and a task of the
// ward overdue for a month (the reminder job's work).
func seedNodes(t *testing.T, db *sqldb.DB, files string) nodeSeed {
	t.Helper()
	ctx := partyworks.WithActor(context.Background(), partyworks.Actor{Username: "tester", Addr: "test"})
	today := partyworks.Today(time.Now())
	units := sqldb.NewUnitService(db)
	if _, err := units.ImportUnits(ctx, partyworks.UnitImport{Effective: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Rows: []partyworks.UnitRow{
		{Line: 2, Code: "22", Name: "Tỉnh ủy Quảng Ninh", Kind: partyworks.KindProvince},
		{Line: 3, Code: "06688", Name: "Đảng ủy phường Hạ Long", Kind: partyworks.KindWard, ParentCode: "22"}}}); err != nil {
		t.Fatal(err)
	}
	p, err := units.FindUnitByCode(ctx, "22", today)
	if err != nil {
		t.Fatal(err)
	}
	w, err := units.FindUnitByCode(ctx, "06688", today)
	if err != nil {
		t.Fatal(err)
	}
	users := sqldb.NewUserService(db)
	admin := &partyworks.User{Username: "national", DisplayName: "Quản trị toàn quốc"}
	if err := users.CreateUser(ctx, admin, nodePassword); err != nil {
		t.Fatal(err)
	}
	if err := users.AddGrant(ctx, &partyworks.Grant{UserID: admin.ID, Role: partyworks.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	token, err := users.CreateToken(ctx, admin.ID, "nodes test")
	if err != nil {
		t.Fatal(err)
	}
	if err := users.CreateUser(ctx, &partyworks.User{Username: "victim", DisplayName: "Người bị dò mật khẩu"}, nodePassword); err != nil {
		t.Fatal(err)
	}
	v, err := vault.New(files, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sqldb.NewDocumentService(db, v).SetIssuer(ctx, p.ID, "TU"); err != nil {
		t.Fatal(err)
	}
	tasks := sqldb.NewTaskService(db, files+"/evidence")
	d := &partyworks.Directive{OwnerID: p.ID, Symbol: "35-CT/TW", Title: "Đại hội", Issued: today.AddDate(0, -3, 0)}
	if err := tasks.CreateDirective(ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, err := tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: d.ID, Units: []int64{w.ID}, Title: "Đại hội phường",
		Start: today.AddDate(0, -2, 0), Deadline: today.AddDate(0, -1, 0)}); err != nil {
		t.Fatal(err)
	}
	return nodeSeed{province: p.ID, token: token}
}

func TestThreeNodesOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	db := sqldbtest.Postgres(t) // a fresh schema; skips without PostgreSQL, fails under CI
	files := t.TempDir()
	seed := seedNodes(t, db, files)
	ctx := context.Background()
	var nodes [3]*appNodeProc
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Go(func() { nodes[i] = startNode(t, db.DSN, files) })
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	t.Run("a session is every node's", func(t *testing.T) {
		code, sess := nodes[0].login(t, "national", nodePassword)
		if code != http.StatusSeeOther || sess == "" {
			t.Fatalf("log in on node 1: %d, session %q", code, sess)
		}
		cookie := "pw_session=" + sess
		for i, n := range nodes {
			if res, body := n.do(t, "GET", "/account", nil, "Cookie", cookie); res.StatusCode != http.StatusOK || !strings.Contains(body, "Quản trị toàn quốc") {
				t.Errorf("node %d: GET /account with node 1's session: %d", i+1, res.StatusCode)
			}
		}
		if res, _ := nodes[1].do(t, "POST", "/logout", nil, "Cookie", cookie); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("log out on node 2: %d", res.StatusCode)
		}
		for i, n := range []*appNodeProc{nodes[2], nodes[0]} {
			res, _ := n.do(t, "GET", "/account", nil, "Cookie", cookie)
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
				t.Errorf("node %d after the logout on node 2: GET /account: %d %s, want a redirect to the login", []int{3, 1}[i], res.StatusCode, res.Header.Get("Location"))
			}
		}
	})

	t.Run("login throttling counts across nodes", func(t *testing.T) {
		// Five failures (sqldb.NewUserService's MaxFailures) spread over
		// three nodes: no node saw more than two of them.
		throttled := -1
		for i := range 10 {
			code, _ := nodes[i%3].login(t, "victim", "wrong password")
			if code == http.StatusTooManyRequests {
				throttled = i
				break
			}
			if code != http.StatusUnauthorized {
				t.Fatalf("failure %d on node %d: %d, want 401", i+1, i%3+1, code)
			}
		}
		if throttled != 5 {
			t.Fatalf("throttled at attempt %d, want the 6th (after 5 failures across the nodes)", throttled+1)
		}
		// Now even the right password is refused, on node 1 as well.
		if code, sess := nodes[0].login(t, "victim", nodePassword); code != http.StatusTooManyRequests || sess != "" {
			t.Errorf("node 1, the right password while throttled: %d (session %v), want 429", code, sess != "")
		}
	})

	t.Run("document numbers are unique and gapless across nodes", func(t *testing.T) {
		const perNode = 12
		issued := partyworks.FormatDate(partyworks.Today(time.Now()))
		var mu sync.Mutex
		var numbers []int
		var wg sync.WaitGroup
		for i, n := range nodes {
			for j := range perNode {
				wg.Go(func() {
					body := fmt.Sprintf(`{"direction":"out","type":"NQ","issued":%q,"summary":"Nghị quyết %d-%d"}`, issued, i+1, j)
					res, out := n.do(t, "POST", fmt.Sprintf("/api/v1/units/%d/documents", seed.province), strings.NewReader(body),
						"Authorization", "Bearer "+seed.token, "Content-Type", "application/json")
					var doc struct {
						RegNo  int    `json:"reg_no"`
						Symbol string `json:"symbol"`
					}
					if res.StatusCode != http.StatusCreated || json.Unmarshal([]byte(out), &doc) != nil {
						t.Errorf("node %d: register: %d %s", i+1, res.StatusCode, out)
						return
					}
					mu.Lock()
					numbers = append(numbers, doc.RegNo)
					mu.Unlock()
				})
			}
		}
		wg.Wait()
		sort.Ints(numbers)
		if len(numbers) != 3*perNode {
			t.Fatalf("%d documents registered, want %d", len(numbers), 3*perNode)
		}
		for i, n := range numbers {
			if n != i+1 {
				t.Fatalf("numbers %v: want 1…%d, each once", numbers, 3*perNode)
			}
		}
		var stored, distinct int
		if err := dbScan(ctx, db, `SELECT COUNT(*), COUNT(DISTINCT reg_no) FROM documents WHERE unit_id = $1 AND direction = 'out'`, []any{seed.province}, &stored, &distinct); err != nil {
			t.Fatal(err)
		}
		if stored != 3*perNode || distinct != stored {
			t.Errorf("the database holds %d outgoing documents with %d distinct numbers", stored, distinct)
		}
	})

	t.Run("the reminder job ran once", func(t *testing.T) {
		// Each node tries the job as it starts; wait for the one run to end.
		var runs []partyworks.JobRun
		deadline := time.Now().Add(20 * time.Second)
		for {
			var err error
			if runs, err = db.RecentJobRuns(ctx, 10); err != nil {
				t.Fatal(err)
			}
			if len(runs) > 0 && runs[0].Status != partyworks.JobRunning || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if len(runs) == 0 {
			t.Fatal("no reminder run was recorded")
		}
		slots := map[string]int{}
		for _, r := range runs {
			slots[r.Slot]++
			if r.Name != "task.remind" || r.Status != partyworks.JobOK {
				t.Errorf("run %+v", r)
			}
		}
		if first := runs[len(runs)-1]; !strings.Contains(first.Detail, "overdue 1, escalated 1") {
			t.Errorf("the first run did not do the work: %+v", first)
		}
		var overdue, escalated int
		if err := dbScan(ctx, db, `SELECT COUNT(*) FILTER (WHERE kind = 'overdue'), COUNT(*) FILTER (WHERE kind = 'escalated') FROM task_notifications`, nil, &overdue, &escalated); err != nil {
			t.Fatal(err)
		}
		if overdue != 1 || escalated != 1 {
			t.Errorf("notifications: %d overdue, %d escalated; want one each (not one per node)", overdue, escalated)
		}
		if len(slots) > 1 {
			t.Logf("the nodes started across an hour: runs %v; the metrics check is skipped", slots)
			return
		}
		// Each node counted the slot: one ran it, two skipped it.
		var got map[string]int
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			got = map[string]int{}
			for i, n := range nodes {
				res, body := n.do(t, "GET", "/metrics", nil, "Authorization", "Bearer "+seed.token)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("node %d: GET /metrics: %d", i+1, res.StatusCode)
				}
				for _, m := range regexp.MustCompile(`partyworks_job_runs_total\{job="task.remind",result="(\w+)"\} (\d+)`).FindAllStringSubmatch(body, -1) {
					v, _ := strconv.Atoi(m[2])
					got[m[1]] += v
				}
			}
			if got["ok"]+got["skipped"]+got["failed"] >= 3 || time.Now().After(deadline) {
				break
			}
		}
		if got["ok"] != 1 || got["skipped"] != 2 || got["failed"] != 0 {
			t.Errorf("job metrics summed over the nodes: %v, want ok 1, skipped 2", got)
		}
	})

	t.Run("the status page names the node and the run", func(t *testing.T) {
		res, body := nodes[2].do(t, "GET", "/api/v1/status", nil, "Authorization", "Bearer "+seed.token)
		var st partyworks.SystemStatus
		if res.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &st) != nil {
			t.Fatalf("GET /api/v1/status: %d %s", res.StatusCode, body)
		}
		if st.Database != "postgres" || st.Node == "" || !strings.Contains(st.Node, ":") || len(st.Jobs) == 0 || st.MigrationsKnown != len(st.Migrations) {
			t.Errorf("status: %s", body)
		}
		for _, tb := range st.Tables {
			if tb.Name == "documents" && tb.Rows != 36 {
				t.Errorf("documents: %d rows, want 36", tb.Rows)
			}
		}
	})
}

// dbScan reads one row straight from the test's schema (the pgx driver
// is registered by sqldb) into dest.
func dbScan(ctx context.Context, db *sqldb.DB, query string, args []any, dest ...any) error {
	conn, err := sql.Open("pgx", db.DSN)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.QueryRowContext(ctx, query, args...).Scan(dest...)
}

// TestUntilNextHour: every node wakes just inside the next hour's slot.
func TestUntilNextHour(t *testing.T) {
	for _, now := range []time.Time{
		time.Date(2026, 11, 29, 19, 42, 10, 0, time.UTC),
		time.Date(2026, 11, 29, 19, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 31, 23, 59, 59, 999, time.FixedZone("ICT", 7*3600)),
	} {
		wake := now.Add(untilNextHour(now))
		if got, want := sqldb.HourSlot(wake), sqldb.HourSlot(now.Truncate(time.Hour).Add(time.Hour)); got != want || wake.Sub(now) > time.Hour+time.Second {
			t.Errorf("at %v: wakes at %v (slot %s), want slot %s", now, wake, got, want)
		}
	}
}
