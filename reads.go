package partyworks

import (
	"context"
	"sync"
)

// A deployment on PostgreSQL may serve reads from a streaming replica,
// which is a moment behind the primary. A read goes there only when its
// context carries a ReadScope: the web server gives one to the handler of
// an authenticated GET, after the session and the caller's rights were
// checked on the primary. Everything else (logins, sessions, writes,
// commands, jobs) reads the primary. The storage decides once per scope
// whether the replica already has every write of the scope's actor (read
// your own writes), and a write in the scope sends its later reads to the
// primary.
type ReadScope struct {
	mu      sync.Mutex
	decided bool
	replica bool
}

type readScopeKey struct{}

// WithReplicaReads returns a context whose reads may be served by a read
// replica once the storage has checked that it holds the actor's writes.
func WithReplicaReads(ctx context.Context) context.Context {
	return context.WithValue(ctx, readScopeKey{}, &ReadScope{})
}

// ReadScopeFrom returns the context's read scope, or nil: read the primary.
func ReadScopeFrom(ctx context.Context) *ReadScope {
	s, _ := ctx.Value(readScopeKey{}).(*ReadScope)
	return s
}

// UseReplica reports whether the scope's reads go to the replica, calling
// decide for the first read only. A nil scope reads the primary.
func (s *ReadScope) UseReplica(decide func() bool) bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.decided {
		s.replica, s.decided = decide(), true
	}
	return s.replica
}

// Wrote sends the scope's later reads to the primary: its actor has just
// written something the replica may not have yet.
func (s *ReadScope) Wrote() {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.replica, s.decided = false, true
	s.mu.Unlock()
}
