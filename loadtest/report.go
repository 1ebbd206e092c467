package loadtest

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is the outcome of a run.
type Report struct {
	Mix        string        `json:"mix"`
	URLs       []string      `json:"urls"`
	Conns      int           `json:"conns"`
	Duration   time.Duration `json:"duration_ns"`
	Elapsed    time.Duration `json:"elapsed_ns"`
	Discovery  time.Duration `json:"discovery_ns"`
	Targets    string        `json:"targets"`
	Skipped    []string      `json:"skipped,omitempty"`
	LoadBefore string        `json:"load_before"` // /proc/loadavg: the machine is shared
	LoadAfter  string        `json:"load_after"`
	Kinds      []KindReport  `json:"kinds"`
	All        KindReport    `json:"all"`
	Server     *Usage        `json:"server,omitempty"`    // the processes of --pid
	Generator  *Usage        `json:"generator,omitempty"` // this process
	Machine    *Machine      `json:"machine,omitempty"`   // the whole machine
}

// KindReport is one kind of request, or all of them.
type KindReport struct {
	Kind     string        `json:"kind"`
	Requests int           `json:"requests"`
	PerSec   float64       `json:"per_sec"`
	Mean     time.Duration `json:"mean_ns"`
	P50      time.Duration `json:"p50_ns"`
	P90      time.Duration `json:"p90_ns"`
	P99      time.Duration `json:"p99_ns"`
	Max      time.Duration `json:"max_ns"`
	// Status counts the answers by HTTP status; 0 is no answer at all.
	Status map[int]int `json:"status"`
	// ServerErrors are the 5xx answers and the requests without answer.
	ServerErrors int `json:"server_errors"`
}

// ServerErrors is the number of 5xx answers and unanswered requests: the
// issue's target is zero.
func (r *Report) ServerErrors() int { return r.All.ServerErrors }

func (r *Report) collect(workers []*worker) {
	byKind := map[*kind]*kindStats{}
	all := &kindStats{status: map[int]int{}}
	for _, w := range workers {
		for k, s := range w.stats {
			m := byKind[k]
			if m == nil {
				m = &kindStats{status: map[int]int{}}
				byKind[k] = m
			}
			m.hist.merge(&s.hist)
			all.hist.merge(&s.hist)
			for st, n := range s.status {
				m.status[st] += n
				all.status[st] += n
			}
		}
	}
	for k, s := range byKind {
		r.Kinds = append(r.Kinds, r.kindReport(k.name, s))
	}
	slices.SortFunc(r.Kinds, func(a, b KindReport) int { return cmp.Compare(a.Kind, b.Kind) })
	r.All = r.kindReport("all", all)
}

func (r *Report) kindReport(name string, s *kindStats) KindReport {
	k := KindReport{Kind: name, Requests: int(s.hist.n), Mean: s.hist.mean(), P50: s.hist.quantile(0.50), P90: s.hist.quantile(0.90),
		P99: s.hist.quantile(0.99), Max: s.hist.max, Status: s.status}
	if r.Elapsed > 0 {
		k.PerSec = float64(k.Requests) / r.Elapsed.Seconds()
	}
	for st, n := range s.status {
		if st == 0 || st >= 500 {
			k.ServerErrors += n
		}
	}
	return k
}

// Print writes the report as a table.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "loadtest: --mix %s, %d connections, %s (ran %s) against %s\n", r.Mix, r.Conns, r.Duration, r.Elapsed.Round(time.Millisecond), strings.Join(r.URLs, ", "))
	if r.Targets != "" {
		fmt.Fprintf(w, "targets: %s (found in %s)\n", r.Targets, r.Discovery.Round(time.Millisecond))
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(w, "left out: %s\n", s)
	}
	fmt.Fprintf(w, "load average before: %s, after: %s\n\n", r.LoadBefore, r.LoadAfter)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\trequests\treq/s\tmean\tp50\tp90\tp99\tmax\t5xx\tstatuses\t")
	for _, k := range append(r.Kinds, r.All) {
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t\n", k.Kind, k.Requests, k.PerSec, ms(k.Mean), ms(k.P50), ms(k.P90), ms(k.P99), ms(k.Max),
			k.ServerErrors, statuses(k.Status))
	}
	tw.Flush()
	fmt.Fprintln(w)
	if r.Server != nil {
		own := "n/a"
		if r.Server.MaxAnonRSS >= 0 {
			own = mib(r.Server.MaxAnonRSS)
		}
		fmt.Fprintf(w, "server (pid %s): CPU %.2f cores (%s), RSS %s at the end, %s at most, of which its own memory %s at most (the rest: mapped files)\n",
			pids(r.Server.PIDs), r.Server.CPUShare, r.Server.CPU.Round(10*time.Millisecond), mib(r.Server.RSS), mib(r.Server.MaxRSS), own)
	}
	if r.Generator != nil {
		fmt.Fprintf(w, "generator (this process): CPU %.2f cores, RSS %s at most\n", r.Generator.CPUShare, mib(r.Generator.MaxRSS))
	}
	if r.Machine != nil {
		fmt.Fprintf(w, "machine: %.2f of %d cores busy (everything on it: a database server, other people's work)\n", r.Machine.Busy, r.Machine.CPUs)
	}
	fmt.Fprintf(w, "server errors (5xx or no answer): %d\n", r.ServerErrors())
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }

func mib(n int64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }

func statuses(m map[int]int) string {
	var parts []string
	for _, st := range slices.Sorted(maps.Keys(m)) {
		name := fmt.Sprint(st)
		if st == 0 {
			name = "none"
		}
		parts = append(parts, fmt.Sprintf("%s:%d", name, m[st]))
	}
	return strings.Join(parts, " ")
}

func pids(ps []int) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = fmt.Sprint(p)
	}
	return strings.Join(s, ",")
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
