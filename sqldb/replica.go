package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"partyworks"
)

// Read replicas (PostgreSQL only; SQLite never has one).
//
// With Options.Replica, the reads of a request that carries a
// partyworks.ReadScope (web gives one to authenticated GETs, after the
// session and rights were read on the primary) may go to a streaming
// replica. Everything else reads the primary: logins, sessions and tokens
// (a logout or a disabled account must count at once), writes and the
// reads inside them, commands and jobs.
//
// Read your own writes, by pins rather than by time or LSN: every write
// transaction bumps its writers' rows in read_pins, in the transaction
// itself, so the pin becomes visible on the replica atomically with the
// writes. A scope reads the replica only if the replica's pin of its actor
// equals the primary's: then every write of the actor committed before the
// request began has been replayed. This is exact, unlike "the primary for N
// seconds after a write" (wrong whenever the lag exceeds N), and needs no
// LSN taken after the commit (the commit record's LSN is not known inside
// the transaction, and storing it afterwards would be a second commit). It
// holds across app nodes because the pin is in the database. Its costs:
// one upsert per write transaction, which also serializes the commits of
// one user's concurrent transactions on that user's row; and two point
// reads (primary, replica) on a scope's first read.
//
// Bounded staleness for everyone else: a prober compares the primary's WAL
// position with the replica's replay position every ProbeInterval; a
// replica that does not answer, is no longer a standby, or is more than
// MaxLag behind is not used until it recovers, and reads fall back to the
// primary (logged once per change, counted in ReplicaStats).

// ReplicaStats counts where the reads of scopes went.
type ReplicaStats struct {
	Replica   int64 // scopes served by the replica
	Pinned    int64 // scopes sent to the primary: the replica lacked their actor's writes
	Fallback  int64 // scopes sent to the primary: the replica was down or lagging
	Retried   int64 // reads that failed on the replica and were rerun on the primary
	Usable    bool  // the replica's state at the last probe
	Lag       time.Duration
	LastError string
}

type replica struct {
	pool     *sql.DB
	maxLag   time.Duration
	interval time.Duration
	log      *slog.Logger
	stop     context.CancelFunc
	done     chan struct{}

	mu      sync.Mutex
	samples []walSample // the primary's WAL positions not yet replayed, oldest first
	usable  bool
	known   bool // a probe has set usable
	lag     time.Duration
	lastErr string

	reads, pinned, fallbacks, retried atomic.Int64
}

type walSample struct {
	at  time.Time
	lsn int64
}

const (
	replicaCheckTimeout  = time.Second     // a probe or a pin check; then the primary
	replicaDialTimeout   = 2 * time.Second // connect_timeout unless the URL says
	defaultMaxReplicaLag = 30 * time.Second
)

// openReplica opens the replica's pool and probes it once, so that the
// first requests already know whether to use it. A replica that is down is
// not an error: reads fall back to the primary until it answers.
func (db *DB) openReplica(ctx context.Context, opts Options) error {
	if db.dialect != postgres || !isPostgres(opts.Replica) {
		return fmt.Errorf("a read replica needs PostgreSQL for both the database and the replica")
	}
	pool, err := sql.Open("pgx", withDefaultParam(opts.Replica, "connect_timeout", fmt.Sprint(int(replicaDialTimeout/time.Second))))
	if err != nil {
		return fmt.Errorf("replica: %w", err)
	}
	pool.SetMaxOpenConns(20)
	pool.SetMaxIdleConns(20)
	r := &replica{pool: pool, maxLag: opts.MaxReplicaLag, interval: opts.ReplicaProbeInterval, log: opts.Log, done: make(chan struct{})}
	if r.maxLag <= 0 {
		r.maxLag = defaultMaxReplicaLag
	}
	if r.interval <= 0 {
		r.interval = time.Second
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	r.probe(ctx, db.write)
	pctx, cancel := context.WithCancel(context.Background())
	r.stop = cancel
	go r.run(pctx, db.write)
	db.replica = r
	return nil
}

func (r *replica) close() error {
	r.stop()
	<-r.done
	return r.pool.Close()
}

func (r *replica) run(ctx context.Context, primary *sql.DB) {
	defer close(r.done)
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.probe(ctx, primary)
		}
	}
}

