package partyworks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// AuditEntry is one line of the audit trail: who did what, when (UTC), from
// where, with the state before and after. Entries form a hash chain: each
// Hash covers the entry and the Hash before it, so an altered, inserted or
// deleted entry breaks the chain.
type AuditEntry struct {
	Seq      int64           `json:"seq"`
	At       time.Time       `json:"at"`
	UserID   int64           `json:"user_id,omitempty"`
	Username string          `json:"username"`
	OnBehalf string          `json:"on_behalf,omitempty"`
	Action   string          `json:"action"`
	Object   string          `json:"object"` // "unit:42", "user:7"
	Addr     string          `json:"addr"`
	Before   json.RawMessage `json:"before,omitempty"`
	After    json.RawMessage `json:"after,omitempty"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
}

// ComputeHash returns the chain hash of e given the previous entry's hash.
// Every field is length-prefixed so that no two entries share an encoding.
func (e *AuditEntry) ComputeHash(prev string) string {
	h := sha256.New()
	for _, f := range []string{
		strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano),
		strconv.FormatInt(e.UserID, 10), e.Username, e.OnBehalf, e.Action, e.Object, e.Addr,
		string(e.Before), string(e.After), prev,
	} {
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Actor is who makes a change and from where; it travels in the context
// from the edge (HTTP, CLI) to the store, which writes it to the trail.
type Actor struct {
	UserID   int64
	Username string
	Addr     string
	OnBehalf string // assisted entry: the person the change was made for
}

type actorKey struct{}

// WithActor returns a context that carries the actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the context's actor; the system when there is none.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Username: "system", Addr: "local"}
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	Username  string
	Action    string
	Object    string
	From, To  time.Time
	BeforeSeq int64 // keyset
	Limit     int
}

// AuditProblem is one break in the chain found by VerifyAudit.
type AuditProblem struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

// AuditService reads and checks the trail. Entries are written by the
// stores in the same transaction as the change they record.
type AuditService interface {
	FindAuditEntries(ctx context.Context, f AuditFilter) ([]*AuditEntry, error)
	// RecordAudit writes an entry on its own (logins, denied accesses).
	RecordAudit(ctx context.Context, action, object string, after any) error
	VerifyAudit(ctx context.Context) (checked int64, problems []AuditProblem, err error)
}
