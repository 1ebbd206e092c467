package sqldbtest

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"

	"partyworks/sqldb"
)

// ReplicaURL returns the streaming replica of the test server
// (PARTYWORKS_TEST_PG_REPLICA, set up by scripts/pg-replica), or skips
// (fails under CI).
func ReplicaURL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("PARTYWORKS_TEST_PG_REPLICA")
	if url == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("PARTYWORKS_TEST_PG_REPLICA is not set: under CI the replica tests must run (scripts/pg-replica)")
		}
		tb.Skip("PARTYWORKS_TEST_PG_REPLICA is not set (scripts/pg-replica sets up a replica)")
	}
	return url
}

// PostgresReplica opens a new, empty schema on the test server whose
// scoped reads go to a replica: opts.Replica, or the test replica when it
// is empty (the schema's search_path is added to either). It returns once
// the replica has replayed the schema and its migrations.
func PostgresReplica(tb testing.TB, opts sqldb.Options) *sqldb.DB {
	tb.Helper()
	url := PostgresURL(tb)
	if opts.Replica == "" {
		opts.Replica = ReplicaURL(tb)
	}
	schema := Schema(tb, "r_")
	opts.Replica = WithSearchPath(opts.Replica, schema)
	db, err := sqldb.OpenWith(context.Background(), WithSearchPath(url, schema), opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if db.ReplicaStats().Usable {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := db.WaitReplica(ctx); err != nil {
			tb.Fatal(err)
		}
	}
	return db
}

// PauseReplica pauses the test replica's replay, so that a test can see a
// replica that lacks the latest writes; the returned function (also run at
// cleanup) resumes it. Pauses are serialized across test processes by an
// advisory lock on the primary, since the replica is shared.
func PauseReplica(tb testing.TB) (resume func()) {
	tb.Helper()
	ctx := context.Background()
	primary, err := sql.Open("pgx", PostgresURL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	replica, err := sql.Open("pgx", ReplicaURL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	lock, err := primary.Conn(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := lock.ExecContext(ctx, `SELECT pg_advisory_lock(7399)`); err != nil {
		tb.Fatal(err)
	}
	if _, err := replica.ExecContext(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		tb.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var state string
		if err := replica.QueryRowContext(ctx, `SELECT pg_get_wal_replay_pause_state()`).Scan(&state); err != nil {
			tb.Fatal(err)
		}
		if state == "paused" {
			break
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the replica's replay is %s, not paused", state)
		}
	}
	done := false
	resume = func() {
		if done {
			return
		}
		done = true
		if _, err := replica.ExecContext(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
			tb.Errorf("resume the replica: %v", err)
		}
		lock.ExecContext(ctx, `SELECT pg_advisory_unlock(7399)`)
		lock.Close()
		primary.Close()
		replica.Close()
	}
	tb.Cleanup(resume)
	return resume
}
