package web

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// admitServer is a server with one read slot whose only handler answers
// GET /hold once release is called (writing its status first when early
// is), and anything else at once.
func admitServer(t *testing.T, wait time.Duration, started chan<- string, early bool) (srv *httptest.Server, release func()) {
	ch := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(ch) }) }
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil)), cfg: Config{ReadSlots: 1, ReadWait: wait}, metrics: newMetrics(),
		readSlots: make(chan struct{}, 1)}
	h := s.observe(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- r.Method + " " + r.URL.Path
		if r.URL.Path == "/hold" {
			if early {
				w.WriteHeader(http.StatusOK)
			}
			<-ch
		}
		io.WriteString(w, "ok")
	}))
	srv = httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(release) // before Close, which waits for /hold, on a failure too
	t.Cleanup(func() {
		rec := httptest.NewRecorder()
		s.metrics.handler.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		want := fmt.Sprintf("partyworks_http_reads_unqueued_total %d\n", unqueued(t))
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics want %q", want)
		}
	})
	return srv, release
}

// unqueued is how many reads a test expects to go ahead without a slot.
func unqueued(t *testing.T) int {
	if strings.Contains(t.Name(), "WaitIsBounded") {
		return 1
	}
	return 0
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
// is answered; a write does not wait.
func TestReadsTakeTurns(t *testing.T) {
	started, done := make(chan string, 4), make(chan string, 4)
	srv, release := admitServer(t, time.Minute, started, false)
	get(t, srv.URL+"/hold", done)
	expect(t, started, "GET /hold")
	get(t, srv.URL+"/other", done)
	nothing(t, started, "a second read while the first holds the slot")
	res, err := http.Post(srv.URL+"/write", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	expect(t, started, "POST /write")
	release()
	expect(t, started, "GET /other")
	for range 2 {
		<-done
	}
}

// A read's slot is given back when its answer starts: a slow download
// holds none.
func TestReadSlotGivenBackWhenTheAnswerStarts(t *testing.T) {
	started, done := make(chan string, 4), make(chan string, 4)
	srv, release := admitServer(t, time.Minute, started, true)
	get(t, srv.URL+"/hold", done)
	expect(t, started, "GET /hold")
	get(t, srv.URL+"/other", done)
	expect(t, started, "GET /other") // while /hold still runs
	expect(t, done, "/other")
	release()
	expect(t, done, "/hold")
}

// A read that waited ReadWait goes ahead without a slot, and is counted.
func TestReadWaitIsBounded(t *testing.T) {
	started, done := make(chan string, 4), make(chan string, 4)
	srv, release := admitServer(t, 300*time.Millisecond, started, false)
	get(t, srv.URL+"/hold", done)
	expect(t, started, "GET /hold")
	get(t, srv.URL+"/other", done)
	expect(t, started, "GET /other")
	expect(t, done, "/other")
	release()
	expect(t, done, "/hold")
}
