package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"partyworks"
)

// admitRig is a server with one read slot whose only handler answers
// GET /hold once release is called (writing its status first when early
// is), and anything else at once; started and done see each request begin
// and end.
type admitRig struct {
	srv           *httptest.Server
	release       func()
	started, done chan string
}

// admitServer starts the rig with GET /hold holding the slot; at the end
// of the test, unqueued reads must have gone ahead without a slot.
func admitServer(t *testing.T, wait time.Duration, early bool, unqueued int) *admitRig {
	ch := make(chan struct{})
	var once sync.Once
	rig := &admitRig{release: func() { once.Do(func() { close(ch) }) }, started: make(chan string, 4), done: make(chan string, 4)}
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil)), cfg: Config{ReadSlots: 1, ReadWait: wait}, metrics: newMetrics(),
		readSlots: make(chan struct{}, 1)}
	h := s.observe(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt := &Route{Action: partyworks.ActUnitRead}
		if strings.HasPrefix(r.URL.Path, "/static/") {
			rt.Action = partyworks.ActPublic
		}
		s.takeTurn(w, r, rt) // as guard does
		rig.started <- r.Method + " " + r.URL.Path
		if r.URL.Path == "/hold" {
			if early {
				w.WriteHeader(http.StatusOK)
			}
			<-ch
		}
		io.WriteString(w, "ok")
	}))
	rig.srv = httptest.NewServer(h)
	t.Cleanup(rig.srv.Close)
	t.Cleanup(rig.release) // before Close, which waits for /hold, on a failure too
	t.Cleanup(func() {
		if n := readsUnqueued(s); n != unqueued {
			t.Errorf("reads unqueued: %d, want %d", n, unqueued)
		}
	})
	get(t, rig.srv.URL+"/hold", rig.done)
	expect(t, rig.started, "GET /hold")
	return rig
}

// readsUnqueued reads partyworks_http_reads_unqueued_total off s's metrics.
func readsUnqueued(s *Server) int {
	rec := httptest.NewRecorder()
	s.metrics.handler.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "partyworks_http_reads_unqueued_total "); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return -1
}

func get(t *testing.T, url string, done chan<- string) {
	go func() {
		res, err := http.Get(url)
		if err != nil {
			done <- err.Error()
			return
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		done <- res.Request.URL.Path
	}()
}

func expect(t *testing.T, ch <-chan string, want string) {
	t.Helper()
	select {
	case got := <-ch:
		if got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("waited for %q", want)
	}
}

func nothing(t *testing.T, ch <-chan string, what string) {
	t.Helper()
	select {
	case got := <-ch:
		t.Fatalf("%s: %q came", what, got)
	case <-time.After(200 * time.Millisecond):
	}
}

// A read waits while another prepares its answer, and goes when that one
// is answered; a write does not wait, nor does a public route.
func TestReadsTakeTurns(t *testing.T) {
	rig := admitServer(t, time.Minute, false, 0)
	get(t, rig.srv.URL+"/other", rig.done)
	nothing(t, rig.started, "a second read while the first holds the slot")
	res, err := http.Post(rig.srv.URL+"/write", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	expect(t, rig.started, "POST /write")
	get(t, rig.srv.URL+"/static/app.css", rig.done)
	expect(t, rig.started, "GET /static/app.css")
	expect(t, rig.done, "/static/app.css")
	rig.release()
	expect(t, rig.started, "GET /other")
	for range 2 {
		<-rig.done
	}
}

// A read whose client has gone stops waiting for its turn.
func TestReadWaitEndsWithItsClient(t *testing.T) {
	s := &Server{cfg: Config{ReadWait: time.Minute}, metrics: newMetrics(), readSlots: make(chan struct{}, 1)}
	s.readSlots <- struct{}{} // held
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan bool)
	go func() { got <- s.admitRead(ctx) != nil }()
	cancel()
	select {
	case took := <-got:
		if took {
			t.Error("a gone client's read took a slot")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a gone client's read still waits")
	}
}

// A read's slot is given back when its answer starts: a slow download
// holds none.
func TestReadSlotGivenBackWhenTheAnswerStarts(t *testing.T) {
	rig := admitServer(t, time.Minute, true, 0)
	get(t, rig.srv.URL+"/other", rig.done)
	expect(t, rig.started, "GET /other") // while /hold still runs
	expect(t, rig.done, "/other")
	rig.release()
	expect(t, rig.done, "/hold")
}

// A read that waited ReadWait goes ahead without a slot, and is counted.
func TestReadWaitIsBounded(t *testing.T) {
	rig := admitServer(t, 300*time.Millisecond, false, 1)
	get(t, rig.srv.URL+"/other", rig.done)
	expect(t, rig.started, "GET /other")
	expect(t, rig.done, "/other")
	rig.release()
	expect(t, rig.done, "/hold")
}

// guard gives every read of a route that is not public its turn: with the
// one slot held, an API read waits ReadWait (counted), /healthz does not.
func TestGuardTakesTurns(t *testing.T) {
	s := NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), Config{ReadSlots: 1, ReadWait: 200 * time.Millisecond}, Deps{})
	s.readSlots <- struct{}{}
	for _, c := range []struct {
		path   string
		status int
		waits  bool
	}{{"/healthz", 200, false}, {"/api/v1/units/1", 401, true}} {
		rec := httptest.NewRecorder()
		start := time.Now()
		s.ServeHTTP(rec, httptest.NewRequest("GET", c.path, nil))
		if waited := time.Since(start) >= 200*time.Millisecond; rec.Code != c.status || waited != c.waits {
			t.Errorf("GET %s: %d, waited %v; want %d, waits %v", c.path, rec.Code, time.Since(start), c.status, c.waits)
		}
	}
	if readsUnqueued(s) != 1 {
		t.Error("the API read did not wait its turn")
	}
}