// probe samples the primary's WAL position and the replica's replay
// position. The replica is as stale as the oldest sample it has not
// replayed: whatever was committed before that moment may be missing.
func (r *replica) probe(ctx context.Context, primary *sql.DB) {
	ctx, cancel := context.WithTimeout(ctx, replicaCheckTimeout)
	defer cancel()
	now := time.Now()
	var lsn int64
	if err := primary.QueryRowContext(ctx, `SELECT (pg_current_wal_lsn() - '0/0')::bigint`).Scan(&lsn); err != nil {
		return // the primary is down: nothing to compare, and every request fails anyway
	}
	var standby bool
	var replayed int64
	err := r.pool.QueryRowContext(ctx, `SELECT pg_is_in_recovery(), COALESCE((pg_last_wal_replay_lsn() - '0/0')::bigint, 0)`).Scan(&standby, &replayed)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.samples = append(r.samples, walSample{now, lsn})
	if len(r.samples) > 4096 { // down for an hour: keep the newest
		r.samples = slices.Delete(r.samples, 0, len(r.samples)-4096)
	}
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return // closing
	case err != nil:
		r.setLocked(false, "unreachable: "+err.Error())
	case !standby:
		r.setLocked(false, "not a standby (promoted?): its data diverges from the primary's")
	default:
		i := 0
		for i < len(r.samples) && r.samples[i].lsn <= replayed {
			i++
		}
		r.samples = r.samples[i:]
		r.lag = 0
		if len(r.samples) > 0 {
			r.lag = now.Sub(r.samples[0].at)
		}
		if r.lag > r.maxLag {
			r.setLocked(false, fmt.Sprintf("lagging %s behind the primary (bound %s)", r.lag.Round(time.Second), r.maxLag))
		} else {
			r.setLocked(true, "")
		}
	}
}

// setLocked changes the state, logging when the replica comes into use
// or goes out of it (not at every probe of a lagging replica).
func (r *replica) setLocked(usable bool, why string) {
	if usable != r.usable || !r.known {
		if usable {
			r.log.Info("read replica in use", "lag", r.lag)
		} else {
			r.log.Warn("read replica not used: reads go to the primary", "why", why)
		}
	}
	r.usable, r.lastErr, r.known = usable, why, true
}

func (r *replica) isUsable() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.usable
}

// failed takes the replica out of use after a read failed on it; the next
// probe that succeeds puts it back.
func (r *replica) failed(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.setLocked(false, "a read failed: "+err.Error())
}

// pinQuery is the one pin read, on either side.
const pinQuery = `SELECT seq FROM read_pins WHERE user_id = $1`

// fresh decides a scope: the replica if it is in use and holds every
// write of the actor that the primary holds.
func (r *replica) fresh(ctx context.Context, primary *sql.DB) bool {
	if !r.isUsable() {
		r.fallbacks.Add(1)
		return false
	}
	if uid := partyworks.ActorFrom(ctx).UserID; uid != 0 {
		want, err := readPin(ctx, primary, uid)
		if err != nil {
			r.fallbacks.Add(1) // the primary's error will show on the read itself
			return false
		}
		if want > 0 {
			cctx, cancel := context.WithTimeout(ctx, replicaCheckTimeout)
			have, err := readPin(cctx, r.pool, uid)
			cancel()
			if err != nil {
				r.failed(err)
				r.fallbacks.Add(1)
				return false
			}
			if have < want {
				r.pinned.Add(1)
				return false
			}
		}
	}
	r.reads.Add(1)
	return true
}

