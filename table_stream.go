package partyworks

import (
	"errors"
	"sync"
)

// TableStream is a table whose rows are still being read while the first
// ones are used: sheet.Stream scans a large XLSX sheet on one core while
// an import writes its first rows on the other. The header is known from
// the start; the rows only grow, in the order of the file. A whole Table is
// an ended stream (StreamOf).
type TableStream struct {
	Header []string

	mu      sync.Mutex
	more    chan struct{} // closed (and replaced) when rows come or the stream ends
	rows    [][]string
	lines   []int
	expect  int
	ended   bool
	err     error
	stopped bool
	slow    bool
}

// ErrStreamStopped is what Next returns once its stop channel is closed.
var ErrStreamStopped = errors.New("the rows are no longer wanted")

// NewTableStream starts a stream of the rows under header; expect is how
// many rows the reader expects (an estimate until the stream ends).
func NewTableStream(header []string, expect int) *TableStream {
	return &TableStream{Header: header, expect: expect, more: make(chan struct{})}
}

// StreamOf is a whole table as an ended stream.
func StreamOf(t *Table) *TableStream {
	s := NewTableStream(t.Header, len(t.Rows))
	s.rows, s.lines, s.ended = t.Rows, t.Lines, true
	close(s.more)
	return s
}

// Add appends rows read and their lines (the reader's side). It reports
// false once the rows are no longer wanted (Stop) or the stream has ended:
// the reader stops reading.
func (s *TableStream) Add(rows [][]string, lines []int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped || s.ended {
		return false
	}
	s.rows = append(s.rows, rows...)
	s.lines = append(s.lines, lines...)
	s.expect = max(s.expect, len(s.rows))
	s.wake()
	return true
}

// End ends the stream (the reader's side), with the error that stopped
// the reading, if any: the rows added before it stay.
func (s *TableStream) End(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return
	}
	s.ended, s.err = true, err
	if err == nil {
		s.expect = len(s.rows)
	}
	s.wake()
}

func (s *TableStream) wake() {
	close(s.more)
	if !s.ended {
		s.more = make(chan struct{})
	}
}

// Stop tells the reader the rest of the rows are not wanted (the user's
// side, when it gives up early: an import that failed). A stream not yet
// ended ends with ErrStreamStopped.
func (s *TableStream) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	if !s.ended {
		s.ended, s.err = true, ErrStreamStopped
		s.wake()
	}
}

// Stopped reports whether the rows are no longer wanted (the reader's
// side, before a long read).
func (s *TableStream) Stopped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopped
}

// SetSlow says the rest of the rows will come slowly (the reader's side:
// the fast reader gave up part-way). A user that holds something while it
// waits for rows (an import's write transaction) should then wait for
// rows before taking it (Slow).
func (s *TableStream) SetSlow() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.slow && !s.ended {
		s.slow = true
		s.wake()
	}
}

// Slow reports whether the rest of the rows come slowly (SetSlow).
func (s *TableStream) Slow() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.slow
}

// Expected is how many rows the stream holds once it has ended, and the
// reader's estimate before.
func (s *TableStream) Expected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.expect
}

// Next waits until the stream holds more than n rows or has ended, and
// returns the rows so far as a table, which shares the stream's arrays and
// must not be changed. ended says no more rows will come; err, once it
// has ended, is the error that ended it (the rows before it are in t: a
// user takes them, then stops with err). Next returns ErrStreamStopped and
// no table when stop is closed first.
func (s *TableStream) Next(stop <-chan struct{}, n int) (t *Table, ended bool, err error) {
	return s.next(stop, n, false)
}

// NextUnlessSlow is Next, but returns at once, maybe without row n, once
// the rows come slowly (SetSlow): for a user that must not wait on a slow
// reader while it holds something.
func (s *TableStream) NextUnlessSlow(stop <-chan struct{}, n int) (t *Table, ended bool, err error) {
	return s.next(stop, n, true)
}

func (s *TableStream) next(stop <-chan struct{}, n int, unlessSlow bool) (t *Table, ended bool, err error) {
	for {
		s.mu.Lock()
		if len(s.rows) > n || s.ended || unlessSlow && s.slow {
			t = &Table{Header: s.Header, Rows: s.rows[:len(s.rows):len(s.rows)], Lines: s.lines[:len(s.lines):len(s.lines)]}
			ended, err = s.ended, s.err
			s.mu.Unlock()
			return t, ended, err
		}
		more := s.more
		s.mu.Unlock()
		select {
		case <-more:
		case <-stop:
			return nil, false, ErrStreamStopped
		}
	}
}
