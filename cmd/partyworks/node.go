package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"partyworks"
	"partyworks/sqldb"
)

// appNode is this serve process, one of the app nodes that may share a
// PostgreSQL database: its name in job_runs and on the status page, when it
// started, and its job counters for /metrics.
type appNode struct {
	id      string
	started time.Time
	jobs    *prometheus.CounterVec
}

var (
	nodeOnce sync.Once
	node     *appNode
)

// thisNode is the process's node: host:pid names it uniquely among the
// nodes (on one host by pid, across hosts or containers by host name).
func thisNode() *appNode {
	nodeOnce.Do(func() {
		host, err := os.Hostname()
		if err != nil || host == "" {
			host = "localhost"
		}
		node = &appNode{id: fmt.Sprintf("%s:%d", host, os.Getpid()), started: time.Now(),
			jobs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "partyworks_job_runs_total",
				Help: "Scheduled job slots seen by this node, by job and result: ok, failed, or skipped (another node had the slot)."},
				[]string{"job", "result"})}
	})
	return node
}

// runJob runs a job for the current hour's slot unless another node has
// claimed it, and counts and logs what happened.
func (n *appNode) runJob(ctx context.Context, log *slog.Logger, db *sqldb.DB, name string, fn func(context.Context) (string, error)) {
	slot := sqldb.HourSlot(db.Now())
	ran, err := db.RunJob(ctx, name, slot, n.id, fn)
	switch {
	case err != nil && ctx.Err() != nil:
		return // shutting down
	case err != nil:
		n.jobs.WithLabelValues(name, "failed").Inc()
		log.Error("job failed", "job", name, "slot", slot, "err", err)
	case ran:
		n.jobs.WithLabelValues(name, "ok").Inc()
	default:
		n.jobs.WithLabelValues(name, "skipped").Inc()
		log.Info("job skipped: another node has the slot", "job", name, "slot", slot)
	}
}

// status reports the system for the status page: the database's side
// from db, the program's version and this node's identity and uptime.
func (n *appNode) status(db *sqldb.DB) func(context.Context) (*partyworks.SystemStatus, error) {
	return func(ctx context.Context) (*partyworks.SystemStatus, error) {
		st, err := db.Status(ctx)
		if err != nil {
			return nil, err
		}
		st.Version, st.Node, st.Started = version, n.id, n.started
		st.UptimeSeconds = int64(time.Since(n.started).Seconds())
		return st, nil
	}
}
