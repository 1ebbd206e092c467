package loadtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var testTargets = &Targets{Tops: []int64{1}, Units: []int64{1, 2}, Parents: []int64{1}, Populated: []int64{2}, Members: []int64{7, 8},
	Names: []string{"Nguyễn Văn An", "Đặng Thị Bình"}, TaskUnits: []int64{2}, Tasks: []Task{{ID: 3, UnitID: 2, Version: 1}}}

// The script holds the mix's reads, drawn as the workers draw them, with
// the token; a mix that writes is refused.
func TestWrkScript(t *testing.T) {
	var b strings.Builder
	cfg := Config{Mix: "reads", Token: "abc_DEF-123", Seed: 1}
	if err := WriteWrkScript(&b, cfg, testTargets); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	if !strings.Contains(s, `wrk.headers["Authorization"] = "Bearer abc_DEF-123"`) {
		t.Errorf("no token header in\n%.300s", s)
	}
	paths := regexp.MustCompile(`(?m)^"(/api/v1/[^"]+)",$`).FindAllStringSubmatch(s, -1)
	if len(paths) != WrkRequests {
		t.Fatalf("%d paths, want %d", len(paths), WrkRequests)
	}
	kinds := map[string]int{}
	for _, p := range paths {
		switch path := p[1]; {
		case strings.Contains(path, "q="):
			kinds["search"]++
			if !strings.Contains(path, "q=Nguy%E1%BB%85n") && !strings.Contains(path, "q=%C4%90%E1%BA%B7ng") &&
				!strings.Contains(path, "q=An") && !strings.Contains(path, "q=B%C3%ACnh") && !strings.Contains(path, "+") {
				t.Errorf("search for no name of the targets: %s", path)
			}
		case strings.HasSuffix(path, "/members/stats"):
			kinds["stats"]++
		case strings.HasPrefix(path, "/api/v1/members/"):
			kinds["member"]++
		default: // /api/v1/units/ID[/children|/members|/tasks]
			kind := "unit"
			if parts := strings.Split(strings.Split(path, "?")[0], "/"); len(parts) > 5 {
				kind = parts[5]
			}
			kinds[kind]++
		}
	}
	// reads: 15 each, search 10 (of 100).
	for k, want := range map[string]int{"unit": 15, "children": 15, "stats": 15, "members": 15, "search": 10, "member": 15, "tasks": 15} {
		if got := 100 * kinds[k] / WrkRequests; got < want-2 || got > want+2 {
			t.Errorf("%s: %d %% of the requests, want about %d %% (%v)", k, got, want, kinds)
		}
	}
	var again strings.Builder
	WriteWrkScript(&again, cfg, testTargets)
	if again.String() != s {
		t.Error("the same seed wrote another script")
	}
	for _, mix := range []string{"mixed", "writes"} {
		if err := WriteWrkScript(&b, Config{Mix: mix, Token: "abc"}, testTargets); err == nil || !strings.Contains(err.Error(), "writes") {
			t.Errorf("--mix %s: %v, want refused", mix, err)
		}
	}
	if err := WriteWrkScript(&b, Config{Mix: "reads", Token: `a"b`}, testTargets); err == nil {
		t.Error("a token with a quote was written into the script")
	}
}

// Through wrk itself (when installed): the requests reach the server with
// the token, and an error answer fails the run.
func TestRunWrk(t *testing.T) {
	if _, err := exec.LookPath("wrk"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("wrk is not installed: scripts/test installs it")
		}
		t.Skip("wrk is not installed (apt-get install wrk)")
	}
	var n, bad atomic.Int64
	fail := atomic.Bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.Header.Get("Authorization") != "Bearer tok" || !strings.HasPrefix(r.URL.Path, "/api/v1/") {
			bad.Add(1)
		}
		if fail.Load() {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		w.Write([]byte("{}"))
	}))
	defer srv.Close()
	cfg := Config{URLs: []string{srv.URL}, Token: "tok", Mix: "reads", Conns: 4, Duration: time.Second, Seed: 1}
	var out strings.Builder
	if err := RunWrk(context.Background(), cfg, testTargets, filepath.Join(t.TempDir(), "reads.lua"), &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if n.Load() == 0 || bad.Load() != 0 || !strings.Contains(out.String(), "Requests/sec") {
		t.Errorf("%d requests, %d without the token or off the API\n%s", n.Load(), bad.Load(), out.String())
	}
	fail.Store(true)
	out.Reset()
	if err := RunWrk(context.Background(), cfg, testTargets, filepath.Join(t.TempDir(), "reads.lua"), &out); err == nil || !strings.Contains(err.Error(), "not 2xx") {
		t.Errorf("500s: %v\n%s", err, out.String())
	}
}

// wrk sends the URL's path before each request's, and a run shorter than
// a second lasts one (wrk takes whole seconds).
func TestRunWrkPrefixAndShortRun(t *testing.T) {
	if _, err := exec.LookPath("wrk"); err != nil {
		t.Skip("wrk is not installed (TestRunWrk says whether that fails CI)")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/pfx/api/v1/") {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("{}"))
	}))
	defer srv.Close()
	cfg := Config{URLs: []string{srv.URL + "/pfx"}, Token: "tok", Mix: "reads", Conns: 2, Duration: 500 * time.Millisecond, Seed: 1}
	var out strings.Builder
	if err := RunWrk(context.Background(), cfg, testTargets, filepath.Join(t.TempDir(), "r.lua"), &out); err != nil || !strings.Contains(out.String(), "-d 1s") {
		t.Errorf("%v\n%s", err, out.String())
	}
}
