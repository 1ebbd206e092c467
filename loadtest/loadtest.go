// Package loadtest is a load generator for partyworks: closed-loop
// workers, each on its own keep-alive connection, send a weighted mix of
// real API requests (units, statistics, member lists and searches, member
// pages, task lists, progress reports, document registrations) over ids
// discovered first, for a bounded time, to loopback servers only; it
// reports throughput, latency quantiles per kind, errors by status and the
// servers' CPU and memory. A bare net/http handler reading one SQLite row
// (Baseline) gives the ceiling of the same machine to compare with. The
// same reads can be sent through wrk instead (wrk.go).
package loadtest

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Limits keep a run bounded: the machine is shared, and a forgotten run
// must end by itself.
const (
	MaxDuration = 10 * time.Minute
	MaxConns    = 1000
)

// Config is one run.
type Config struct {
	URLs  []string // servers, requested in turn; loopback only
	Token string   // API bearer token: reads and document registrations
	// WriterToken reports task progress: only a unit reports on its own
	// tasks, so its account needs a grant on each task's unit.
	WriterToken string
	Duration    time.Duration
	Conns       int
	Mix         string
	Skip        []string // kinds of the mix to leave out, to see what the rest does
	PIDs        []int    // servers' processes, for CPU and memory (optional)
	Seed        uint64   // makes the sequence of requests repeatable
}

// Validate checks the configuration, refusing any server that is not on
// this machine: the generator must never load someone else's service.
func (c *Config) Validate() error {
	if len(c.URLs) == 0 {
		return fmt.Errorf("--url: give the server's address")
	}
	for i, u := range c.URLs {
		norm, err := CheckLoopback(u)
		if err != nil {
			return err
		}
		c.URLs[i] = norm
	}
	switch {
	case c.Duration <= 0 || c.Duration > MaxDuration:
		return fmt.Errorf("--duration %s: give a duration up to %s", c.Duration, MaxDuration)
	case c.Conns <= 0 || c.Conns > MaxConns:
		return fmt.Errorf("--conns %d: give 1 to %d connections", c.Conns, MaxConns)
	case mixes[c.Mix] == nil:
		return fmt.Errorf("--mix %q: choose one of %s", c.Mix, strings.Join(Mixes(), ", "))
	}
	return nil
}

// CheckLoopback returns the URL without its trailing slash if its host is
// a loopback address (127.0.0.0/8, ::1) or "localhost", and an error
// otherwise.
func CheckLoopback(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("--url %q: give an http://HOST:PORT address", raw)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("--url %q: the load test runs against this machine only (127.0.0.1, ::1 or localhost), not %s", raw, host)
	}
	return strings.TrimSuffix(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}

