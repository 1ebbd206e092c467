package sqldb_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

// asUser is a request's context for a user's reads that may be served by
// the replica (what web gives an authenticated GET).
func asUser(id int64) context.Context {
	return partyworks.WithReplicaReads(partyworks.WithActor(context.Background(), partyworks.Actor{UserID: id, Username: "u"}))
}

func inRecovery(t *testing.T, db *sqldb.DB, ctx context.Context) bool {
	t.Helper()
	var standby bool
	if err := db.ReadRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&standby); err != nil {
		t.Fatal(err)
	}
	return standby
}

func establish(t *testing.T, units *sqldb.UnitService, ctx context.Context, parent int64, code string) {
	t.Helper()
	if _, err := units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventEstablish, Effective: day("2025-01-01"), Decision: "1-QĐ/TU",
		Parent: parent, Code: code, Name: "Chi bộ " + code, Kind: partyworks.KindCell}); err != nil {
		t.Fatal(err)
	}
}

// TestReplicaReads: with replay paused, so that the replica is certainly
// behind, a writer reads their own write (from the primary), another user
// reads the replica (and does not see it yet), and once the replica has
// replayed the write the writer is back on the replica.
func TestReplicaReads(t *testing.T) {
	db := sqldbtest.PostgresReplica(t, sqldb.Options{})
	units := sqldb.NewUnitService(db)
	mustImport(t, units, "2020-01-01", [4]string{"22", "Tỉnh ủy Quảng Ninh", string(partyworks.KindProvince), ""})
	root := mustCode(t, units, "22", "2024-01-01").ID
	const writer, other = 1001, 1002
	if err := db.WaitReplica(context.Background()); err != nil {
		t.Fatal(err)
	}

	// Before any write: both users read the replica; reads without a
	// scope (sessions, commands) read the primary.
	if !inRecovery(t, db, asUser(writer)) || !inRecovery(t, db, asUser(other)) {
		t.Fatal("a scoped read was not served by the replica")
	}
	if inRecovery(t, db, partyworks.WithActor(context.Background(), partyworks.Actor{UserID: other})) {
		t.Fatal("a read without a scope was served by the replica")
	}

	resume := sqldbtest.PauseReplica(t)
	establish(t, units, asUser(writer), root, "CB1")
	before := db.ReplicaStats()

	// (i) The writer's next request sees the write: the primary serves it.
	ctx := asUser(writer)
	if _, err := units.FindUnitByCode(ctx, "CB1", day("2025-06-01")); err != nil {
		t.Fatalf("the writer does not read their own write: %v", err)
	}
	if inRecovery(t, db, ctx) {
		t.Error("the writer's request was served by a replica that lacks their write")
	}
	// (ii) Another user reads the replica, which does not have it yet.
	ctx = asUser(other)
	if _, err := units.FindUnitByCode(ctx, "CB1", day("2025-06-01")); partyworks.ErrorCode(err) != partyworks.ENOTFOUND {
		t.Errorf("another user's read: %v, want not found (the replica is paused)", err)
	}
	if !inRecovery(t, db, ctx) {
		t.Error("another user's request was not served by the replica")
	}
	after := db.ReplicaStats()
	if after.Pinned != before.Pinned+1 || after.Replica != before.Replica+1 {
		t.Errorf("stats: %+v → %+v, want one pinned and one replica scope", before, after)
	}

	// A request that writes reads the primary from then on: the other
	// user, on the replica so far, sees their own new unit at once.
	establish(t, units, ctx, root, "CB2")
	if _, err := units.FindUnitByCode(ctx, "CB2", day("2025-06-01")); err != nil {
		t.Errorf("a write in a request on the replica is not read back: %v", err)
	}

	// Once the replica has replayed, the writer reads it again.
	resume()
	if err := db.WaitReplica(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx = asUser(writer)
	if _, err := units.FindUnitByCode(ctx, "CB1", day("2025-06-01")); err != nil {
		t.Fatal(err)
	}
	if !inRecovery(t, db, ctx) {
		t.Error("the writer still reads the primary after the replica replayed their write")
	}
}

// TestReplicaUnreachable: a replica that does not answer is not used; the
// reads succeed on the primary and the fallback is counted.
func TestReplicaUnreachable(t *testing.T) {
	db := sqldbtest.PostgresReplica(t, sqldb.Options{Replica: "postgres://postgres:postgres@127.0.0.1:1/postgres?sslmode=disable"})
	if st := db.ReplicaStats(); st.Usable || st.LastError == "" {
		t.Fatalf("stats of an unreachable replica: %+v", st)
	}
	ctx := asUser(7)
	if inRecovery(t, db, ctx) {
		t.Fatal("a read went to a replica that cannot answer")
	}
	if st := db.ReplicaStats(); st.Fallback != 1 || st.Replica != 0 {
		t.Errorf("stats: %+v, want one fallback", st)
	}
}

// TestReplicaGoesDown: the replica goes away between a request's first
// read and its next (a TCP proxy in front of it is closed): the read is
// rerun on the primary and succeeds; the probe takes the replica out of
// use, and puts it back when it answers again.
func TestReplicaGoesDown(t *testing.T) {
	target, err := url.Parse(sqldbtest.ReplicaURL(t))
	if err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, target.Host)
	through := *target
	through.Host = p.addr
	db := sqldbtest.PostgresReplica(t, sqldb.Options{Replica: through.String(), ReplicaProbeInterval: 50 * time.Millisecond})
	ctx := asUser(9)
	if !inRecovery(t, db, ctx) {
		t.Fatal("the first read was not served by the replica")
	}
	p.stop()
	if inRecovery(t, db, ctx) {
		t.Fatal("a read after the replica went down was served by it")
	}
	if st := db.ReplicaStats(); st.Retried != 1 {
		t.Errorf("stats: %+v, want one read rerun on the primary", st)
	}
	waitFor(t, "the probe to take the replica out of use", func() bool { return !db.ReplicaStats().Usable })
	if inRecovery(t, db, asUser(9)) {
		t.Error("a new request used the replica while it is down")
	}
	p.start()
	waitFor(t, "the probe to put the replica back", func() bool { return db.ReplicaStats().Usable })
	if !inRecovery(t, db, asUser(9)) {
		t.Error("the replica is not used again once it answers")
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// proxy forwards TCP connections to a server; stop closes the listener
// and every connection, start listens again on the same address.
type proxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func startProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, addr: "127.0.0.1:0", target: target}
	p.start()
	t.Cleanup(p.stop)
	return p
}

