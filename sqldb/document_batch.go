package sqldb

import (
	"context"
	"fmt"
	"sync"
	"time"

	"partyworks"
)

// Numbering commits in groups. A number without gaps stays locked from the
// moment it is taken until its transaction commits (given back on a
// rollback), so writers of one counter queue one behind the other, and one
// transaction per number makes the queue as long as writers × one commit
// (on PostgreSQL a WAL flush each). Instead, the registrations waiting on
// an app node go into one transaction, each in a savepoint of its own: a
// refused one rolls back to its savepoint and gives its number back before
// the next takes one, so the numbers the batch commits are consecutive; if
// the commit fails, every registration of the batch fails and no number
// was shown. A number reaches its caller only after the commit, so it is
// never shown and then lost. Two app nodes queue on the counter row's lock
// batch by batch.
//
// A group first tries the fast way: the numbers of each counter are taken
// for the whole group in one UPDATE (last = last + k), handed out in the
// order the requests came, and the registrations written without
// savepoints. If any of them is refused, that transaction is rolled back
// (no number was shown) and the group runs again the careful way, one
// savepoint and one UPDATE per registration, so that the refused one gives
// its number back.
//
// Durability is not traded for speed: the commit waits for the WAL flush
// (PostgreSQL's synchronous_commit stays on). With it off, a crash could
// lose a commit whose number was already shown and written on paper, and
// the next registration would take that number again: a duplicate in the
// world outside the database.

// maxBatch stays under 64: PostgreSQL caches the ids of 64
// subtransactions per transaction; beyond, every snapshot of every session
// pays for looking them up.
const maxBatch = 48

// counterKey names a counter.
type counterKey struct {
	unit           int64
	period, series string
}

type batchReq struct {
	ctx   context.Context
	actor partyworks.Actor
	key   *counterKey // the counter the request numbers from; nil: fn takes its own
	// fn writes the request; n is its number taken in advance, or 0 when
	// fn must take it itself (tx.nextNumber).
	fn   func(tx *Tx, n int) error
	done chan error
}

type batcher struct {
	db      *DB
	mu      sync.Mutex
	pending []*batchReq
	running bool
}

// do runs fn in the next group transaction and returns once that
// transaction has committed (fn's error, or the commit's).
func (b *batcher) do(ctx context.Context, key *counterKey, fn func(tx *Tx, n int) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	req := &batchReq{ctx: context.WithoutCancel(ctx), actor: partyworks.ActorFrom(ctx), key: key, fn: fn, done: make(chan error, 1)}
	b.mu.Lock()
	b.pending = append(b.pending, req)
	if !b.running {
		b.running = true
		go b.lead()
	}
	b.mu.Unlock()
	// Once queued, the request is waited for even if the caller gives up:
	// it may already be committed.
	return <-req.done
}

// lead runs groups until nobody waits, then ends.
func (b *batcher) lead() {
	for {
		b.mu.Lock()
		if len(b.pending) == 0 {
			b.running = false
			b.mu.Unlock()
			return
		}
		n := min(len(b.pending), maxBatch)
		group := b.pending[:n:n]
		b.pending = b.pending[n:]
		b.mu.Unlock()
		b.run(group)
	}
}

func (b *batcher) run(group []*batchReq) {
	if b.runFast(group) {
		return
	}
	b.runCareful(group)
}

// runFast numbers the group counter by counter in one statement each and
// writes it without savepoints. It reports false, having rolled back and
// answered nobody, when a request was refused or a statement failed.
func (b *batcher) runFast(group []*batchReq) bool {
	tx, err := b.db.BeginTx(group[0].ctx)
	if err != nil {
		return false
	}
	defer tx.Rollback()
	numbers := make([]int, len(group))
	counts := map[counterKey]int{}
	var order []counterKey
	for _, r := range group {
		if r.key != nil {
			if counts[*r.key] == 0 {
				order = append(order, *r.key)
			}
			counts[*r.key]++
		}
	}
	next := map[counterKey]int{}
	for _, k := range order {
		last, err := tx.takeNumbers(k.unit, k.period, k.series, counts[k])
		if err != nil {
			return false
		}
		next[k] = last - counts[k] + 1
	}
	for i, r := range group {
		if r.key != nil {
			numbers[i] = next[*r.key]
			next[*r.key]++
		}
	}
	g := &groupWrites{}
	tx.group = g
	for i, r := range group {
		tx.ctx, tx.actor, tx.now = r.ctx, r.actor, b.db.Now().UTC().Truncate(time.Microsecond)
		if err := r.fn(tx, numbers[i]); err != nil {
			return false
		}
	}
	if err := g.flush(tx); err != nil {
		return false
	}
	if err := tx.Commit(); err != nil {
		// Not retried: a commit that fails may have failed after it was
		// durable (a lost connection); the careful run could number twice.
		for _, r := range group {
			r.done <- fmt.Errorf("commit: %w", err)
		}
		return true
	}
	for _, r := range group {
		r.done <- nil
	}
	return true
}

func (b *batcher) runCareful(group []*batchReq) {
	errs := make([]error, len(group))
	fail := func(err error) {
		for _, r := range group {
			r.done <- err
		}
	}
	tx, err := b.db.BeginTx(group[0].ctx)
	if err != nil {
		fail(err)
		return
	}
	defer tx.Rollback()
	for i, r := range group {
		tx.ctx, tx.actor, tx.now = r.ctx, r.actor, b.db.Now().UTC().Truncate(time.Microsecond)
		// Savepoints of one name nest; ROLLBACK TO names the latest, this
		// registration's. Not releasing them saves a round trip each.
		if _, err := tx.Exec(`SAVEPOINT registration`); err != nil {
			fail(fmt.Errorf("savepoint: %w", err))
			return
		}
		audits := len(tx.audits)
		if errs[i] = r.fn(tx, 0); errs[i] != nil {
			if _, err := tx.Exec(`ROLLBACK TO SAVEPOINT registration`); err != nil {
				fail(fmt.Errorf("rollback to savepoint: %w", err))
				return
			}
			tx.audits = tx.audits[:audits] // its entries went with it
		}
	}
	if err := tx.Commit(); err != nil {
		fail(fmt.Errorf("commit: %w", err))
		return
	}
	for i, r := range group {
		r.done <- errs[i]
	}
}
