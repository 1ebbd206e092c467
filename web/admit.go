package web

import "time"

// Reads take turns. Fifty requests at once on a machine of two cores,
// each making a few SQLite calls on a pool of eight readers, were served
// in no order: database/sql gives a freed connection to a random waiter,
// and the Go scheduler runs the goroutine that woke last first. Most
// answers came in 12 ms, one in a hundred after 100–170 ms (and name
// searches, which cost the most, after 100 ms one in a hundred). So at
// most Config.ReadSlots reads (the reader pool's size) prepare their
// answers at once, and the others wait in order of arrival on a channel
// (a channel's waiting senders go first come, first served). A slot is
// given back when the answer starts (its first byte or its status): a
// slow client reading a long download holds none. A read that waited
// Config.ReadWait goes ahead without one, so that reads that hold their
// slot long (an export that writes nothing until its end) never stall
// the others for longer than that. Writes do not queue here: they have
// their own connection, and SQLite takes them one at a time.
// docs/PERFORMANCE.md, "Reads take turns", has the figures.

// admitRead waits for a read slot, and returns the function that gives
// it back (nil if none was taken).
func (s *Server) admitRead() func() {
	if s.readSlots == nil {
		return nil
	}
	select {
	case s.readSlots <- struct{}{}:
		return s.releaseRead
	default:
	}
	t := time.NewTimer(s.cfg.ReadWait)
	defer t.Stop()
	select {
	case s.readSlots <- struct{}{}:
		return s.releaseRead
	case <-t.C:
		s.metrics.readsUnqueued.Inc()
		return nil
	}
}

func (s *Server) releaseRead() { <-s.readSlots }
