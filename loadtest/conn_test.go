package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The worker's own HTTP/1.1: bodies by length and chunked, the token and
// a POST's body delivered, one connection kept alive, and a connection
// the server closes (by "Connection: close", or while idle) dialled again
// without losing a GET.
func TestConn(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/p/len":
			w.Header().Set("Content-Length", "5")
			io.WriteString(w, "hello")
		case "/p/chunked":
			for i := range 3 {
				fmt.Fprintf(w, "part%d;", i)
				w.(http.Flusher).Flush()
			}
		case "/p/post":
			b, _ := io.ReadAll(r.Body)
			w.WriteHeader(http.StatusCreated)
			w.Write(b)
		case "/p/close":
			w.Header().Set("Connection", "close")
			io.WriteString(w, "bye")
		default:
			http.NotFound(w, r)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := newConn(context.Background(), srv.URL+"/p")
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	check := func(rq request, wantStatus int, wantBody string) {
		t.Helper()
		status, body, err := c.do(rq, "tok", true)
		if err != nil || status != wantStatus || string(body) != wantBody {
			t.Errorf("%s %s: %d %q %v, want %d %q", rq.method, rq.path, status, body, err, wantStatus, wantBody)
		}
	}
	check(get("/len"), 200, "hello")
	check(get("/chunked"), 200, "part0;part1;part2;")
	check(request{method: "POST", path: "/post", body: []byte(`{"a":1}`)}, 201, `{"a":1}`)
	check(get("/missing"), 404, "404 page not found\n")
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for four requests, want one kept alive", n)
	}
	check(get("/close"), 200, "bye")
	check(get("/len"), 200, "hello")
	if n := conns.Load(); n != 2 {
		t.Errorf("%d connections, want a second after Connection: close", n)
	}
	// The server drops its idle connections: the next GET goes on a new one.
	srv.CloseClientConnections()
	check(get("/len"), 200, "hello")
	if n := conns.Load(); n != 3 {
		t.Errorf("%d connections, want a third after the server closed the idle one", n)
	}
	// Without the answer's body kept, nothing is returned but the status.
	if status, body, err := c.do(get("/len"), "tok", false); status != 200 || body != nil || err != nil {
		t.Errorf("GET not kept: %d %q %v", status, body, err)
	}
}

// A server that answers nothing is no answer (status 0), not a hang.
func TestConnNoAnswer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			bufio.NewReader(nc).ReadString('\n')
			nc.Close() // reads the request line, answers nothing
		}
	}()
	c, err := newConn(context.Background(), "http://"+ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	if status, _, err := c.do(get("/x"), "tok", false); status != 0 || err == nil {
		t.Errorf("got %d, %v; want no answer", status, err)
	}
	if _, err := newConn(context.Background(), "https://127.0.0.1:1"); err == nil || !strings.Contains(err.Error(), "unsupported") {
		t.Errorf("https: %v, want it left to http.Client", err)
	}
}

// resetServer answers the first request of each connection with keep-alive,
// then resets the connection (RST) on the second request, as a server
// closing an idle connection with a request already in its buffer does.
func resetServer(t *testing.T) (string, *atomic.Int64) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var conns atomic.Int64
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func(nc net.Conn) {
				br := bufio.NewReader(nc)
				for i := 0; ; i++ {
					req, err := http.ReadRequest(br)
					if err != nil {
						nc.Close()
						return
					}
					io.Copy(io.Discard, req.Body)
					if i == 1 {
						nc.(*net.TCPConn).SetLinger(0)
						nc.Close() // RST
						return
					}
					io.WriteString(nc, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
				}
			}(nc)
		}
	}()
	return "http://" + ln.Addr().String(), &conns
}

// A kept connection the server resets before answering (a request already
// in its buffer as it closed it): the GET is sent again on a new one, as
// http.Client does.
func TestConnResetBeforeAnswer(t *testing.T) {
	base, _ := resetServer(t)
	c, _ := newConn(context.Background(), base)
	defer c.close()
	for i := range 2 {
		if st, _, err := c.do(get("/x"), "tok", false); st != 200 {
			t.Errorf("request %d: %d %v", i, st, err)
		}
	}
}

// A prefix with an escaped character stays escaped in the request line.
func TestConnEscapedPrefix(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Store(r.URL.EscapedPath()) }))
	defer srv.Close()
	norm, err := CheckLoopback(srv.URL + "/a%20b")
	if err != nil {
		t.Fatal(err)
	}
	c, err := newConn(context.Background(), norm)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	if st, _, err := c.do(get("/api/v1/me"), "tok", false); st != 200 || got.Load() != "/a%20b/api/v1/me" {
		t.Errorf("prefix %q: status %d %v, path seen %v", norm, st, err, got.Load())
	}
}

// A GET that runs out of time on a kept connection is not sent again.
func TestConnTimeoutNotSentAgain(t *testing.T) {
	old := requestTimeout
	requestTimeout = 300 * time.Millisecond
	defer func() { requestTimeout = old }()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) > 1 {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	c, err := newConn(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	if st, _, err := c.do(get("/a"), "tok", false); st != 200 {
		t.Fatal(st, err)
	}
	if st, _, err := c.do(get("/slow"), "tok", false); st != 0 || err == nil {
		t.Errorf("slow: %d %v, want no answer", st, err)
	}
	time.Sleep(50 * time.Millisecond)
	if got := n.Load(); got != 2 {
		t.Errorf("the server saw %d requests, want 2", got)
	}
}
