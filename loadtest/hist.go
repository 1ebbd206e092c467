package loadtest

import (
	"math/bits"
	"time"
)

// subBits sets the histogram's precision: 2^subBits buckets per power of
// two, so that a recorded latency is known within 1/64 (1.6 %) whatever
// its size. Memory stays fixed however long the run, unlike keeping every
// duration and sorting them.
const subBits = 6

// maxBuckets covers latencies up to 2^40 µs (12 days): more than enough.
const maxBuckets = (40 - subBits + 1) << subBits

// hist is a log-linear latency histogram in microseconds, HDR-style. Each
// worker has its own (no locks on the hot path); they are merged at the end.
type hist struct {
	counts [maxBuckets]uint64
	n      uint64
	sum    time.Duration
	max    time.Duration
}

// bucket returns the bucket of a value: exact below 2^subBits, then
// 2^subBits buckets per power of two.
func bucket(us uint64) int {
	if us < 1<<subBits {
		return int(us)
	}
	shift := bits.Len64(us) - subBits - 1 // us>>shift is in [64, 127]
	i := (shift+1)<<subBits + int(us>>shift) - 1<<subBits
	return min(i, maxBuckets-1)
}

// upper returns the largest value that falls in bucket i.
func upper(i int) uint64 {
	if i < 1<<subBits {
		return uint64(i)
	}
	shift := i>>subBits - 1
	m := uint64(i&(1<<subBits-1) + 1<<subBits)
	return (m+1)<<shift - 1
}

func (h *hist) record(d time.Duration) {
	us := d.Microseconds()
	if us < 0 {
		us = 0
	}
	h.counts[bucket(uint64(us))]++
	h.n++
	h.sum += d
	h.max = max(h.max, d)
}

func (h *hist) merge(o *hist) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	h.max = max(h.max, o.max)
}

// quantile returns the latency below which a fraction q of the requests
// fell: the upper edge of its bucket (so never flattering), capped at the
// largest latency seen.
func (h *hist) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.5)
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(time.Duration(upper(i))*time.Microsecond, h.max)
		}
	}
	return h.max
}

func (h *hist) mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}
