package loadtest

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's times: 100 on
// every Linux architecture Go supports (the kernel fixes it for userland).
const clockTicks = 100

// cpuTime reads the user and system time a process has used so far.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces and parentheses: the
	// fields that follow start after its last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// rss reads a process's resident set size in bytes, and the part of it
// that is the process's own memory (RssAnon): the rest is files' pages
// mapped in, such as SQLite's memory map of the database, which are the
// operating system's file cache. anon is -1 where /proc does not give it.
func rss(pid int) (total, anon int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	kb := func(field string) (int64, error) {
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(line, field); ok {
				n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				return n << 10, err
			}
		}
		return 0, fmt.Errorf("/proc/%d/status: no %s", pid, field)
	}
	if total, err = kb("VmRSS:"); err != nil {
		return 0, 0, err
	}
	if anon, err = kb("RssAnon:"); err != nil {
		anon = -1 // a kernel before 4.5, or a /proc that does not say
	}
	return total, anon, nil
}

// loadAverage is the first three fields of /proc/loadavg, as written there
// ("0.52 0.58 0.59"); "" where there is no /proc.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// Usage is what processes used during the run.
type Usage struct {
	PIDs []int `json:"pids"`
	// CPU is the processor time used, summed over the processes; CPUShare
	// is that time over the run's wall time (1.0 = one core busy).
	CPU      time.Duration `json:"cpu_ns"`
	CPUShare float64       `json:"cpu_share"`
	// RSS is the resident memory at the end and the largest seen (sampled
	// every 200 ms), summed over the processes; MaxAnonRSS the largest of
	// its anonymous part (the processes' own memory, without mapped files;
	// -1 where /proc does not give it).
	RSS        int64 `json:"rss_bytes"`
	MaxRSS     int64 `json:"max_rss_bytes"`
	MaxAnonRSS int64 `json:"max_anon_rss_bytes"`
}

// watch samples the processes' CPU time and memory from start to stop.
type watch struct {
	pids   []int
	cpu0   time.Duration
	t0     time.Time
	mu     sync.Mutex
	max    int64
	anon   int64 // the largest anonymous RSS
	noAnon bool  // /proc did not give it
	stop   chan struct{}
	done   chan struct{}
}

// watchProcs starts watching; it fails if a process cannot be read.
func watchProcs(pids []int) (*watch, error) {
	w := &watch{pids: pids, t0: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	for _, pid := range pids {
		c, err := cpuTime(pid)
		if err != nil {
			return nil, fmt.Errorf("--pid %d: %w", pid, err)
		}
		w.cpu0 += c
	}
	w.sample()
	go func() {
		defer close(w.done)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
				w.sample()
			}
		}
	}()
	return w, nil
}

func (w *watch) sample() int64 {
	var total, anon int64
	noAnon := false
	for _, pid := range w.pids {
		if n, a, err := rss(pid); err == nil { // a process that exited adds nothing
			total, anon, noAnon = total+n, anon+a, noAnon || a < 0
		}
	}
	w.mu.Lock()
	w.max, w.anon, w.noAnon = max(w.max, total), max(w.anon, anon), w.noAnon || noAnon
	w.mu.Unlock()
	return total
}

// end stops sampling and returns the usage over the run.
func (w *watch) end() Usage {
	close(w.stop)
	<-w.done
	u := Usage{PIDs: w.pids, RSS: w.sample()}
	for _, pid := range w.pids {
		if c, err := cpuTime(pid); err == nil {
			u.CPU += c
		}
	}
	u.CPU -= w.cpu0
	if wall := time.Since(w.t0); wall > 0 {
		u.CPUShare = u.CPU.Seconds() / wall.Seconds()
	}
	u.MaxRSS, u.MaxAnonRSS = w.max, w.anon
	if w.noAnon {
		u.MaxAnonRSS = -1
	}
	return u
}

// machineTimes reads the time all CPUs spent busy and in total since boot,
// in clock ticks, from /proc/stat's first line.
func machineTimes() (busy, total uint64, ok bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return 0, 0, false
	}
	for i, v := range f[1:] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, 0, false
		}
		total += n
		if i != 3 && i != 4 { // idle and iowait
			busy += n
		}
	}
	return busy, total, true
}

// Machine is how busy the whole machine was during the run: everything on
// it, the database server's processes and other people's work included.
type Machine struct {
	CPUs int     `json:"cpus"`
	Busy float64 `json:"busy_cores"` // 2.0 = two cores busy all the time
}

// machineBusy returns a function that, called at the end, says how busy
// the machine was since machineBusy was called.
func machineBusy() func() *Machine {
	b0, t0, ok := machineTimes()
	return func() *Machine {
		b1, t1, ok1 := machineTimes()
		if !ok || !ok1 || t1 <= t0 {
			return nil
		}
		n := runtime.NumCPU()
		return &Machine{CPUs: n, Busy: float64(b1-b0) / float64(t1-t0) * float64(n)}
	}
}