// newClient keeps one idle connection per worker per server, so that a
// worker reuses its connection as a browser or a script would.
func newClient(conns int) *http.Client {
	tr := &http.Transport{
		Proxy:               nil, // loopback: never through a proxy
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns * 4,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	// A redirect is an answer in itself (a page sending the caller to the
	// login form has not served the page): it is counted, not followed.
	return &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Discover finds the targets through the first server's API.
func (c *Config) Discover(ctx context.Context) (*Targets, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	client := newClient(1)
	defer client.CloseIdleConnections()
	t, err := Discover(ctx, c.URLs[0], c.Token, client, c.Seed)
	if err != nil {
		return nil, fmt.Errorf("discover: %w", err)
	}
	return t, nil
}

// Run discovers targets (unless given), then loads the servers for
// cfg.Duration. A report is returned with the error of an interrupted run.
func Run(ctx context.Context, cfg Config, t *Targets) (*Report, error) {
	if t == nil {
		var err error
		if t, err = cfg.Discover(ctx); err != nil {
			return nil, err
		}
	} else if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p, err := newPlan(cfg.Mix, t, cfg.WriterToken, cfg.Skip)
	if err != nil {
		return nil, err
	}
	client := newClient(cfg.Conns)
	defer client.CloseIdleConnections()
	r, err := load(ctx, cfg, client, t, p)
	if r != nil {
		r.Targets, r.Discovery = t.Counts(), t.Took
	}
	return r, err
}

// worker is one closed-loop client: it sends a request, waits for the
// answer, and sends the next.
type worker struct {
	ctx    context.Context // an interrupt (Ctrl-C) cuts the requests in flight
	rng    *rand.Rand
	t      *Targets
	tasks  []Task // this worker's share of the tasks, with their versions
	urls   []string
	next   *atomic.Uint64 // which server next, shared: round robin
	token  string
	writer string           // the writer's token
	client *http.Client     // https servers
	conns  map[string]*conn // http servers: one connection each (nil: https)
	stats  map[*kind]*kindStats
}

// kindStats is what one worker saw of one kind.
type kindStats struct {
	hist   hist
	status map[int]int // 0: no answer (connection refused, timeout)
}

func (w *worker) record(k *kind, d time.Duration, status int) {
	s := w.stats[k]
	if s == nil {
		s = &kindStats{status: map[int]int{}}
		w.stats[k] = s
	}
	s.hist.record(d)
	s.status[status]++
}

// do sends one request and records it under k; it returns the status (0
// if there was no answer) and, for writes, the body.
func (w *worker) do(k *kind, rq request) (int, []byte) {
	base := w.urls[int(w.next.Add(1)%uint64(len(w.urls)))]
	tok := w.token
	if rq.writer {
		tok = w.writer
	}
	keep := rq.after != nil || k == kindReload
	c := w.conns[base]
	start := time.Now()
	var status int
	var got []byte
	if c != nil {
		status, got, _ = c.do(rq, tok, keep)
	} else {
		status, got = w.viaClient(base, rq, tok, keep)
	}
	w.record(k, time.Since(start), status)
	return status, got
}

// close closes the worker's connections.
func (w *worker) close() {
	for _, c := range w.conns {
		if c != nil {
			c.close()
		}
	}
}

// viaClient sends rq through http.Client (https).
func (w *worker) viaClient(base string, rq request, tok string, keep bool) (int, []byte) {
	var body io.Reader
	if rq.body != nil {
		body = reader(rq.body)
	}
	req, err := http.NewRequestWithContext(w.ctx, rq.method, base+rq.path, body)
	if err != nil {
		panic(err) // the paths are built here: a bad one is a bug
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	if rq.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := w.client.Do(req)
	if err != nil {
		return 0, nil
	}
	var got []byte
	if keep {
		got, _ = io.ReadAll(res.Body)
	} else {
		io.Copy(io.Discard, res.Body)
	}
	res.Body.Close()
	return res.StatusCode, got
}

// load runs the workers until the duration has passed or ctx is
// cancelled; requests in flight at the end are awaited, not cut.
func load(ctx context.Context, cfg Config, client *http.Client, t *Targets, p *plan) (*Report, error) {
	var procs *watch
	if len(cfg.PIDs) > 0 {
		var err error
		if procs, err = watchProcs(cfg.PIDs); err != nil {
			return nil, err
		}
	}
	self, _ := watchProcs([]int{os.Getpid()})
	machine := machineBusy()
	r := &Report{Mix: cfg.Mix, URLs: cfg.URLs, Conns: cfg.Conns, Duration: cfg.Duration, LoadBefore: loadAverage(), Skipped: p.skipped}
	var next atomic.Uint64
	workers := make([]*worker, cfg.Conns)
	for i := range workers {
		workers[i] = &worker{ctx: ctx, rng: rand.New(rand.NewPCG(cfg.Seed, uint64(i))), t: t, tasks: share(t.Tasks, i, cfg.Conns),
			urls: cfg.URLs, next: &next, token: cfg.Token, writer: cfg.WriterToken, client: client, conns: map[string]*conn{}, stats: map[*kind]*kindStats{}}
		for _, u := range cfg.URLs {
			workers[i].conns[u], _ = newConn(ctx, u) // nil for https: through http.Client
		}
	}
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() {
			defer w.close()
			for ctx.Err() == nil && time.Now().Before(deadline) {
				k := p.table[w.rng.IntN(len(p.table))]
				if k.name == "task.update" && len(w.tasks) == 0 {
					k = kinds["doc.register"] // its tasks were all closed
				}
				rq := k.next(w)
				status, body := w.do(k, rq)
				if rq.after != nil {
					rq.after(status, body)
				}
			}
		})
	}
	wg.Wait()
	r.Elapsed = time.Since(start)
	r.LoadAfter = loadAverage()
	r.Machine = machine()
	if procs != nil {
		u := procs.end()
		r.Server = &u
	}
	if self != nil {
		u := self.end()
		r.Generator = &u
	}
	r.collect(workers)
	return r, ctx.Err()
}

// share gives worker i of n its own tasks: every n-th one. With fewer
// tasks than workers, workers share them and may conflict (409), which the
// report shows.
func share(tasks []Task, i, n int) []Task {
	var mine []Task
	for j := i; j < len(tasks); j += n {
		mine = append(mine, tasks[j])
	}
	if len(mine) == 0 && len(tasks) > 0 {
		mine = []Task{tasks[i%len(tasks)]}
	}
	return slices.Clone(mine)
}
