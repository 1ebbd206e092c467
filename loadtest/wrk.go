package loadtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// The same mix can be sent by wrk (github.com/wg/wrk, Debian's package
// wrk), the generator the issue's own figures were measured with. Go's
// HTTP client costs about 0.09 ms of CPU a request, some 15 % of what the
// server spends on a read, and on a machine of two cores it takes that
// from the server; wrk costs a fraction of it. A run through wrk says
// what the server does when the generator takes less of the machine; the
// Go generator's report stays the one with latency per kind.

// WrkRequests is how many requests a wrk script holds; wrk sends them in
// turn, each of its threads from its own place in the list.
const WrkRequests = 100_000

var (
	wrkPath  = regexp.MustCompile(`^/[A-Za-z0-9/?&=%._~+-]*$`)
	wrkToken = regexp.MustCompile(`^[A-Za-z0-9._~+/=-]+$`)
	// What wrk's report says.
	wrkAnswered = regexp.MustCompile(`(\d+) requests in`)
	wrkNon2xx   = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkSockets  = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

// WriteWrkScript writes a Lua script for wrk that sends WrkRequests
// requests of cfg.Mix over t, drawn as the Go generator's workers draw
// them (the same seed, the same requests), with cfg.Token. Only mixes that
// read can be sent this way: a write needs the answer of the last one.
func WriteWrkScript(w io.Writer, cfg Config, t *Targets) error {
	_, err := writeWrkScript(w, cfg, t)
	return err
}

// writeWrkScript is WriteWrkScript, returning the mix's plan.
func writeWrkScript(w io.Writer, cfg Config, t *Targets) (*plan, error) {
	p, err := newPlan(cfg.Mix, t, "", cfg.Skip)
	if err != nil {
		return nil, err
	}
	for _, k := range p.table {
		if k.write {
			return nil, fmt.Errorf("--wrk: the mix %s writes (%s); wrk sends only reads: use --mix reads, lists or pages", cfg.Mix, k.name)
		}
	}
	if !wrkToken.MatchString(cfg.Token) {
		return nil, errors.New("--wrk: the token has characters a script cannot carry")
	}
	prefix := ""
	if len(cfg.URLs) > 0 {
		u, err := url.Parse(cfg.URLs[0])
		if err != nil {
			return nil, err
		}
		prefix = u.EscapedPath()
	}
	wk := &worker{rng: rand.New(rand.NewPCG(cfg.Seed, 0)), t: t}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "-- partyworks loadtest --mix %s: %d requests, sent in turn.\n", cfg.Mix, WrkRequests)
	fmt.Fprintf(bw, "wrk.headers[\"Authorization\"] = \"Bearer %s\"\n", cfg.Token)
	bw.WriteString("local paths = {\n")
	for range WrkRequests {
		rq := p.table[wk.rng.IntN(len(p.table))].next(wk)
		path := prefix + rq.path
		if rq.method != "GET" || !wrkPath.MatchString(path) {
			return nil, fmt.Errorf("--wrk: cannot send %s %s", rq.method, path)
		}
		fmt.Fprintf(bw, "%q,\n", path)
	}
	bw.WriteString(`}
local threads = 0
function setup(thread)
  thread:set("first", threads * 7919)
  threads = threads + 1
end
local reqs, i = {}, 0
function init(args)
  for j, p in ipairs(paths) do reqs[j] = wrk.format(nil, p) end
  i = (first or 0) % #reqs
end
function request()
  i = i % #reqs + 1
  return reqs[i]
end
`)
	return p, bw.Flush()
}

// RunWrk writes the script of cfg.Mix to script and runs wrk with it
// against the first server for cfg.Duration over cfg.Conns connections,
// watching cfg.PIDs. It writes wrk's report and the servers' CPU and
// memory to out, and fails if wrk saw a socket error or an answer that is
// not 2xx or 3xx.
func RunWrk(ctx context.Context, cfg Config, t *Targets, script string, out io.Writer) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	f, err := os.Create(script)
	if err != nil {
		return err
	}
	p, err := writeWrkScript(f, cfg, t)
	if err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	bin, err := exec.LookPath("wrk")
	if err != nil {
		return fmt.Errorf("--wrk: wrote %s, but wrk is not installed (apt-get install wrk): %w", script, err)
	}
	var procs *watch
	if len(cfg.PIDs) > 0 {
		if procs, err = watchProcs(cfg.PIDs); err != nil {
			return err
		}
	}
	machine := machineBusy()
	threads := min(cfg.Conns, runtime.NumCPU())
	secs := max(1, int(math.Ceil(cfg.Duration.Seconds()))) // wrk takes whole seconds
	args := []string{"-t", strconv.Itoa(threads), "-c", strconv.Itoa(cfg.Conns), "-d", strconv.Itoa(secs) + "s",
		"--timeout", "30s", "--latency", "-s", script, cfg.URLs[0]}
	fmt.Fprintf(out, "loadtest: --mix %s through wrk %s (targets: %s)\n", cfg.Mix, strings.Join(args, " "), t.Counts())
	for _, s := range p.skipped {
		fmt.Fprintf(out, "left out: %s\n", s)
	}
	fmt.Fprintf(out, "load average before: %s\n", loadAverage())
	var buf strings.Builder
	cmd := exec.CommandContext(ctx, bin, args...)
	// An interrupt (Ctrl-C) stops wrk as it stops itself, with its report.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Stdout = io.MultiWriter(out, &buf)
	cmd.Stderr = out
	start := time.Now()
	runErr := cmd.Run()
	elapsed := time.Since(start)
	fmt.Fprintf(out, "load average after: %s\n", loadAverage())
	if procs != nil {
		u := procs.end()
		fmt.Fprintf(out, "server (pid %s): CPU %.2f cores (%s over %s), RSS %s at most\n", pids(u.PIDs), u.CPUShare, u.CPU.Round(10*time.Millisecond),
			elapsed.Round(time.Millisecond), mib(u.MaxRSS))
		if n := wrkCount(buf.String(), wrkAnswered); n > 0 {
			fmt.Fprintf(out, "server CPU a request: %.3f ms\n", float64(u.CPU)/float64(time.Millisecond)/float64(n))
		}
	}
	if m := machine(); m != nil {
		fmt.Fprintf(out, "machine: %.2f of %d cores busy (wrk, the server, and anything else on it)\n", m.Busy, m.CPUs)
	}
	if runErr != nil {
		return fmt.Errorf("wrk: %w", runErr)
	}
	return wrkFailures(buf.String())
}

// wrkFailures reads wrk's report for answers that were not 2xx or 3xx
// and for socket errors (no answer). wrk counts a redirect (3xx) as an
// answer: a read sent to the login form would pass; the Go generator
// reports statuses one by one, and the discovery before the run fails on
// a token that does not work.
func wrkFailures(report string) error {
	if n := wrkCount(report, wrkNon2xx); n > 0 {
		return fmt.Errorf("wrk: %d answers were not 2xx or 3xx", n)
	}
	if m := wrkSockets.FindStringSubmatch(report); m != nil {
		return fmt.Errorf("wrk: socket errors (no answer): connect %s, read %s, write %s, timeout %s", m[1], m[2], m[3], m[4])
	}
	if wrkCount(report, wrkAnswered) == 0 {
		return errors.New("wrk: no request was answered")
	}
	return nil
}

// wrkCount is the number re's group finds in wrk's report (0 if none).
func wrkCount(report string, re *regexp.Regexp) int {
	m := re.FindStringSubmatch(report)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
