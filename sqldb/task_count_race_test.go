package sqldb_test

import (
	"context"
	"testing"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

// TestConcurrentReportsOnSiblingTasks: units report at once on their own
// tasks of one directive. Each report updates the roll-up counters of its
// unit and of every unit above it, so the reports share rows; they must
// all succeed (on PostgreSQL they once deadlocked, 40P01, because each
// transaction locked the shared rows in map order), and the counters must
// add up to the tasks.
func TestConcurrentReportsOnSiblingTasks(t *testing.T) {
	const rounds = 15
	ctx := context.Background()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		_, tasks, ids := taskTree(t, db)
		setToday(db, "2025-01-15")
		d := &partyworks.Directive{OwnerID: ids["P"], Symbol: "78-KH/TU", Title: "Đại hội", Issued: day("2024-06-20")}
		if err := tasks.CreateDirective(ctx, d); err != nil {
			t.Fatal(err)
		}
		units := []string{"BTC", "D1", "C1", "C2", "CB1", "D2", "C3"}
		var unitIDs []int64
		for _, u := range units {
			unitIDs = append(unitIDs, ids[u])
		}
		if _, err := tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: d.ID, Title: "Đại hội", Units: unitIDs, Start: day("2025-01-10"), Deadline: day("2025-06-30")}); err != nil {
			t.Fatal(err)
		}
		services := []*sqldb.TaskService{}
		for _, n := range nodes(t, db) {
			services = append(services, sqldb.NewTaskService(n, t.TempDir()))
		}
		last := make([]int, len(units))
		for round := range rounds {
			cur := make([]*partyworks.Task, len(units))
			for i, u := range units {
				cur[i] = onlyTask(t, tasks, ids[u])
			}
			won, conflicts := race(t, len(units), func(i int) error {
				p := 1 + (round*7+i*13)%99
				last[i] = p
				_, err := services[i%len(services)].ReportProgress(ctx, partyworks.ProgressReport{TaskID: cur[i].ID, Version: cur[i].Version, Progress: &p})
				return err
			})
			if won != len(units) || conflicts != 0 {
				t.Fatalf("round %d: %d of %d reports went through, %d conflicts", round, won, len(units), conflicts)
			}
		}
		r, err := tasks.Rollup(ctx, d.ID, ids["P"], false)
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, p := range last {
			sum += int64(p)
		}
		if r.Counts.Tasks != len(units) || r.Counts.PercentSum != sum {
			t.Errorf("the province's counters: %+v, want %d tasks, percent sum %d", r.Counts, len(units), sum)
		}
	})
}
