package web

import (
	"context"
	"net/http"
	"time"

	"partyworks"
)

// Reads take turns. Fifty requests at once on a machine of two cores,
// each making a few SQLite calls on a pool of eight readers, were served
// in no order: database/sql gives a freed connection to a random waiter.
// With three Ps per CPU (cmd/partyworks, sqliteProcs) most reads were
// answered in 12–14 ms and one in a hundred after 33–44 ms, but one name
// search (the costliest read) in a hundred after 100–115 ms. So at
// most Config.ReadSlots reads (GET and HEAD of routes that are not
// public: guard; the reader pool's size) prepare their answers at once,
// and the others wait in order of arrival on a channel (a channel's
// waiting senders go first come, first served). A slot is
// given back when the answer starts (its first byte or its status): a
// slow client reading a long download holds none. A read that waited
// Config.ReadWait goes ahead without one, so that reads that hold their
// slot long (an export that writes nothing until its end) never stall
// the others for longer than that; a read whose client has gone stops
// waiting. Writes (POST and the rest) do not wait for a turn: SQLite
// takes them one at a time on their own connection, though what they
// read before (the session, the rights) is read from the same pool.
// docs/PERFORMANCE.md, "Three Ps per CPU, and reads take turns", has the figures.

// takeTurn makes a read of route rt wait for its turn: GET and HEAD of
// routes that are not public (static files, health, the login form do
// not wait). The turn ends when the answer starts (statusWriter, made by
// observe).
func (s *Server) takeTurn(w http.ResponseWriter, r *http.Request, rt *Route) {
	if rt.Action == partyworks.ActPublic || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return
	}
	if sw, ok := w.(*statusWriter); ok {
		sw.done = s.admitRead(r.Context())
	}
}

// admitRead waits for a read slot, and returns the function that gives
// it back (nil if none was taken).
func (s *Server) admitRead(ctx context.Context) func() {
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
	case <-ctx.Done():
		return nil // the handler will find the context done
	}
}

func (s *Server) releaseRead() { <-s.readSlots }
