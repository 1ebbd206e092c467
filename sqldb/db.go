// Package sqldb implements the domain services on database/sql, for SQLite
// (the embedded default) and PostgreSQL (large deployments). One SQL text
// serves both wherever the SQL is portable; dialect.go holds the rest.
package sqldb

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"partyworks"
)

//go:embed migrations
var migrations embed.FS

// DB is the database: a pool of readers and, on SQLite, one writer
// connection so that writes queue instead of failing with "database is
// locked".
type DB struct {
	read    *sql.DB
	write   *sql.DB
	dialect dialect
	DSN     string
	replica *replica // a streaming replica for reads that may be stale (replica.go), or nil
	// tries is how often updateRetrying runs a transaction chosen to
	// break a deadlock (0: three times; tests set 1 to see the deadlock).
	tries int

	// Now is the clock; tests replace it.
	Now func() time.Time

	rebound sync.Map // query text → the dialect's placeholders

	foldHooksMu sync.Mutex
	foldHooks   []FoldHook
	moveHooks   []MoveHook
}

// Open opens the database named by dsn: a file path (SQLite) or a
// postgres:// URL, and applies pending migrations.
func Open(ctx context.Context, dsn string) (*DB, error) {
	return OpenWith(ctx, dsn, Options{})
}

// Options adjust how a database is opened.
type Options struct {
	// SQLiteDriver names the database/sql driver for SQLite files:
	// mattn/go-sqlite3 with a memory map (sqliteDriver) by default;
	// fault-injection tests wrap "sqlite3".
	SQLiteDriver string

	// Replica is a postgres:// URL of a streaming replica of a PostgreSQL
	// database, for the reads of partyworks.ReadScope contexts
	// (replica.go). MaxReplicaLag (default 30 s) is how far behind it may
	// be and still be read; ReplicaProbeInterval (default 1 s) how often
	// that is checked. Log receives its changes of state.
	Replica              string
	MaxReplicaLag        time.Duration
	ReplicaProbeInterval time.Duration
	Log                  *slog.Logger
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dsn string, opts Options) (*DB, error) {
	db := &DB{DSN: dsn, Now: time.Now}
	db.storeHooks()
	var err error
	if isPostgres(dsn) {
		db.dialect = postgres
		db.read, db.write, err = openPostgres(dsn)
	} else {
		if opts.SQLiteDriver == "" {
			opts.SQLiteDriver = sqliteDriver
		}
		db.dialect = sqlite
		if sqliteConfigured > 0 { // SQLite had started before this package's variables
			slog.Warn("sqlite: its memory statistics stay on (sqlite3_config)", "code", sqliteConfigured)
		}
		db.read, db.write, err = openSQLite(opts.SQLiteDriver, dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if opts.Replica != "" {
		if err := db.openReplica(ctx, opts); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// Close closes the pools.
func (db *DB) Close() error {
	err := db.read.Close()
	if db.replica != nil {
		db.replica.close()
	}
	if db.write != db.read {
		if err2 := db.write.Close(); err == nil {
			err = err2
		}
	}
	return err
}

// Postgres reports whether the database is PostgreSQL.
func (db *DB) Postgres() bool { return db.dialect == postgres }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Migrate applies the embedded migrations not yet applied, each in its
// own transaction, and returns once the schema is current.
func (db *DB) Migrate(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	dir := "migrations/" + db.dialect.name()
	names, err := fs.Glob(migrations, dir+"/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		version := strings.TrimSuffix(name[len(dir)+1:], ".sql")
		if err := db.migrateOne(ctx, version); err != nil {
			return fmt.Errorf("migrate %s: %w", version, err)
		}
	}
	return nil
}

// goMigrations are the parts of migrations that SQL cannot write: run
// after the version's SQL, in its transaction.
var goMigrations = map[string]func(tx *Tx) error{
	"0014_fold_eth":         refoldDocuments,
	"0024_member_sort_keys": rekeyMembers,
}

// preMigrations are the parts of SQLite migrations too large for one
// transaction: run before the version's transaction, in transactions of
// their own. The version is recorded by its transaction, after them: a
// part cut short runs again, whole, at the next start.
var preMigrations = map[string]func(ctx context.Context, db *DB) error{
	"0024_member_sort_keys": rekeyMembersInParts,
}

// runMigration runs a migration's SQL and its Go step (if any) in tx.
func (db *DB) runMigration(ctx context.Context, tx *sql.Tx, version string) error {
	body, err := migrations.ReadFile("migrations/" + db.dialect.name() + "/" + version + ".sql")
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if step := goMigrations[version]; step != nil {
		return step(&Tx{tx: tx, db: db, ctx: ctx, now: db.Now()})
	}
	return nil
}

func (db *DB) migrateOne(ctx context.Context, version string) error {
	if pre := preMigrations[version]; pre != nil && db.dialect != postgres {
		var n int
		if err := db.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			if err := pre(ctx, db); err != nil {
				return err
			}
		}
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if db.dialect == postgres {
		// Several app nodes may start at once: one migrates, the others wait.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7311)`); err != nil {
			return err
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), version).Scan(&n); err != nil {
		return err
	} else if n > 0 {
		return nil
	}
	if err := db.runMigration(ctx, tx, version); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`), version, db.Now().UTC().Format(time.RFC3339)); err != nil {
		return err
	}
	return tx.Commit()
}

// Tx is a write transaction. It carries the moment it began, so every row
// it writes shares one timestamp, and the actor for the audit trail.
type Tx struct {
	tx    *sql.Tx
	conn  *sql.Conn // PostgreSQL bulk loads: the connection, for COPY (see updateConn)
	db    *DB
	ctx   context.Context
	now   time.Time
	actor partyworks.Actor

	skipCodeCheck bool                     // a plan has checked codes for the whole day
	treeLock      int                      // PostgreSQL: the tree's lock held, 1 shared, 2 exclusive (lockTree)
	group         *groupWrites             // a numbering group's deferred writes (document_group.go)
	audits        []*partyworks.AuditEntry // written at the commit (audit.go)

	// With a replica: the users who wrote in it, whose read pins the
	// commit bumps, and their requests' read scopes (replica.go).
	writers []int64
	scopes  []*partyworks.ReadScope

	// The plan being applied, if any, for the fold hooks.
	plan    *partyworks.Plan
	preview *partyworks.PlanPreview
}

// BeginTx starts a write transaction (BEGIN IMMEDIATE on SQLite).
func (db *DB) BeginTx(ctx context.Context) (*Tx, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return db.newTx(ctx, tx, nil), nil
}

// newTx wraps a begun transaction (on conn, when it has one of its own).
func (db *DB) newTx(ctx context.Context, tx *sql.Tx, conn *sql.Conn) *Tx {
	return &Tx{tx: tx, conn: conn, db: db, ctx: ctx, now: db.Now().UTC().Truncate(time.Microsecond), actor: partyworks.ActorFrom(ctx)}
}

// run runs fn in tx and commits if fn succeeds; otherwise rolls back.
func (tx *Tx) run(fn func(tx *Tx) error) error {
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// analyze refreshes PostgreSQL's statistics of the tree after a bulk
// change (an import, a restructuring), so that the next queries are not
// planned on the empty tables' numbers; SQLite plans without them.
func (db *DB) analyze(ctx context.Context) {
	if db.dialect == postgres {
		db.write.ExecContext(ctx, `ANALYZE units, unit_versions, unit_event_units`)
	}
}

// lockTree serializes the transactions that change the organization tree.
// On SQLite the single writer already does; on PostgreSQL, where several
// app nodes write at once, a transaction-scoped advisory lock does, so that
// two changes cannot both pass the checks (date order, codes, versions)
// before either writes. The transactions that write a member's province
// take the same lock shared (lockTreeShared, member_top.go).
func (tx *Tx) lockTree() error { return tx.takeTreeLock(2) }

// takeTreeLock takes the tree's lock on PostgreSQL, shared (1) or
// exclusive (2), once a transaction, until it ends.
// schemaKey is the second key of the advisory locks that guard an
// installation's data (the tree's, 7312; the hand-over's, 7313): its
// schema. PostgreSQL's advisory locks hold across a whole database, so
// two installations in two schemas of one database (or two tests) would
// otherwise wait for each other.
const schemaKey = `hashtext(coalesce(current_schema(), ''))`

func (tx *Tx) takeTreeLock(mode int) error {
	if tx.db.dialect != postgres || tx.treeLock >= mode {
		return nil
	}
	q := `SELECT pg_advisory_xact_lock_shared(7312, ` + schemaKey + `)`
	if mode == 2 {
		q = `SELECT pg_advisory_xact_lock(7312, ` + schemaKey + `)`
	}
	if _, err := tx.Exec(q); err != nil {
		return fmt.Errorf("the tree's lock: %w", err)
	}
	tx.treeLock = mode
	return nil
}

// Commit commits the transaction; with a replica, it bumps the writers'
// read pins first (replica.go).
func (tx *Tx) Commit() error {
	if err := tx.flushAudit(); err != nil {
		return err
	}
	var err error
	if tx.db.replica != nil {
		err = tx.commitPinned()
	} else {
		err = tx.tx.Commit()
	}
	if tx.conn != nil {
		tx.conn.Close()
	}
	return err
}

// Rollback rolls the transaction back; after Commit it does nothing.
func (tx *Tx) Rollback() error {
	err := tx.tx.Rollback()
	if tx.conn != nil {
		tx.conn.Close()
	}
	return err
}

// updateConn is update on a connection of its own, so that on PostgreSQL
// the transaction can also COPY rows in (Tx.copyFrom); on SQLite it is
// update.
func (db *DB) updateConn(ctx context.Context, fn func(tx *Tx) error) error {
	if db.dialect != postgres {
		return db.update(ctx, fn)
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	t, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return fmt.Errorf("begin: %w", err)
	}
	return db.newTx(ctx, t, conn).run(fn)
}

// Exec runs a statement written with ? placeholders.
func (tx *Tx) Exec(query string, args ...any) (sql.Result, error) {
	tx.noteWriter()
	return tx.tx.ExecContext(tx.ctx, tx.db.rebind(query), args...)
}

// Query runs a query written with ? placeholders.
func (tx *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	tx.noteWriter()
	return tx.tx.QueryContext(tx.ctx, tx.db.rebind(query), args...)
}

// QueryRow runs a one-row query written with ? placeholders.
func (tx *Tx) QueryRow(query string, args ...any) *sql.Row {
	tx.noteWriter()
	return tx.tx.QueryRowContext(tx.ctx, tx.db.rebind(query), args...)
}

// Prepare prepares a statement for a bulk load.
func (tx *Tx) Prepare(query string) (*sql.Stmt, error) {
	tx.noteWriter()
	return tx.tx.PrepareContext(tx.ctx, tx.db.rebind(query))
}

// InsertID runs an INSERT … RETURNING id and returns the id.
func (tx *Tx) InsertID(query string, args ...any) (int64, error) {
	var id int64
	err := tx.QueryRow(query+" RETURNING id", args...).Scan(&id)
	return id, err
}

// query runs a read on the reader pool (or the replica: replica.go).
func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	args = db.planMode(ctx, args)
	if db.replica != nil {
		return db.replicaQuery(ctx, db.rebind(query), args)
	}
	return db.read.QueryContext(ctx, db.rebind(query), args...)
}

// queryRow runs a one-row read on the reader pool.
func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	args = db.planMode(ctx, args)
	if db.replica != nil {
		return db.replicaQueryRow(ctx, db.rebind(query), args)
	}
	return db.read.QueryRowContext(ctx, db.rebind(query), args...)
}

type planEachKey struct{}

// planEach marks the reads of ctx as planned each time with their values
// on PostgreSQL. Its statements are otherwise prepared once per connection
// and, after five runs, planned once for any values: a plan fit for a
// province walking its members (members_top) then serves every province
// and name, and one that read a few units first served "Trần" across a
// province (130 ms for 50 of them, against 11 ms planned with the values).
func planEach(ctx context.Context) context.Context {
	return context.WithValue(ctx, planEachKey{}, true)
}

// planOnce undoes planEach for the reads of ctx: those with one plan for
// any values (a seek, a bounded range of members_top) keep their cached
// plans.
func planOnce(ctx context.Context) context.Context { return context.WithValue(ctx, planEachKey{}, nil) }

// planMode puts pgx's mode of execution before args for the reads
// planEach marked: the statement described once, then run unnamed, which
// PostgreSQL plans with the values bound.
func (db *DB) planMode(ctx context.Context, args []any) []any {
	if db.dialect != postgres || ctx.Value(planEachKey{}) == nil {
		return args
	}
	return append([]any{pgx.QueryExecModeCacheDescribe}, args...)
}

// queryFn is db.query bound to ctx, for helpers that take a query
// function (queryIn, memberPeriods).
func (db *DB) queryFn(ctx context.Context) func(q string, args ...any) (*sql.Rows, error) {
	return func(q string, args ...any) (*sql.Rows, error) { return db.query(ctx, q, args...) }
}

// collect scans every row with scan and closes the rows.
func collect[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// marks is n placeholders, "?, ?, …", for an IN list.
func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// queryIn runs q, whose "IN ({ids})" takes ids, 500 ids a query (well
// under SQLite's limit of variables), with args after the ids, and scans
// every row with scan.
func queryIn(query func(q string, args ...any) (*sql.Rows, error), q string, ids, args []any, scan func(scanner) error) error {
	for len(ids) > 0 {
		part := ids[:min(len(ids), 500)]
		ids = ids[len(part):]
		rows, err := query(strings.Replace(q, "{ids}", marks(len(part)), 1), append(append([]any{}, part...), args...)...)
		if err != nil {
			return err
		}
		if _, err := collect(rows, func(s scanner) (struct{}, error) { return struct{}{}, scan(s) }); err != nil {
			return err
		}
	}
	return nil
}

// updateRetrying is update for a background job that can be run again
// from the start (fn must reset what it reports): on PostgreSQL a
// transaction chosen to break a deadlock (40P01) is run again, up to
// three times, rather than fail the job's run.
func (db *DB) updateRetrying(ctx context.Context, fn func(tx *Tx) error) error {
	tries := db.tries
	if tries <= 0 {
		tries = 3
	}
	for try := 1; ; try++ {
		err := db.update(ctx, fn)
		if err == nil || try >= tries || !strings.Contains(err.Error(), "SQLSTATE 40P01") {
			return err
		}
	}
}

// update runs fn in a write transaction and commits it if fn succeeds.
func (db *DB) update(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := db.BeginTx(ctx)
	if err != nil {
		return err
	}
	return tx.run(fn)
}

// rebind turns ? placeholders into the dialect's, caching the result.
func (db *DB) rebind(query string) string {
	if db.dialect != postgres {
		return query
	}
	if q, ok := db.rebound.Load(query); ok {
		return q.(string)
	}
	q := rebindDollar(query)
	db.rebound.Store(query, q)
	return q
}

// rebindDollar numbers the ? placeholders outside quoted text: $1, $2, …
func rebindDollar(query string) string {
	var b strings.Builder
	n, quote := 0, byte(0)
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Dates and times are text on both databases: dates as yyyy-mm-dd,
// moments as RFC 3339 in UTC with fixed-width fractions so that they sort.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

func fmtDate(d partyworks.Date) string { return partyworks.ISODate(d) }

func parseDate(s string) partyworks.Date {
	t, _ := partyworks.ParseISODate(s)
	return t
}

// ExecRaw runs a statement outside the services, for operators' commands
// and tests that must reach below them (tampering with the audit trail).
func (db *DB) ExecRaw(ctx context.Context, query string, args ...any) error {
	_, err := db.write.ExecContext(ctx, db.rebind(query), args...)
	return err
}
