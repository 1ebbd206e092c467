package sqldb_test

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"testing"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

// TestTaskCountsMatchRecount drives random task changes (cascades, named
// units, sub-tasks, progress, completions, reviews, imports) interleaved
// with restructuring (merge, re-parent, dissolve, establish, a change
// dated in the future) and days passing, and checks after every step that
// the roll-up read from the counters equals a recount over the tasks, for
// every unit standing and the units just below each.
func TestTaskCountsMatchRecount(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		today := day("2025-01-10")
		setToday(db, "2025-01-10")
		units, tasks, ids := taskTree(t, db)
		rnd := mrand.New(mrand.NewPCG(7, 11))
		var dirs []*partyworks.Directive
		for i, rule := range []partyworks.RollupRule{partyworks.RuleShareDone, partyworks.RuleAverage, partyworks.RuleWeighted} {
			d := &partyworks.Directive{OwnerID: ids["P"], Symbol: fmt.Sprintf("%d-CT/TU", 10+i), Title: "Chỉ thị", Issued: day("2024-12-18"), Rule: rule}
			if err := tasks.CreateDirective(ctx, d); err != nil {
				t.Fatal(err)
			}
			dirs = append(dirs, d)
		}
		known := []int64{ids["P"], ids["BTC"], ids["D1"], ids["C1"], ids["C2"], ids["CB1"], ids["D2"], ids["C3"]}
		kinds := [][]partyworks.UnitKind{{"commune"}, {"district"}, {"commune", "cell"}, {"department", "district", "commune", "cell"}}

		allTasks := func(d *partyworks.Directive) []*partyworks.Task {
			ts, _, err := tasks.FindTasks(ctx, partyworks.TaskFilter{DirectiveID: d.ID, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			return ts
		}
		check := func(step string) {
			t.Helper()
			for _, d := range dirs {
				for _, id := range known {
					if _, err := units.FindUnitByID(ctx, id, partyworks.Date{}); err != nil {
						continue // ended
					}
					r, err := tasks.Rollup(ctx, d.ID, id, true)
					if err != nil {
						t.Fatalf("%s: rollup: %v", step, err)
					}
					want, err := tasks.RecountRollup(ctx, d.ID, id)
					if err != nil {
						t.Fatal(err)
					}
					if r.Counts != want {
						t.Fatalf("%s: directive %d unit %d: counters %+v, recount %+v", step, d.ID, id, r.Counts, want)
					}
					var sum partyworks.RollupCounts
					for _, ch := range r.Children {
						cw, err := tasks.RecountRollup(ctx, d.ID, ch.UnitID)
						if err != nil {
							t.Fatal(err)
						}
						if ch.Counts != cw {
							t.Fatalf("%s: child %d of %d: counters %+v, recount %+v", step, ch.UnitID, id, ch.Counts, cw)
						}
						sum = sum.Add(ch.Counts)
					}
					if sum.Tasks > r.Counts.Tasks {
						t.Fatalf("%s: children hold %d tasks, the unit %d", step, sum.Tasks, r.Counts.Tasks)
					}
				}
			}
		}
		advance := func(days int) {
			today = today.AddDate(0, 0, days)
			setToday(db, partyworks.FormatDate(today))
		}
		change := func(c partyworks.UnitChange) {
			t.Helper()
			c.Decision = "1-QĐ/TU"
			if c.Effective.IsZero() {
				c.Effective = today
			}
			if _, err := units.ApplyUnitChange(ctx, c); err != nil {
				t.Fatalf("%s: %v", c.Type, err)
			}
		}

		checked := 0
		for step := 0; step < 60; step++ {
			d := dirs[rnd.IntN(len(dirs))]
			switch step {
			case 15: // C2 merges into C1
				change(partyworks.UnitChange{Type: partyworks.EventMerge, Unit: ids["C1"], Sources: []int64{ids["C2"]}})
			case 25: // C3 moves under D1
				change(partyworks.UnitChange{Type: partyworks.EventReparent, Unit: ids["C3"], Parent: ids["D1"]})
			case 30: // the cell is dissolved: its open tasks go to C1
				change(partyworks.UnitChange{Type: partyworks.EventDissolve, Unit: ids["CB1"]})
			case 35: // a new commune under D2, then (dated ten days ahead) moved under D1
				change(partyworks.UnitChange{Type: partyworks.EventEstablish, Parent: ids["D2"], Code: "C4", Name: "Đảng ủy xã 4", Kind: "commune"})
				c4 := mustCode(t, units, "C4", partyworks.FormatDate(today)).ID
				ids["C4"], known = c4, append(known, c4)
			case 40:
				change(partyworks.UnitChange{Type: partyworks.EventReparent, Unit: ids["C4"], Parent: ids["D1"], Effective: today.AddDate(0, 0, 10)})
			}
			ts := allTasks(d)
			switch op := rnd.IntN(10); {
			case op < 2 || len(ts) == 0: // cascade
				dl := today.AddDate(0, 0, 5+rnd.IntN(60))
				if _, err := tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: d.ID, Under: ids["P"], Kinds: kinds[rnd.IntN(len(kinds))],
					Title: "Nhiệm vụ", Start: today, Deadline: dl, Weight: 1 + rnd.IntN(3)}); err != nil && partyworks.ErrorCode(err) != partyworks.EINVALID {
					t.Fatal(err)
				}
			case op == 2: // a named unit
				u := known[rnd.IntN(len(known))]
				if _, err := units.FindUnitByID(ctx, u, partyworks.Date{}); err == nil {
					if _, err := tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: d.ID, Units: []int64{u}, Title: "Riêng",
						Start: today, Deadline: today.AddDate(0, 0, rnd.IntN(20))}); err != nil {
						t.Fatal(err)
					}
				}
			case op == 3: // a sub-task: never counted
				p := ts[rnd.IntN(len(ts))]
				if p.ParentID == 0 && !p.Deadline.Before(today) {
					if _, err := tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: d.ID, Parent: p.ID, Units: []int64{p.UnitID}, Title: "Con",
						Start: today, Deadline: p.Deadline}); err != nil && partyworks.ErrorCode(err) != partyworks.EINVALID {
						t.Fatal(err)
					}
				}
			case op < 8: // progress, often a completion
				task := ts[rnd.IntN(len(ts))]
				pct := rnd.IntN(101)
				if rnd.IntN(2) == 0 {
					pct = 100
				}
				if _, err := tasks.ReportProgress(ctx, partyworks.ProgressReport{TaskID: task.ID, Version: task.Version, Progress: &pct, Day: today}); err != nil &&
					partyworks.ErrorCode(err) == partyworks.EINTERNAL {
					t.Fatal(err)
				}
			case op == 8: // a review
				task := ts[rnd.IntN(len(ts))]
				if _, err := tasks.ReviewTask(ctx, task.ID, task.Version, rnd.IntN(2) == 0, "thiếu minh chứng"); err != nil &&
					partyworks.ErrorCode(err) == partyworks.EINTERNAL {
					t.Fatal(err)
				}
			default: // an import of a few rows
				tb := &partyworks.Table{Header: []string{"task", "progress"}}
				for i := 0; i < 3; i++ {
					task := ts[rnd.IntN(len(ts))]
					tb.Rows = append(tb.Rows, []string{itoa(task.ID), fmt.Sprint(rnd.IntN(101))})
					tb.Lines = append(tb.Lines, i+2)
				}
				if _, _, err := tasks.ImportProgress(ctx, tb, func(string) bool { return true }); err != nil {
					t.Fatal(err)
				}
			}
			if rnd.IntN(3) == 0 {
				advance(1 + rnd.IntN(4))
			}
			check(fmt.Sprintf("step %d", step))
			checked++
		}
		// The counters saw every kind of change and real numbers.
		r, err := tasks.Rollup(ctx, dirs[0].ID, ids["P"], false)
		if err != nil || r.Counts.Tasks == 0 || r.Counts.Done == 0 {
			t.Fatalf("after %d steps: %+v %v", checked, r, err)
		}
		if _, n, _ := tasks.FindTasks(ctx, partyworks.TaskFilter{UnitID: ids["CB1"], Open: true}); n != 0 {
			t.Fatalf("%d open tasks left on the dissolved cell", n)
		}
	})
}
