package main

import (
	"context"
	"testing"
	"time"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

// TestTasksRemindAndRollup runs "tasks remind" and "tasks rollup" through
// the real binary on a database prepared by the store: two wards given a
// task of 35-CT/TW due 15/07/2025, one done on time, the other still open
// (overdue, beyond the escalation threshold, on the real today).
func TestTasksRemindAndRollup(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.SQLite(t)
	db.Now = func() time.Time { return time.Date(2025, 7, 1, 5, 0, 0, 0, time.UTC) }
	jan := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	units := sqldb.NewUnitService(db)
	if _, err := units.ImportUnits(ctx, partyworks.UnitImport{Effective: jan, Rows: []partyworks.UnitRow{
		{Line: 2, Code: "22", Name: "Tỉnh ủy Quảng Ninh", Kind: partyworks.KindProvince},
		{Line: 3, Code: "06688", Name: "Đảng ủy phường Hạ Long", Kind: partyworks.KindWard, ParentCode: "22"},
		{Line: 4, Code: "06706", Name: "Đảng ủy phường Tuần Châu", Kind: partyworks.KindWard, ParentCode: "22"}}}); err != nil {
		t.Fatal(err)
	}
	p, _ := units.FindUnitByCode(ctx, "22", jan)
	w, _ := units.FindUnitByCode(ctx, "06688", jan)
	tasks := sqldb.NewTaskService(db, t.TempDir())
	d := &partyworks.Directive{OwnerID: p.ID, Symbol: "35-CT/TW", Title: "Đại hội đảng bộ các cấp", Issued: time.Date(2024, 6, 14, 0, 0, 0, 0, time.UTC)}
	if err := tasks.CreateDirective(ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, err := tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: d.ID, Under: p.ID, Kinds: []partyworks.UnitKind{partyworks.KindWard}, Title: "Đại hội phường",
		Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Deadline: time.Date(2025, 7, 15, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	done := onlyTaskOf(t, tasks, w.ID)
	hundred := 100
	if _, err := tasks.ReportProgress(ctx, partyworks.ProgressReport{TaskID: done.ID, Version: done.Version, Progress: &hundred, Day: time.Date(2025, 6, 28, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	dsn := db.DSN
	db.Close()

	out := ok(t, dsn, "tasks", "rollup", "35 - CT / TW")
	contains(t, out, "35-CT/TW — Đại hội đảng bộ các cấp (registered by Tỉnh ủy Quảng Ninh)", "roll-up over Tỉnh ủy Quảng Ninh",
		"tasks 2: done 1 (on time 1, accepted 0), open 1 (started 0, overdue 1)",
		"progress:  50.0%  = share of tasks done: 1 done ÷ 2 tasks", "on time:  100.0%  = on time: 1 done by the deadline ÷ 1 done",
		"units just below (2):", "Đảng ủy phường Hạ Long", "Đảng ủy phường Tuần Châu")
	out = ok(t, dsn, "tasks", "rollup", "35-CT/TW", "--under", "06706")
	contains(t, out, "roll-up over Đảng ủy phường Tuần Châu", "tasks 1: done 0 (on time 0, accepted 0), open 1 (started 0, overdue 1)", "progress:   0.0%  = share of tasks done: 0 done ÷ 1 tasks", "on time:       —")

	out = ok(t, dsn, "tasks", "remind")
	contains(t, out, "reminders: 0 due soon, 1 overdue, 1 escalated to the parent unit, 0 emails sent")
	out = ok(t, dsn, "tasks", "remind")
	contains(t, out, "reminders: 0 due soon, 0 overdue, 0 escalated") // once per task and kind

	fails(t, dsn, "document symbol", "tasks", "rollup", "35/CT")
	fails(t, dsn, "no directive 36-CT/TW is registered", "tasks", "rollup", "36-CT/TW")
	fails(t, dsn, "--under: ", "tasks", "rollup", "35-CT/TW", "--under", "NOPE")
	fails(t, dsn, "give a subcommand", "tasks")
}

func onlyTaskOf(t *testing.T, tasks *sqldb.TaskService, unit int64) *partyworks.Task {
	t.Helper()
	ts, n, err := tasks.FindTasks(context.Background(), partyworks.TaskFilter{UnitID: unit})
	if err != nil || n != 1 {
		t.Fatalf("tasks of %d: %d %v", unit, n, err)
	}
	return ts[0]
}
