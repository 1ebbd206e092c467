package partyworks_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"partyworks"
)

// TestTableStream: Next waits for rows, hands them in order as a table,
// gives the reading's error only after the rows before it, and stops
// waiting when told; Add reports a stopped stream.
func TestTableStream(t *testing.T) {
	s := partyworks.NewTableStream([]string{"a"}, 10)
	got := make(chan *partyworks.Table)
	go func() {
		tb, _, _ := s.Next(nil, 0)
		got <- tb
	}()
	select {
	case <-got:
		t.Fatal("Next returned before any row came")
	case <-time.After(20 * time.Millisecond):
	}
	if !s.Add([][]string{{"1"}, {"2"}}, []int{2, 3}) {
		t.Fatal("Add refused")
	}
	tb := <-got
	if len(tb.Rows) != 2 || tb.Lines[1] != 3 || tb.Header[0] != "a" {
		t.Fatalf("first rows: %+v", tb)
	}
	s.Add([][]string{{"3"}}, []int{5})
	bad := errors.New("row 6 is not XML")
	s.End(bad)
	if s.Add([][]string{{"4"}}, []int{6}) {
		t.Error("Add after End was taken")
	}
	tb, ended, err := s.Next(nil, 1)
	if !ended || !errors.Is(err, bad) || len(tb.Rows) != 3 || !slices.Equal(tb.Lines, []int{2, 3, 5}) {
		t.Fatalf("rows before the error: %+v ended %v err %v", tb, ended, err)
	}
	if _, _, err := s.Next(nil, 3); !errors.Is(err, bad) {
		t.Errorf("past the rows: %v, want the reading's error", err)
	}
	if s.Expected() != 10 {
		t.Errorf("expected %d after a failed read, want the estimate 10", s.Expected())
	}

	s = partyworks.NewTableStream([]string{"a"}, 0)
	stop := make(chan struct{})
	close(stop)
	if _, _, err := s.Next(stop, 0); !errors.Is(err, partyworks.ErrStreamStopped) {
		t.Errorf("Next after stop: %v", err)
	}
	s.Add([][]string{{"1"}}, []int{2})
	s.Stop()
	if s.Add([][]string{{"2"}}, []int{3}) {
		t.Error("Add after Stop was taken")
	}
	if tb, ended, err := s.Next(nil, 5); !ended || !errors.Is(err, partyworks.ErrStreamStopped) || len(tb.Rows) != 1 {
		t.Errorf("Next after Stop: %v %v (it must not wait)", ended, err)
	}

	// NextUnlessSlow returns when the rows turn slow (also when they
	// already are); Next waits for rows.
	s = partyworks.NewTableStream([]string{"a"}, 0)
	woke := make(chan int)
	go func() {
		tb, _, _ := s.NextUnlessSlow(nil, 0)
		woke <- len(tb.Rows)
	}()
	time.Sleep(10 * time.Millisecond)
	s.SetSlow()
	if n := <-woke; n != 0 || !s.Slow() {
		t.Errorf("woken with %d rows, slow %v", n, s.Slow())
	}
	if tb, _, _ := s.NextUnlessSlow(nil, 0); len(tb.Rows) != 0 {
		t.Errorf("%d rows", len(tb.Rows))
	}
	go func() {
		tb, _, _ := s.Next(nil, 0)
		woke <- len(tb.Rows)
	}()
	select {
	case <-woke:
		t.Fatal("Next of a slow stream returned without rows")
	case <-time.After(20 * time.Millisecond):
	}
	s.Add([][]string{{"1"}}, []int{2})
	if n := <-woke; n != 1 {
		t.Errorf("%d rows after Add", n)
	}

	whole := partyworks.StreamOf(&partyworks.Table{Header: []string{"a"}, Rows: [][]string{{"1"}}, Lines: []int{2}})
	if tb, ended, err := whole.Next(nil, 0); !ended || err != nil || len(tb.Rows) != 1 || whole.Expected() != 1 {
		t.Errorf("a whole table: %+v %v %v", tb, ended, err)
	}
}
