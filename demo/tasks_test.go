package demo_test

import (
	"bytes"
	"context"
	"testing"

	"partyworks"
	"partyworks/demo"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

// TestSeedTasks checks the story of the directives and tasks: the
// conference's conclusions, 35-CT/TW, 439-KH/TU and 18-NQ/TW with their
// tasks, most done, some late, some overdue, and no open task left on a
// unit the July 2025 reorganization ended.
func TestSeedTasks(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.SQLite(t)
	var out bytes.Buffer
	if _, err := demo.Seed(ctx, db, &out); err != nil {
		t.Fatalf("seed: %v\n%s", err, out.String())
	}
	units := sqldb.NewUnitService(db)
	tasks := sqldb.NewTaskService(db, t.TempDir())
	qn, err := units.FindUnitByCode(ctx, "22", partyworks.Today(db.Now()))
	if err != nil {
		t.Fatal(err)
	}
	rollup := func(sym string) *partyworks.Rollup {
		t.Helper()
		ds, err := tasks.FindDirectivesBySymbol(ctx, sym)
		if err != nil || len(ds) != 1 {
			t.Fatalf("%s: %v %v", sym, ds, err)
		}
		r, err := tasks.Rollup(ctx, ds[0].ID, qn.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := tasks.RecountRollup(ctx, ds[0].ID, qn.ID); want != r.Counts {
			t.Fatalf("%s: counters %+v, recount %+v", sym, r.Counts, want)
		}
		return r
	}
	// 439-KH/TU: a congress for each of the 171 commune-level committees of
	// March 2025, now under the new communes; most held on time, some late,
	// some still overdue.
	c := rollup("439-KH/TU").Counts
	if c.Tasks < 150 || c.Done*10 < c.Tasks*8 || c.DoneOnTime*10 < c.Done*7 || c.DoneOnTime == c.Done || c.Overdue == 0 || c.Accepted == 0 {
		t.Errorf("439-KH/TU: %+v", c)
	}
	// 35-CT/TW: the 54 units of July 2025, all held, a few late.
	c = rollup("35-CT/TW").Counts
	if c.Tasks != 54 || c.Done != 54 || c.DoneOnTime == c.Done || c.DoneOnTime < 45 {
		t.Errorf("35-CT/TW: %+v", c)
	}
	// 18-NQ/TW: the district-level committees (ended on 1 July: done tasks
	// stay their history) and the Organization Department.
	r := rollup("18-NQ/TW")
	if r.Counts.Tasks < 10 || r.Counts.Done != r.Counts.Tasks || r.Progress.How != "rollup.how.average" {
		t.Errorf("18-NQ/TW: %+v", r.Counts)
	}
	// The conference's conclusions, weighted: the departments' tasks.
	ds, err := tasks.FindDirectives(ctx, qn.ID)
	if err != nil {
		t.Fatal(err)
	}
	var conf *partyworks.Directive
	for _, d := range ds {
		if d.Kind == partyworks.DirConference {
			conf = d
		}
	}
	if conf == nil || conf.Symbol != "" || conf.Issued.Format(partyworks.DateLayout) != "2024-12-18" {
		t.Fatalf("the conference's conclusions: %+v", conf)
	}
	cr, err := tasks.Rollup(ctx, conf.ID, qn.ID, false)
	if err != nil || cr.Counts.Tasks != 7 || cr.Counts.Done < 4 || cr.Counts.Done == cr.Counts.Tasks || cr.Progress.How != "rollup.how.weighted" {
		t.Errorf("conference: %+v %v", cr, err)
	}
	// No open task on a unit that has ended (merged communes followed the
	// fold hook to their successors).
	today := partyworks.Today(db.Now())
	movedOpen := 0
	for _, sym := range []string{"439-KH/TU", "35-CT/TW"} {
		ds, _ := tasks.FindDirectivesBySymbol(ctx, sym)
		open, n, err := tasks.FindTasks(ctx, partyworks.TaskFilter{DirectiveID: ds[0].ID, Open: true, Limit: 500})
		if err != nil || (sym == "439-KH/TU" && n == 0) {
			t.Fatalf("%s open: %d %v", sym, n, err)
		}
		for _, x := range open {
			if _, err := units.FindUnitByID(ctx, x.UnitID, today); err != nil {
				t.Errorf("open task %d of %s on unit %d, which no longer stands: %v", x.ID, sym, x.UnitID, err)
			}
			if sym == "439-KH/TU" {
				reports, _ := tasks.FindTaskReports(ctx, x.ID)
				for _, rp := range reports {
					if rp.Kind == "moved" {
						movedOpen++
					}
				}
			}
		}
	}
	if movedOpen == 0 {
		t.Error("no overdue congress moved with its merged commune")
	}
	// What needs doing in the province lists the overdue tasks.
	due, err := tasks.FindDue(ctx, qn.ID, partyworks.Today(db.Now()))
	if err != nil || len(due) == 0 {
		t.Fatalf("what needs doing in Quảng Ninh: %d %v", len(due), err)
	}
}
