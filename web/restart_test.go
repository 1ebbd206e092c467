package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

// TestPostgresRestart is a fault drill: a real HTTP server on PostgreSQL
// under concurrent reads and writes while the PostgreSQL server restarts.
// Requests during the restart fail fast with 503 and a problem document
// (no hang, no panic, no other status); the server recovers by itself
// within seconds of PostgreSQL being back; every write acknowledged with
// 201 is there afterwards. With a test replica the replica is in the drill
// too, and must stream and be used again after the restart.
//
// It restarts the shared server, so it runs only with
// PARTYWORKS_TEST_PG_RESTART=1: scripts/test runs it alone, after every
// other test. PARTYWORKS_TEST_PG_RESTART_CMD replaces the restart command.
func TestPostgresRestart(t *testing.T) {
	if os.Getenv("PARTYWORKS_TEST_PG_RESTART") != "1" {
		t.Skip("restarts the shared PostgreSQL server: set PARTYWORKS_TEST_PG_RESTART=1 (scripts/test runs it alone, last)")
	}
	var db *sqldb.DB
	if os.Getenv("PARTYWORKS_TEST_PG_REPLICA") != "" {
		db = sqldbtest.PostgresReplica(t, sqldb.Options{ReplicaProbeInterval: 200 * time.Millisecond})
	} else {
		db = sqldbtest.Postgres(t)
	}
	h := newHarness(t, db)
	h.user("prov", partyworks.RoleAdmin, "22")
	unit := h.ids["22"]
	client := &http.Client{Timeout: 30 * time.Second}

	type outcome struct {
		status int
		took   time.Duration
		body   string
		ctype  string
	}
	call := func(method, path, body string) (outcome, string) {
		start := time.Now()
		req, _ := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+h.tokens["prov"])
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			return outcome{status: -1, took: time.Since(start), body: err.Error()}, ""
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return outcome{res.StatusCode, time.Since(start), string(b), res.Header.Get("Content-Type")}, string(b)
	}
	register := func(i int) (outcome, int64) {
		o, body := call("POST", fmt.Sprintf("/api/v1/units/%d/documents", unit),
			fmt.Sprintf(`{"direction":"out","type":"CV","issued":"2025-09-26","summary":"Công văn thử %d"}`, i))
		var d struct{ ID int64 }
		if o.status == http.StatusCreated {
			json.Unmarshal([]byte(body), &d)
		}
		return o, d.ID
	}
	if o, _ := call("POST", fmt.Sprintf("/api/v1/units/%d/documents/issuer", unit), `{"abbr":"TU"}`); o.status != http.StatusOK {
		t.Fatalf("issuer: %d %s", o.status, o.body)
	}
	if o, id := register(0); o.status != http.StatusCreated || id == 0 {
		t.Fatalf("register before the drill: %d %s", o.status, o.body)
	}

	// The load: writers register documents, readers list them, until stop.
	var (
		mu       sync.Mutex
		acked    []int64
		outcomes []outcome
		wg       sync.WaitGroup
	)
	stop := make(chan struct{})
	record := func(o outcome) {
		mu.Lock()
		outcomes = append(outcomes, o)
		mu.Unlock()
	}
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if w%2 == 0 {
					o, id := register(w*100000 + i)
					record(o)
					if id != 0 {
						mu.Lock()
						acked = append(acked, id)
						mu.Unlock()
					}
				} else {
					o, _ := call("GET", fmt.Sprintf("/api/v1/units/%d/documents", unit), "")
					record(o)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()
	}
	time.Sleep(time.Second)

	restart := []string{"pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"}
	if c := os.Getenv("PARTYWORKS_TEST_PG_RESTART_CMD"); c != "" {
		restart = strings.Fields(c)
	}
	began := time.Now()
	if out, err := exec.Command(restart[0], restart[1:]...).CombinedOutput(); err != nil {
		close(stop)
		wg.Wait()
		t.Fatalf("%s: %v\n%s", strings.Join(restart, " "), err, out)
	}
	back := time.Now()
	t.Logf("PostgreSQL restarted in %s", back.Sub(began).Round(time.Millisecond))

	// Recovery: the first successful write after the server is back.
	var recovered time.Duration
	for i := 0; ; i++ {
		o, id := register(900000 + i)
		if o.status == http.StatusCreated && id != 0 {
			recovered = time.Since(back)
			mu.Lock()
			acked = append(acked, id)
			mu.Unlock()
			break
		}
		if time.Since(back) > 15*time.Second {
			close(stop)
			wg.Wait()
			t.Fatalf("no recovery 15 s after PostgreSQL is back: %d %s", o.status, o.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("first write %s after PostgreSQL was back", recovered.Round(time.Millisecond))
	if recovered > 5*time.Second {
		t.Errorf("recovery took %s, want a few seconds at most", recovered)
	}
	time.Sleep(time.Second) // the load goes on on the recovered server
	close(stop)
	wg.Wait()

	// Every answer was a success or a 503 problem document, and fast.
	counts := map[int]int{}
	var slowest time.Duration
	for _, o := range outcomes {
		counts[o.status]++
		slowest = max(slowest, o.took)
		switch {
		case o.status >= 200 && o.status < 300:
		case o.status == http.StatusServiceUnavailable:
			if o.ctype != "application/problem+json" || !strings.Contains(o.body, `"code":"unavailable"`) {
				t.Errorf("a 503 without its problem document: %s %s", o.ctype, o.body)
			}
		default:
			t.Errorf("status %d during the drill (want 2xx or 503): %.300s", o.status, o.body)
		}
	}
	t.Logf("%d requests: %v; slowest %s", len(outcomes), counts, slowest.Round(time.Millisecond))
	if counts[http.StatusServiceUnavailable] == 0 {
		t.Errorf("no request failed during the restart: the drill did not hit it (%v)", counts)
	}
	if slowest > 10*time.Second {
		t.Errorf("a request took %s: requests must fail fast while the database is down", slowest)
	}

	// Nothing acknowledged is lost.
	for _, id := range acked {
		if o, _ := call("GET", fmt.Sprintf("/api/v1/documents/%d", id), ""); o.status != http.StatusOK {
			t.Errorf("document %d was acknowledged before the restart but reads %d after it", id, o.status)
		}
	}
	t.Logf("%d acknowledged writes, all present", len(acked))

	// The replica reconnects to the restarted primary and is used again.
	if db.HasReplica() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := db.WaitReplica(ctx); err != nil {
			t.Fatalf("the replica after the restart: %v", err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for !db.ReplicaStats().Usable && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if st := db.ReplicaStats(); !st.Usable {
			t.Errorf("the replica is not used again after the restart: %+v", st)
		}
	}
}
