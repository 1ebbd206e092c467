package sqldb

import (
	"context"
	"fmt"
	"time"

	"partyworks"
)

// Scheduled jobs run once per slot across every app node on the database.
// A node claims a slot by inserting (name, slot) into job_runs, whose
// primary key lets only one insert in: on PostgreSQL a second concurrent
// insert waits for the first to commit and then does nothing; on SQLite the
// single writer orders them. The claim commits before the job starts, so
// a slow job never holds a lock, and the row then records how it ended.
//
// A node that dies mid-run leaves its row "running". Once that run is
// older than JobLease, the next node to ask for the slot takes it over
// and runs the job again (the nodes ask at the start of each hour and
// again at the half hour): a job must therefore be idempotent, as the
// reminders are (each notifies once per task and kind), and finish well
// within the lease.

// JobLease is how long a run may stay "running" before another node may
// take its slot over.
const JobLease = 15 * time.Minute

// HourSlot is the slot of a job run hourly: the UTC hour, "2026-11-29T19".
func HourSlot(t time.Time) string { return t.UTC().Format("2006-01-02T15") }

// RunJob runs fn if this node is the first to claim the slot of the named
// job, and records its end. ran reports whether fn ran; err is fn's error
// (the run is then recorded as failed) or the database's.
func (db *DB) RunJob(ctx context.Context, name, slot, node string, fn func(context.Context) (string, error)) (ran bool, err error) {
	if ran, err = db.claimJob(ctx, name, slot, node); err != nil || !ran {
		return ran, err
	}
	detail, err := fn(ctx)
	status := partyworks.JobOK
	if err != nil {
		status, detail = partyworks.JobFailed, err.Error()
	}
	// Record the end even when ctx ended (a shutdown mid-run), so that the
	// row does not stay "running".
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if rerr := db.update(rctx, func(tx *Tx) error {
		// A takeover's note (claimJob) stays in front of the detail.
		_, err := tx.Exec(`UPDATE job_runs SET finished_at = ?, status = ?,
			detail = CASE WHEN detail = '' THEN ? ELSE detail || '; ' || ? END WHERE name = ? AND slot = ? AND node = ?`,
			fmtTime(db.Now()), status, detail, detail, name, slot, node)
		return err
	}); rerr != nil && err == nil {
		err = fmt.Errorf("job %s %s: record the end: %w", name, slot, rerr)
	}
	return true, err
}

// claimJob inserts the slot's row, or takes over a run that has been
// "running" for longer than JobLease (its node died); it reports whether
// this node got the slot.
func (db *DB) claimJob(ctx context.Context, name, slot, node string) (bool, error) {
	var claimed bool
	err := db.update(ctx, func(tx *Tx) error {
		r, err := tx.Exec(`INSERT INTO job_runs (name, slot, node, started_at, status) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (name, slot) DO UPDATE SET node = excluded.node, started_at = excluded.started_at,
				detail = 'taken over from ' || job_runs.node || ', running since ' || job_runs.started_at
			WHERE job_runs.status = ? AND job_runs.started_at < ?`,
			name, slot, node, fmtTime(tx.now), partyworks.JobRunning, partyworks.JobRunning, fmtTime(tx.now.Add(-JobLease)))
		if err != nil {
			return err
		}
		n, err := r.RowsAffected()
		claimed = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("job %s %s: claim: %w", name, slot, err)
	}
	return claimed, nil
}

// JobStuck reports whether the slot's run has been "running" for longer
// than JobLease: its node died, and RunJob would take the slot over.
func (db *DB) JobStuck(ctx context.Context, name, slot string) (bool, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM job_runs WHERE name = ? AND slot = ? AND status = ? AND started_at < ?`,
		name, slot, partyworks.JobRunning, fmtTime(db.Now().Add(-JobLease))).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("job %s %s: %w", name, slot, err)
	}
	return n > 0, nil
}

// RecentJobRuns lists the latest runs of every job, newest first.
func (db *DB) RecentJobRuns(ctx context.Context, limit int) ([]partyworks.JobRun, error) {
	if limit <= 0 {
		limit = 20
	}
	rows, err := db.query(ctx, `SELECT name, slot, node, started_at, finished_at, status, detail FROM job_runs
		ORDER BY started_at DESC, name LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("job runs: %w", err)
	}
	return collect(rows, func(s scanner) (partyworks.JobRun, error) {
		var j partyworks.JobRun
		var started string
		var finished *string
		err := s.Scan(&j.Name, &j.Slot, &j.Node, &started, &finished, &j.Status, &j.Detail)
		j.Started = parseTime(started)
		if finished != nil {
			f := parseTime(*finished)
			j.Finished = &f
		}
		return j, err
	})
}