func readPin(ctx context.Context, pool *sql.DB, userID int64) (int64, error) {
	var seq int64
	err := pool.QueryRowContext(ctx, pinQuery, userID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return seq, err
}

// readPool is the pool for a read in ctx: the replica or the primary.
func (db *DB) readPool(ctx context.Context) *sql.DB {
	if partyworks.ReadScopeFrom(ctx).UseReplica(func() bool { return db.replica.fresh(ctx, db.read) }) {
		return db.replica.pool
	}
	return db.read
}

// replicaQuery is query with a replica: a read that fails on the replica
// (it went down after the scope was decided) is rerun on the primary, so
// the request still succeeds.
func (db *DB) replicaQuery(ctx context.Context, query string, args []any) (*sql.Rows, error) {
	pool := db.readPool(ctx)
	rows, err := pool.QueryContext(ctx, query, args...)
	if err != nil && pool != db.read && ctx.Err() == nil {
		db.replicaFailed(ctx, err)
		return db.read.QueryContext(ctx, query, args...)
	}
	return rows, err
}

// replicaQueryRow is queryRow with a replica, rerun on the primary likewise.
func (db *DB) replicaQueryRow(ctx context.Context, query string, args []any) *sql.Row {
	pool := db.readPool(ctx)
	row := pool.QueryRowContext(ctx, query, args...)
	if err := row.Err(); err != nil && pool != db.read && ctx.Err() == nil {
		db.replicaFailed(ctx, err)
		return db.read.QueryRowContext(ctx, query, args...)
	}
	return row
}

func (db *DB) replicaFailed(ctx context.Context, err error) {
	db.replica.retried.Add(1)
	db.replica.failed(err)
	partyworks.ReadScopeFrom(ctx).Wrote() // the rest of the request reads the primary
}

// noteWriter remembers the transaction's actor (a numbering group carries
// several), whose pin the commit bumps, and its read scope.
func (tx *Tx) noteWriter() {
	id := tx.actor.UserID
	if tx.db.replica == nil || id == 0 || (len(tx.writers) > 0 && tx.writers[len(tx.writers)-1] == id) {
		return
	}
	if !slices.Contains(tx.writers, id) {
		tx.writers = append(tx.writers, id)
	}
	if s := partyworks.ReadScopeFrom(tx.ctx); s != nil && !slices.Contains(tx.scopes, s) {
		tx.scopes = append(tx.scopes, s)
	}
}

// commitPinned bumps the writers' pins, in ascending order so that two
// transactions never wait on each other's pins, commits, and sends the
// writers' scopes to the primary for the rest of their requests.
func (tx *Tx) commitPinned() error {
	if len(tx.writers) > 0 {
		ids := slices.Clone(tx.writers)
		slices.Sort(ids)
		values := make([]string, len(ids))
		args := make([]any, len(ids))
		for i, id := range ids {
			values[i], args[i] = fmt.Sprintf("($%d, 1)", i+1), id
		}
		if _, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO read_pins (user_id, seq) VALUES `+strings.Join(values, ", ")+
			` ON CONFLICT (user_id) DO UPDATE SET seq = read_pins.seq + 1`, args...); err != nil {
			return fmt.Errorf("read pin: %w", err)
		}
	}
	err := tx.tx.Commit()
	for _, s := range tx.scopes {
		s.Wrote() // even if the commit failed: it may have been durable
	}
	return err
}

// ReplicaStats reports where scopes' reads went; zero without a replica.
func (db *DB) ReplicaStats() ReplicaStats {
	r := db.replica
	if r == nil {
		return ReplicaStats{}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return ReplicaStats{Replica: r.reads.Load(), Pinned: r.pinned.Load(), Fallback: r.fallbacks.Load(), Retried: r.retried.Load(),
		Usable: r.usable, Lag: r.lag, LastError: r.lastErr}
}

// HasReplica reports whether a read replica was configured.
func (db *DB) HasReplica() bool { return db.replica != nil }

// WaitReplica waits until the replica has replayed everything committed on
// the primary before the call (tests; a deployment that must not read
// stale data right after a bulk load).
func (db *DB) WaitReplica(ctx context.Context) error {
	if db.replica == nil {
		return nil
	}
	var lsn int64
	if err := db.write.QueryRowContext(ctx, `SELECT (pg_current_wal_lsn() - '0/0')::bigint`).Scan(&lsn); err != nil {
		return err
	}
	for {
		var replayed int64
		err := db.replica.pool.QueryRowContext(ctx, `SELECT COALESCE((pg_last_wal_replay_lsn() - '0/0')::bigint, 0)`).Scan(&replayed)
		if err == nil && replayed >= lsn {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for the replica: %w (last error: %v)", ctx.Err(), err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// withDefaultParam adds a query parameter to a postgres:// URL that does
// not set it.
func withDefaultParam(dsn, key, value string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Query().Has(key) {
		return dsn
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}
