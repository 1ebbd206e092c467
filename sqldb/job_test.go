package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

// TestRunJobOncePerSlot: nodes racing for one slot run the job once; the
// next slot runs again; a failure is recorded as failed with its error.
func TestRunJobOncePerSlot(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		var runs atomic.Int32
		job := func(context.Context) (string, error) {
			runs.Add(1)
			time.Sleep(20 * time.Millisecond) // long enough for the others to arrive while it runs
			return "3 reminders", nil
		}
		slot := sqldb.HourSlot(time.Date(2026, 11, 29, 19, 42, 0, 0, time.UTC))
		if slot != "2026-11-29T19" {
			t.Fatalf("slot %q", slot)
		}
		var wg sync.WaitGroup
		var ran atomic.Int32
		errs := make(chan error, 8)
		for i := range 8 {
			wg.Go(func() {
				ok, err := db.RunJob(ctx, "task.remind", slot, fmt.Sprintf("node-%d", i), job)
				if err != nil {
					errs <- err
				}
				if ok {
					ran.Add(1)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if runs.Load() != 1 || ran.Load() != 1 {
			t.Fatalf("the job ran %d times (%d nodes say they ran it), want once", runs.Load(), ran.Load())
		}
		// Again in the same slot: skipped. In the next: runs.
		if ok, err := db.RunJob(ctx, "task.remind", slot, "late", job); ok || err != nil {
			t.Fatalf("same slot again: ran=%v %v", ok, err)
		}
		if ok, err := db.RunJob(ctx, "task.remind", "2026-11-29T20", "late", job); !ok || err != nil {
			t.Fatalf("next slot: ran=%v %v", ok, err)
		}
		// A node that died mid-run: its slot is taken over once the run is
		// older than the lease, not before.
		now := time.Now().UTC()
		for _, r := range []struct {
			slot    string
			started time.Time
		}{{"2026-11-29T05", now.Add(-sqldb.JobLease - time.Minute)}, {"2026-11-29T06", now.Add(-time.Minute)}} {
			if err := db.ExecRaw(ctx, `INSERT INTO job_runs (name, slot, node, started_at, status) VALUES ('task.remind', '`+r.slot+`', 'dead:1', '`+
				r.started.Format("2006-01-02T15:04:05.000000Z")+`', 'running')`); err != nil {
				t.Fatal(err)
			}
		}
		for slot, want := range map[string]bool{"2026-11-29T05": true, "2026-11-29T06": false, "2026-11-29T04": false} {
			if stuck, err := db.JobStuck(ctx, "task.remind", slot); stuck != want || err != nil {
				t.Errorf("slot %s stuck: %v %v, want %v", slot, stuck, err, want)
			}
		}
		if ok, err := db.RunJob(ctx, "task.remind", "2026-11-29T05", "heir", job); !ok || err != nil {
			t.Fatalf("a run stuck past the lease was not taken over: ran=%v %v", ok, err)
		}
		if ok, err := db.RunJob(ctx, "task.remind", "2026-11-29T06", "heir", job); ok || err != nil {
			t.Fatalf("a run within its lease was taken over: ran=%v %v", ok, err)
		}
		runs5, err := db.RecentJobRuns(ctx, 20)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range runs5 {
			switch j.Slot {
			case "2026-11-29T05":
				if j.Node != "heir" || j.Status != partyworks.JobOK || !strings.HasPrefix(j.Detail, "taken over from dead:1") || !strings.HasSuffix(j.Detail, "; 3 reminders") {
					t.Errorf("the run taken over: %+v", j)
				}
			case "2026-11-29T06":
				if j.Node != "dead:1" || j.Status != partyworks.JobRunning {
					t.Errorf("the run within its lease: %+v", j)
				}
			}
		}
		if err := db.ExecRaw(ctx, `DELETE FROM job_runs WHERE slot IN ('2026-11-29T05', '2026-11-29T06')`); err != nil {
			t.Fatal(err)
		}
		// Another job's slot is its own.
		boom := errors.New("smtp: connection refused")
		if ok, err := db.RunJob(ctx, "mail", slot, "node-x", func(context.Context) (string, error) { return "", boom }); !ok || !errors.Is(err, boom) {
			t.Fatalf("failing job: ran=%v %v", ok, err)
		}
		list, err := db.RecentJobRuns(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 3 {
			t.Fatalf("%d runs recorded: %+v", len(list), list)
		}
		bySlot := map[string]partyworks.JobRun{}
		for _, j := range list {
			bySlot[j.Name+" "+j.Slot] = j
		}
		first := bySlot["task.remind 2026-11-29T19"]
		if first.Status != partyworks.JobOK || first.Detail != "3 reminders" || first.Finished == nil || first.Node == "late" || first.Started.IsZero() {
			t.Errorf("first run: %+v", first)
		}
		if f := bySlot["mail 2026-11-29T19"]; f.Status != partyworks.JobFailed || f.Detail != boom.Error() || f.Node != "node-x" {
			t.Errorf("failed run: %+v", f)
		}
		if n := bySlot["task.remind 2026-11-29T20"]; n.Node != "late" || n.Status != partyworks.JobOK {
			t.Errorf("next slot's run: %+v", n)
		}
	})
}

// TestStatus: the status page's numbers come from the database itself.
func TestDBStatus(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		units := sqldb.NewUnitService(db)
		if _, err := units.ImportUnits(ctx, partyworks.UnitImport{Effective: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Rows: []partyworks.UnitRow{
			{Line: 2, Code: "22", Name: "Tỉnh ủy Quảng Ninh", Kind: partyworks.KindProvince},
			{Line: 3, Code: "06688", Name: "Đảng ủy phường Hạ Long", Kind: partyworks.KindWard, ParentCode: "22"}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RunJob(ctx, "task.remind", "2026-11-29T19", "n1", func(context.Context) (string, error) { return "", nil }); err != nil {
			t.Fatal(err)
		}
		st, err := db.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[bool]string{true: "postgres", false: "sqlite"}[db.Postgres()]
		if st.Database != want || st.DatabaseVersion == "" || st.DatabaseBytes <= 0 {
			t.Errorf("database %q %q %d bytes", st.Database, st.DatabaseVersion, st.DatabaseBytes)
		}
		jobs := false
		for _, m := range st.Migrations {
			jobs = jobs || m.Version == "0008_jobs"
		}
		if !jobs || len(st.Migrations) != st.MigrationsKnown || st.Migrations[0].Applied.IsZero() {
			t.Errorf("migrations: %d known, applied %+v", st.MigrationsKnown, st.Migrations)
		}
		rows := map[string]partyworks.TableStat{}
		for _, tb := range st.Tables {
			rows[tb.Name] = tb
		}
		if rows["units"].Rows != 2 || rows["unit_versions"].Rows != 2 || rows["members"].Rows != 0 || rows["audit_log"].Rows == 0 {
			t.Errorf("tables: %+v", st.Tables)
		}
		if db.Postgres() && rows["units"].Bytes <= 0 {
			t.Errorf("postgres table sizes: %+v", rows["units"])
		}
		if len(st.Jobs) != 1 || st.Jobs[0].Node != "n1" {
			t.Errorf("jobs: %+v", st.Jobs)
		}
	})
}
