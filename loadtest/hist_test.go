package loadtest

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// The histogram's quantiles are within its precision (1/64) of the exact
// ones, never below them, from microseconds to seconds, and merging two
// histograms is the histogram of both.
func TestHistQuantiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var a, b hist
	var all []time.Duration
	for i := range 200_000 {
		// A long tail: most requests fast, some slow, a few very slow.
		d := time.Duration(rng.ExpFloat64()*float64(2*time.Millisecond)) + time.Duration(rng.IntN(50))*time.Microsecond
		if i%1000 == 0 {
			d = time.Duration(rng.IntN(3000)) * time.Millisecond
		}
		all = append(all, d)
		if i%2 == 0 {
			a.record(d)
		} else {
			b.record(d)
		}
	}
	a.merge(&b)
	slices.Sort(all)
	if a.n != uint64(len(all)) || a.max != all[len(all)-1] {
		t.Fatalf("n %d max %s, want %d %s", a.n, a.max, len(all), all[len(all)-1])
	}
	for _, q := range []float64{0.01, 0.5, 0.9, 0.99, 0.999, 1} {
		exact := all[max(int(q*float64(len(all))+0.5), 1)-1]
		got := a.quantile(q)
		if got < exact.Truncate(time.Microsecond) || float64(got) > float64(exact)*(1+1.0/64)+float64(time.Microsecond) {
			t.Errorf("q%.3f: %s, exact %s", q, got, exact)
		}
	}
}

func TestBucketsAreContiguous(t *testing.T) {
	prev := -1
	for v := uint64(0); v < 1<<20; v++ {
		i := bucket(v)
		if i != prev && i != prev+1 {
			t.Fatalf("value %d: bucket %d after %d", v, i, prev)
		}
		if v > upper(i) || (i > 0 && v <= upper(i-1)) {
			t.Fatalf("value %d in bucket %d of upper %d", v, i, upper(i))
		}
		prev = i
	}
}

func TestCheckLoopback(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080", "http://localhost:8080/", "http://[::1]:80", "http://127.0.0.2:1"} {
		if _, err := CheckLoopback(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	for _, u := range []string{"http://10.0.0.1:8080", "http://example.com", "http://127.0.0.1.nip.io:80", "ftp://127.0.0.1", "127.0.0.1:8080", "http://[::ffff:8.8.8.8]:80"} {
		if _, err := CheckLoopback(u); err == nil {
			t.Errorf("%s: accepted", u)
		}
	}
}
