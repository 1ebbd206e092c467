package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"partyworks/sqldb"
)

// openServeDB opens the database for serve, with its read replica when
// --db-replica (PARTYWORKS_DB_REPLICA) names one: authenticated GETs may
// then read the replica (sqldb/replica.go says when they do).
func openServeDB(ctx context.Context, log *slog.Logger, cfg serveConfig) (*sqldb.DB, error) {
	if cfg.DBReplica == "" {
		return openDB(ctx, cfg.DB)
	}
	db, err := sqldb.OpenWith(ctx, cfg.DB, sqldb.Options{Replica: cfg.DBReplica, MaxReplicaLag: cfg.ReplicaMaxLag, Log: log})
	if err != nil {
		return nil, fmt.Errorf("open database %s with replica %s: %w", redact(cfg.DB), redact(cfg.DBReplica), err)
	}
	log.Info("read replica", "replica", redact(cfg.DBReplica), "usable", db.ReplicaStats().Usable, "max_lag", cfg.ReplicaMaxLag)
	return db, nil
}

// replicaMetrics are the read replica's counters for /metrics: where the
// requests' reads went, reads rerun on the primary, whether the replica is
// in use and how far behind it is. None without a replica.
func replicaMetrics(db *sqldb.DB) []prometheus.Collector {
	if !db.HasReplica() {
		return nil
	}
	reads := func(to string, n func(sqldb.ReplicaStats) int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "partyworks_replica_requests_total",
			Help:        "Requests whose reads could go to the read replica, by where they went: replica, primary_pinned (the replica lacked the caller's writes), primary_fallback (the replica was down or lagging).",
			ConstLabels: prometheus.Labels{"to": to}},
			func() float64 { return float64(n(db.ReplicaStats())) })
	}
	return []prometheus.Collector{
		reads("replica", func(s sqldb.ReplicaStats) int64 { return s.Replica }),
		reads("primary_pinned", func(s sqldb.ReplicaStats) int64 { return s.Pinned }),
		reads("primary_fallback", func(s sqldb.ReplicaStats) int64 { return s.Fallback }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "partyworks_replica_retried_total", Help: "Reads that failed on the replica and were rerun on the primary."},
			func() float64 { return float64(db.ReplicaStats().Retried) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "partyworks_replica_usable", Help: "1 if the read replica is in use, 0 if reads fall back to the primary."},
			func() float64 {
				if db.ReplicaStats().Usable {
					return 1
				}
				return 0
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "partyworks_replica_lag_seconds", Help: "How far the read replica was behind the primary at the last probe (1 s resolution)."},
			func() float64 { return db.ReplicaStats().Lag.Seconds() }),
	}
}
