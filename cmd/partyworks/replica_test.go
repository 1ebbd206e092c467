package main

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"partyworks/sqldb/sqldbtest"
)

// TestServeReplica: serve's --db-replica opens the database with its
// replica, and the replica's metrics register and report it in use; a
// SQLite database refuses a replica.
func TestServeReplica(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	schema := sqldbtest.Postgres(t) // a fresh, migrated schema
	u, err := url.Parse(schema.DSN)
	if err != nil {
		t.Fatal(err)
	}
	replica := sqldbtest.ReplicaURL(t) + "&search_path=" + u.Query().Get("search_path")
	db, err := openServeDB(ctx, log, serveConfig{DB: schema.DSN, DBReplica: replica, ReplicaMaxLag: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !db.HasReplica() || !db.ReplicaStats().Usable {
		t.Fatalf("replica: %v %+v", db.HasReplica(), db.ReplicaStats())
	}
	reg := prometheus.NewRegistry()
	for _, c := range replicaMetrics(db) {
		if err := reg.Register(c); err != nil {
			t.Fatal(err)
		}
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			got[f.GetName()] += m.GetGauge().GetValue() + m.GetCounter().GetValue()
		}
	}
	if got["partyworks_replica_usable"] != 1 || len(got) != 4 {
		t.Errorf("metrics: %v", got)
	}

	if _, err := openServeDB(ctx, log, serveConfig{DB: t.TempDir() + "/x.db", DBReplica: replica}); err == nil {
		t.Error("a SQLite database accepted a replica")
	}
}
