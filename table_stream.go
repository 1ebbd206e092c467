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
// side, when it gives up early: an import that failed).
func (s *TableStream) Stop() {
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
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
// must not be changed. ended says no more rows will come; err is the
// reading's error, given once the rows before it have all been returned
// (n at or past them), or ErrStreamStopped when stop is closed first.
func (s *TableStream) Next(stop <-chan struct{}, n int) (t *Table, ended bool, err error) {
	for {
		s.mu.Lock()
		if len(s.rows) > n || s.ended {
			t = &Table{Header: s.Header, Rows: s.rows[:len(s.rows):len(s.rows)], Lines: s.lines[:len(s.lines):len(s.lines)]}
			ended = s.ended
			if ended && len(s.rows) <= n {
				err = s.err
			}
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