func (p *proxy) start() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
}

func (p *proxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		if err := p.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "closed") {
			p.t.Log(err)
		}
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// BenchmarkReplicaCosts measures what a replica adds: the pin upsert in
// each write transaction (a token created by a user: two small inserts
// and the audit entry), and the first read of a scope (two pin reads) on
// top of a point read.
func BenchmarkReplicaCosts(b *testing.B) {
	plain := sqldbtest.Postgres(b)
	replicated := sqldbtest.PostgresReplica(b, sqldb.Options{})
	for _, c := range []struct {
		name string
		db   *sqldb.DB
	}{{"without_replica", plain}, {"with_replica", replicated}} {
		users := sqldb.NewUserService(c.db)
		u := &partyworks.User{Username: "bench", DisplayName: "Bench"}
		if err := users.CreateUser(context.Background(), u, "a long bench password"); err != nil {
			b.Fatal(err)
		}
		ctx := partyworks.WithActor(context.Background(), partyworks.Actor{UserID: u.ID, Username: "bench"})
		b.Run("write/"+c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := users.CreateToken(ctx, u.ID, "t"); err != nil {
					b.Fatal(err)
				}
			}
		})
		if err := c.db.WaitReplica(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.Run("read/"+c.name, func(b *testing.B) {
			for b.Loop() {
				// A new request each time: the scope is decided on its first read.
				if _, err := users.FindUserByID(partyworks.WithReplicaReads(ctx), u.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
