package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

// taskTree is a province with a department, two districts, communes and
// a cell:
//
//	P Tỉnh ủy
//	├── BTC Ban Tổ chức (department)
//	├── D1 Huyện ủy 1 ── C1, C2 (communes) ── CB1 (cell under C1)
//	└── D2 Huyện ủy 2 ── C3 (commune)
func taskTree(t *testing.T, db *sqldb.DB) (*sqldb.UnitService, *sqldb.TaskService, map[string]int64) {
	t.Helper()
	units := sqldb.NewUnitService(db)
	mustImport(t, units, "2024-01-01",
		[4]string{"P", "Tỉnh ủy", "province", ""},
		[4]string{"BTC", "Ban Tổ chức", "department", "P"},
		[4]string{"D1", "Huyện ủy 1", "district", "P"},
		[4]string{"C1", "Đảng ủy xã 1", "commune", "D1"},
		[4]string{"C2", "Đảng ủy xã 2", "commune", "D1"},
		[4]string{"CB1", "Chi bộ 1", "cell", "C1"},
		[4]string{"D2", "Huyện ủy 2", "district", "P"},
		[4]string{"C3", "Đảng ủy xã 3", "commune", "D2"},
	)
	ids := map[string]int64{}
	for _, c := range []string{"P", "BTC", "D1", "C1", "C2", "CB1", "D2", "C3"} {
		ids[c] = mustCode(t, units, c, "2024-06-01").ID
	}
	return units, sqldb.NewTaskService(db, t.TempDir()), ids
}

func setToday(db *sqldb.DB, d string) {
	t := day(d).Add(5 * time.Hour) // 12:00 in Vietnam
	db.Now = func() time.Time { return t }
}

// handOver runs the hourly job (Remind, whose hand-over goes first) and
// wants it to hand over want units' tasks and registers.
func handOver(t *testing.T, tasks *sqldb.TaskService, want int, what string) {
	t.Helper()
	res, err := tasks.Remind(context.Background(), partyworks.RemindConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if res.HandedOver != want {
		t.Errorf("%s: %d units handed over, want %d", what, res.HandedOver, want)
	}
}

func TestTaskLifecycle(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		setToday(db, "2025-01-10")
		_, tasks, ids := taskTree(t, db)

		// A directive: the symbol is parsed by ParseSymbol.
		bad := &partyworks.Directive{OwnerID: ids["P"], Symbol: "35/CT/TW", Title: "x", Issued: day("2024-06-14")}
		if err := tasks.CreateDirective(ctx, bad); partyworks.ErrorCode(err) != partyworks.EINVALID || !strings.Contains(err.Error(), "18-NQ/TW") {
			t.Fatalf("malformed symbol: %v (the message shows the expected forms)", err)
		}
		unknown := &partyworks.Directive{OwnerID: ids["P"], Symbol: "35-XX/TW", Title: "x", Issued: day("2024-06-14")}
		if err := tasks.CreateDirective(ctx, unknown); partyworks.ErrorCode(err) != partyworks.EINVALID {
			t.Fatalf("unknown type: %v", err)
		}
		d := &partyworks.Directive{OwnerID: ids["P"], Symbol: " 35 - CT / TW", Issuer: "Bộ Chính trị", Title: "Đại hội đảng bộ các cấp", Issued: day("2024-06-14"), Rule: partyworks.RuleAverage}
		if err := tasks.CreateDirective(ctx, d); err != nil {
			t.Fatal(err)
		}
		if d.Symbol != "35-CT/TW" || d.Kind != partyworks.DirDirective {
			t.Fatalf("symbol %q kind %q", d.Symbol, d.Kind)
		}
		state := &partyworks.Directive{OwnerID: ids["P"], Symbol: "1679/NQ-UBTVQH15", Title: "Sắp xếp ĐVHC", Issued: day("2025-06-16")}
		if err := tasks.CreateDirective(ctx, state); err != nil || state.Kind != partyworks.DirResolution {
			t.Fatalf("state form: %v %q", err, state.Kind)
		}

		// Bad input writes nothing.
		base := partyworks.TaskAssign{DirectiveID: d.ID, Title: "Tổ chức đại hội", Start: day("2025-01-10"), Deadline: day("2025-06-30")}
		for name, mod := range map[string]func(a *partyworks.TaskAssign){
			"deadline before start": func(a *partyworks.TaskAssign) {
				a.Under, a.Kinds, a.Deadline = ids["P"], []partyworks.UnitKind{"commune"}, day("2025-01-01")
			},
			"cascade matching nothing": func(a *partyworks.TaskAssign) { a.Under, a.Kinds = ids["P"], []partyworks.UnitKind{"ward"} },
			"unit outside":             func(a *partyworks.TaskAssign) { a.Units = []int64{ids["C1"], 999999} },
		} {
			a := base
			mod(&a)
			if _, err := tasks.Assign(ctx, a); partyworks.ErrorCode(err) != partyworks.EINVALID {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, n, _ := tasks.FindTasks(ctx, partyworks.TaskFilter{DirectiveID: d.ID}); n != 0 {
			t.Fatalf("bad input wrote %d tasks", n)
		}

		// Cascade to every commune under the province, and one task to the department.
		a := base
		a.Under, a.Kinds = ids["P"], []partyworks.UnitKind{partyworks.KindCommune}
		if n, err := tasks.Assign(ctx, a); err != nil || n != 3 {
			t.Fatalf("cascade: %d %v", n, err)
		}
		a = base
		a.Units, a.Title, a.Weight = []int64{ids["BTC"]}, "Hướng dẫn nhân sự", 3
		if n, err := tasks.Assign(ctx, a); err != nil || n != 1 {
			t.Fatalf("department: %d %v", n, err)
		}
		c1 := onlyTask(t, tasks, ids["C1"])
		if c1.AssignerID != ids["P"] || c1.Status(day("2025-01-10")) != partyworks.StatusNotStarted {
			t.Fatalf("task %+v", c1)
		}

		// A sub-task by the receiving unit, for its cell.
		sub := partyworks.TaskAssign{DirectiveID: d.ID, Parent: c1.ID, Units: []int64{ids["CB1"]}, Title: "Đại hội chi bộ", Start: day("2025-01-10"), Deadline: day("2025-03-31")}
		if _, err := tasks.Assign(ctx, sub); err != nil {
			t.Fatal(err)
		}
		sub.Units = []int64{ids["C3"]} // not inside C1
		if _, err := tasks.Assign(ctx, sub); partyworks.ErrorCode(err) != partyworks.EINVALID {
			t.Fatalf("sub-task outside the unit: %v", err)
		}

		// Progress: over 100% and a stale version are refused.
		pct := func(n int) *int { return &n }
		if _, err := tasks.ReportProgress(ctx, partyworks.ProgressReport{TaskID: c1.ID, Version: c1.Version, Progress: pct(120)}); partyworks.ErrorCode(err) != partyworks.EINVALID {
			t.Fatalf("120%%: %v", err)
		}
		setToday(db, "2025-03-01")
		got, err := tasks.ReportProgress(ctx, partyworks.ProgressReport{TaskID: c1.ID, Version: c1.Version, Progress: pct(40), Note: "đã họp chi bộ",
			Files: []partyworks.EvidenceFile{{Name: "bien-ban.pdf", Data: []byte("%PDF-1.4 minutes")}}})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status(day("2025-03-01")) != partyworks.StatusInProgress || got.Version != c1.Version+1 {
			t.Fatalf("after report: %+v", got)
		}
		if _, err := tasks.ReportProgress(ctx, partyworks.ProgressReport{TaskID: c1.ID, Version: c1.Version, Progress: pct(50)}); partyworks.ErrorCode(err) != partyworks.ECONFLICT {
			t.Fatalf("stale version: %v", err)
		}
		if _, err := tasks.ReportProgress(ctx, partyworks.ProgressReport{TaskID: c1.ID, Version: got.Version, Progress: pct(10),
			Files: []partyworks.EvidenceFile{{Name: "x.pdf", Data: []byte("<html><script>alert(1)</script>")}}}); partyworks.ErrorCode(err) != partyworks.EINVALID {
			t.Fatalf("a file whose content does not match its name: %v", err)
		}
		reports, err := tasks.FindTaskReports(ctx, c1.ID)
		if err != nil || len(reports) != 1 || len(reports[0].Files) != 1 {
			t.Fatalf("reports %v %v", reports, err)
		}
		meta, data, err := tasks.Evidence(ctx, c1.ID, reports[0].Files[0].ID)
		if err != nil || meta.Name != "bien-ban.pdf" || string(data) != "%PDF-1.4 minutes" {
			t.Fatalf("evidence %v %q %v", meta, data, err)
		}
		if _, _, err := tasks.Evidence(ctx, onlyTask(t, tasks, ids["C2"]).ID, meta.ID); partyworks.ErrorCode(err) != partyworks.ENOTFOUND {
			t.Fatalf("a file through another task: %v", err)
		}
		if entries, _ := os.ReadDir(tasks.Files); len(entries) != 1 || strings.Contains(entries[0].Name(), "bien") {
			t.Fatalf("stored files %v: one, under a generated name", entries)
		}

		// Done at 100%, late; returned, done again; accepted.
		setToday(db, "2025-07-05")
		done, err := tasks.ReportProgress(ctx, partyworks.ProgressReport{TaskID: c1.ID, Version: got.Version, Progress: pct(100)})
		if err != nil || done.Status(day("2025-07-05")) != partyworks.StatusDoneLate {
			t.Fatalf("done: %v %v", done, err)
		}
		if _, err := tasks.ReviewTask(ctx, c1.ID, done.Version, false, ""); partyworks.ErrorCode(err) != partyworks.EINVALID {
			t.Fatalf("return without reason: %v", err)
		}
		back, err := tasks.ReviewTask(ctx, c1.ID, done.Version, false, "thiếu biên bản")
		if err != nil || back.Done() || back.Status(day("2025-07-05")) != partyworks.StatusOverdue {
			t.Fatalf("returned: %+v %v", back, err)
		}
		again, err := tasks.ReportProgress(ctx, partyworks.ProgressReport{TaskID: c1.ID, Version: back.Version, Progress: pct(100), Day: day("2025-07-04")})
		if err != nil {
			t.Fatal(err)
		}
		acc, err := tasks.ReviewTask(ctx, c1.ID, again.Version, true, "")
		if err != nil || acc.Review != partyworks.ReviewAccepted {
			t.Fatalf("accept: %v %v", acc, err)
		}
		if _, err := tasks.ReportProgress(ctx, partyworks.ProgressReport{TaskID: c1.ID, Version: acc.Version, Progress: pct(50)}); partyworks.ErrorCode(err) != partyworks.ECONFLICT {
			t.Fatalf("report on an accepted task: %v", err)
		}

		// C2 on time at 100%; C3 at 50%, overdue; BTC (weight 3) not started.
		c2 := onlyTask(t, tasks, ids["C2"])
		if _, err := tasks.ReportProgress(ctx, partyworks.ProgressReport{TaskID: c2.ID, Version: c2.Version, Progress: pct(100), Day: day("2025-06-20")}); err != nil {
			t.Fatal(err)
		}
		c3 := onlyTask(t, tasks, ids["C3"])
		if _, err := tasks.ReportProgress(ctx, partyworks.ProgressReport{TaskID: c3.ID, Version: c3.Version, Progress: pct(50)}); err != nil {
			t.Fatal(err)
		}

		// Roll-up by the directive's rule (average): (100+100+50+0)/4 = 62.5.
		r, err := tasks.Rollup(ctx, d.ID, ids["P"], true)
		if err != nil {
			t.Fatal(err)
		}
		want := partyworks.RollupCounts{Tasks: 4, Done: 2, DoneOnTime: 1, Accepted: 1, Overdue: 2, Started: 1, PercentSum: 250, WeightSum: 6, WeightedSum: 250}
		if r.Counts != want || r.Progress.Value != 62.5 || r.OnTime.Value != 50 || r.Progress.How != "rollup.how.average" {
			t.Fatalf("rollup %+v %+v %+v", r.Counts, r.Progress, r.OnTime)
		}
		if len(r.Children) != 3 { // BTC, D1, D2
			t.Fatalf("children %d", len(r.Children))
		}
		r1, _ := tasks.Rollup(ctx, d.ID, ids["D1"], false)
		if r1.Counts.Tasks != 2 || r1.Counts.Done != 2 {
			t.Fatalf("D1 subtree %+v (the sub-task is not counted)", r1.Counts)
		}
		late, err := tasks.LateUnits(ctx, d.ID, ids["P"], 10)
		if err != nil || len(late) != 3 {
			t.Fatalf("late %v %v", late, err)
		}
		hist, err := tasks.RollupHistory(ctx, d.ID, ids["P"])
		if err != nil || len(hist) == 0 || hist[len(hist)-1].Done != 2 {
			t.Fatalf("history %v %v", hist, err)
		}

		// Reminders: overdue tasks are notified; beyond 14 days, the parent is told.
		setToday(db, "2025-07-20")
		res, err := tasks.Remind(ctx, partyworks.RemindConfig{})
		if err != nil || res.Overdue == 0 || res.Escalated != 3 { // C3, BTC, and CB1's sub-task
			t.Fatalf("remind %+v %v", res, err)
		}
		if res2, _ := tasks.Remind(ctx, partyworks.RemindConfig{}); res2.Overdue+res2.Escalated+res2.DueSoon != 0 {
			t.Fatalf("a second run repeats itself: %+v", res2)
		}
		ns, _ := tasks.FindNotifications(ctx, ids["D2"], 10)
		if len(ns) != 1 || ns[0].Kind != "escalated" {
			t.Fatalf("D2 notifications %v", ns)
		}
		due, err := tasks.FindDue(ctx, ids["P"], day("2025-08-01"))
		if err != nil || len(due) != 3 || due[0].Kind != "task.escalated" {
			t.Fatalf("due %+v %v", due, err)
		}
	})
}

func onlyTask(t *testing.T, tasks *sqldb.TaskService, unit int64) *partyworks.Task {
	t.Helper()
	ts, n, err := tasks.FindTasks(context.Background(), partyworks.TaskFilter{UnitID: unit})
	if err != nil || n != 1 {
		t.Fatalf("tasks of %d: %d %v", unit, n, err)
	}
	return ts[0]
}

func TestTasksFollowMerges(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		setToday(db, "2025-01-10")
		units, tasks, ids := taskTree(t, db)
		d := &partyworks.Directive{OwnerID: ids["P"], Symbol: "18-NQ/TW", Title: "Tinh gọn bộ máy", Issued: day("2017-10-25")}
		if err := tasks.CreateDirective(ctx, d); err != nil {
			t.Fatal(err)
		}
		if _, err := tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: d.ID, Under: ids["P"], Kinds: []partyworks.UnitKind{"commune"},
			Title: "Sắp xếp", Start: day("2025-01-10"), Deadline: day("2025-12-31")}); err != nil {
			t.Fatal(err)
		}
		moved := onlyTask(t, tasks, ids["C2"])
		// C2 merges into C1 on 1 July; C3 moves under D1.
		setToday(db, "2025-07-10")
		if _, err := units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2025-07-01"), Decision: "1679/NQ-UBTVQH15",
			Unit: ids["C1"], Sources: []int64{ids["C2"]}}); err != nil {
			t.Fatal(err)
		}
		if _, err := units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventReparent, Effective: day("2025-07-01"), Decision: "1679/NQ-UBTVQH15",
			Unit: ids["C3"], Parent: ids["D1"]}); err != nil {
			t.Fatal(err)
		}
		_, n, _ := tasks.FindTasks(ctx, partyworks.TaskFilter{UnitID: ids["C1"]})
		if n != 2 {
			t.Fatalf("C1 holds %d tasks, want its own and C2's", n)
		}
		if _, n, _ := tasks.FindTasks(ctx, partyworks.TaskFilter{UnitID: ids["C2"]}); n != 0 {
			t.Fatalf("%d tasks left on the merged unit", n)
		}
		reports, _ := tasks.FindTaskReports(ctx, moved.ID)
		if len(reports) != 1 || reports[0].Kind != "moved" {
			t.Fatalf("the move is in the task's history: %v", reports)
		}
		// The roll-up follows the tree as it stands: D1 now holds all three.
		r, err := tasks.Rollup(ctx, d.ID, ids["D1"], false)
		if err != nil || r.Counts.Tasks != 3 {
			t.Fatalf("D1 after the moves: %+v %v", r, err)
		}
		r, _ = tasks.Rollup(ctx, d.ID, ids["D2"], false)
		if r.Counts.Tasks != 0 {
			t.Fatalf("D2 after the moves: %+v", r.Counts)
		}
	})
}

func TestStudyCoverageAndImport(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		setToday(db, "2025-03-01")
		_, tasks, ids := taskTree(t, db)
		d := &partyworks.Directive{OwnerID: ids["P"], Symbol: "18-NQ/TW", Title: "Tinh gọn bộ máy", Issued: day("2017-10-25")}
		if err := tasks.CreateDirective(ctx, d); err != nil {
			t.Fatal(err)
		}
		c := &partyworks.StudyCampaign{DirectiveID: d.ID, OwnerID: ids["P"], Title: "Học tập NQ 18", Start: day("2025-01-01"), End: day("2025-03-31"), Kinds: []partyworks.UnitKind{"commune"}}
		if err := tasks.CreateCampaign(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := tasks.RecordSession(ctx, &partyworks.StudySession{CampaignID: c.ID, UnitID: ids["C1"], Held: day("2025-02-10"), Attended: 40, Expected: 45}); err != nil {
			t.Fatal(err)
		}
		if err := tasks.RecordSession(ctx, &partyworks.StudySession{CampaignID: c.ID, UnitID: ids["C3"], Held: day("2025-02-11"), Attended: 50, Expected: 45}); partyworks.ErrorCode(err) != partyworks.EINVALID {
			t.Fatalf("more attended than expected: %v", err)
		}
		cov, sessions, err := tasks.Coverage(ctx, c.ID, ids["P"])
		if err != nil || cov.Units != 3 || cov.Held != 1 || cov.Attended != 40 || len(sessions) != 1 {
			t.Fatalf("coverage %+v %v %v", cov, sessions, err)
		}

		// Import progress: good rows in, bad rows reported with their line.
		if _, err := tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: d.ID, Under: ids["P"], Kinds: []partyworks.UnitKind{"commune"},
			Title: "Sắp xếp", Start: day("2025-01-10"), Deadline: day("2025-12-31")}); err != nil {
			t.Fatal(err)
		}
		t1, t2, t3 := onlyTask(t, tasks, ids["C1"]), onlyTask(t, tasks, ids["C2"]), onlyTask(t, tasks, ids["C3"])
		tbl := &partyworks.Table{Header: []string{"task", "progress", "note"}, Lines: []int{2, 3, 4, 5, 6},
			Rows: [][]string{{itoa(t1.ID), "60", "ok"}, {itoa(t2.ID), "130", ""}, {"abc", "10", ""}, {itoa(t3.ID), "20", ""}, {"999999", "5", ""}}}
		may := func(path string) bool { return path != t3.UnitPath } // the caller may not report for C3
		n, bad, err := tasks.ImportProgress(ctx, tbl, may)
		if err != nil || n != 1 || len(bad) != 4 {
			t.Fatalf("import: %d %v %v", n, bad, err)
		}
		lines := []int{bad[0].Line, bad[1].Line, bad[2].Line, bad[3].Line}
		if lines[0] != 3 || lines[1] != 4 || lines[2] != 5 || lines[3] != 6 {
			t.Fatalf("bad lines %v", bad)
		}
		if got := onlyTask(t, tasks, ids["C1"]); got.Progress != 60 {
			t.Fatalf("good row not written: %d", got.Progress)
		}
		if got := onlyTask(t, tasks, ids["C3"]); got.Progress != 0 {
			t.Fatalf("a row for another unit was written")
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// A merge recorded ahead of its day: the merging unit keeps its open
// tasks, and any given to it since, until the day; the hourly run hands
// them to the successor then. A unit merged into one whose own merge was
// recorded earlier hands its tasks on to the last successor.
func TestTasksFollowMergesRecordedAhead(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		setToday(db, "2025-06-10")
		units, tasks, ids := taskTree(t, db)
		early := &partyworks.Directive{OwnerID: ids["P"], Symbol: "35-CT/TW", Title: "Đại hội chi bộ", Issued: day("2024-06-14")}
		if err := tasks.CreateDirective(ctx, early); err != nil {
			t.Fatal(err)
		}
		if _, err := tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: early.ID, Units: []int64{ids["C2"]},
			Title: "Báo cáo", Start: day("2025-06-10"), Deadline: day("2025-09-30")}); err != nil {
			t.Fatal(err)
		}
		setToday(db, "2025-06-15")
		if _, err := units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2025-07-01"), Decision: "1679/NQ-UBTVQH15",
			Unit: ids["C3"], Sources: []int64{ids["C2"]}}); err != nil {
			t.Fatal(err)
		}
		setToday(db, "2025-06-20")
		d := &partyworks.Directive{OwnerID: ids["P"], Symbol: "45-CT/TW", Title: "Đại hội các cấp", Issued: day("2025-04-14")}
		if err := tasks.CreateDirective(ctx, d); err != nil {
			t.Fatal(err)
		}
		n, err := tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: d.ID, Under: ids["P"], Kinds: []partyworks.UnitKind{"commune"},
			Title: "Chuẩn bị đại hội", Start: day("2025-06-20"), Deadline: day("2025-09-30")})
		if err != nil || n != 3 {
			t.Fatalf("assigned %d: %v", n, err)
		}
		count := func(u string) int {
			_, n, err := tasks.FindTasks(ctx, partyworks.TaskFilter{UnitID: ids[u]})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		remind := func(at string) int {
			setToday(db, at)
			res, err := tasks.Remind(ctx, partyworks.RemindConfig{})
			if err != nil {
				t.Fatal(err)
			}
			return res.HandedOver
		}
		if c2, c3 := count("C2"), count("C3"); c2 != 2 || c3 != 1 {
			t.Errorf("before the merge's day C2 holds %d tasks and C3 %d; want 2 and 1", c2, c3)
		}
		if h := remind("2025-06-30"); h != 0 || count("C2") != 2 {
			t.Errorf("the day before: %d units handed over, C2 holds %d; want 0 and 2", h, count("C2"))
		}
		// C1 merges into C2 on 06-25, recorded now, after C2's own merge
		// into C3 on 07-01: C1's open task goes to C2 at once (its day has
		// come), and with C2's to C3 on 07-01.
		if _, err := units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2025-06-25"), Decision: "1680/NQ-UBTVQH15",
			Unit: ids["C2"], Sources: []int64{ids["C1"]}}); err != nil {
			t.Fatal(err)
		}
		if c1, c2 := count("C1"), count("C2"); c1 != 0 || c2 != 3 {
			t.Errorf("after C1→C2 on 06-25: C1 %d, C2 %d tasks; want 0, 3", c1, c2)
		}
		if h := remind("2025-07-01"); h != 1 {
			t.Errorf("on the day %d units handed over, want C2", h)
		}
		if c2, c3 := count("C2"), count("C3"); c2 != 0 || c3 != 4 {
			t.Errorf("on the merge's day C2 holds %d tasks and C3 %d; want 0 and 4", c2, c3)
		}
		if r, err := tasks.Rollup(ctx, d.ID, ids["D2"], false); err != nil || r.Counts.Tasks != 3 {
			t.Errorf("D2's roll-up: %+v %v; want 3 tasks", r.Counts, err)
		}
		if h := remind("2025-07-01"); h != 0 {
			t.Errorf("a second run handed over %d units again", h)
		}
	})
}

// congressTask creates a directive of the province and, unless unit is
// "", gives unit one task of it (from 2025-06-10 to 2025-09-30).
func congressTask(t *testing.T, tasks *sqldb.TaskService, ids map[string]int64, unit string) *partyworks.Directive {
	t.Helper()
	ctx := context.Background()
	d := &partyworks.Directive{OwnerID: ids["P"], Symbol: "45-CT/TW", Title: "Đại hội", Issued: day("2025-04-14")}
	if err := tasks.CreateDirective(ctx, d); err != nil {
		t.Fatal(err)
	}
	if unit != "" {
		if _, err := tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: d.ID, Units: []int64{ids[unit]}, Title: "Chuẩn bị",
			Start: day("2025-06-10"), Deadline: day("2025-09-30")}); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// A task being given to a unit (as of an earlier day) while its merge is
// being recorded on another node: whichever commits first, the task does
// not stay behind on the merged unit (until the hourly hand-over).
func TestAssignBesideAMerge(t *testing.T) {
	db := sqldbtest.Postgres(t)
	ctx := context.Background()
	setToday(db, "2025-06-10")
	units, tasks, ids := taskTree(t, db)
	setToday(db, "2025-06-20")
	d := congressTask(t, tasks, ids, "")
	merged := make(chan error, 1)
	_, err := sqldb.AssignHeld(ctx, db, partyworks.TaskAssign{DirectiveID: d.ID, Units: []int64{ids["C2"]}, At: day("2025-06-10"),
		Title: "Chuẩn bị", Start: day("2025-06-10"), Deadline: day("2025-09-30")}, func() {
		go func() {
			_, err := units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2025-06-15"),
				Decision: "1679/NQ-UBTVQH15", Unit: ids["C3"], Sources: []int64{ids["C2"]}})
			merged <- err
		}()
		// Until the merge waits on a lock (or has finished without one).
		waitForLockWaiters(t, db, 1, merged)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-merged; err != nil {
		t.Fatal(err)
	}
	if _, n, _ := tasks.FindTasks(ctx, partyworks.TaskFilter{UnitID: ids["C2"]}); n != 0 {
		t.Errorf("the merged unit C2 still holds %d open tasks", n)
	}
	if _, n, _ := tasks.FindTasks(ctx, partyworks.TaskFilter{UnitID: ids["C3"]}); n != 1 {
		t.Errorf("C3 holds %d tasks, want C2's", n)
	}
}

// C1 merges into C2, and C2 into C3, both on 07-01, both recorded ahead:
// on the day C1's open task goes to C3, where C2 went.
func TestHandOverThroughAnHeirEndingTheSameDay(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		setToday(db, "2025-06-10")
		units, tasks, ids := taskTree(t, db)
		d := congressTask(t, tasks, ids, "C1")
		for i, m := range [][2]string{{"C2", "C1"}, {"C3", "C2"}} {
			if _, err := units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2025-07-01"),
				Decision: fmt.Sprintf("%d/NQ-UBTVQH15", 1679+i), Unit: ids[m[0]], Sources: []int64{ids[m[1]]}}); err != nil {
				t.Fatal(err)
			}
		}
		setToday(db, "2025-07-01")
		for i, want := range []int{1, 0} {
			handOver(t, tasks, want, fmt.Sprintf("run %d", i+1))
		}
		for u, want := range map[string]int{"C1": 0, "C2": 0, "C3": 1} {
			if _, n, _ := tasks.FindTasks(ctx, partyworks.TaskFilter{UnitID: ids[u]}); n != want {
				t.Errorf("%s holds %d tasks, want %d", u, n, want)
			}
		}
		if r, err := tasks.Rollup(ctx, d.ID, ids["D2"], false); err != nil || r.Counts.Tasks != 1 {
			t.Errorf("D2's roll-up: %+v %v; want the task", r.Counts, err)
		}
	})
}

// Two hand-overs of one unit at once (the hourly run beside a command
// line run, or a task given to the ended unit): the task moves once.
func TestHandOverTwiceAtOnce(t *testing.T) {
	db := sqldbtest.Postgres(t)
	ctx := context.Background()
	setToday(db, "2025-06-10")
	units, tasks, ids := taskTree(t, db)
	d := congressTask(t, tasks, ids, "C2")
	if _, err := units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2025-07-01"),
		Decision: "1679/NQ-UBTVQH15", Unit: ids["C3"], Sources: []int64{ids["C2"]}}); err != nil {
		t.Fatal(err)
	}
	setToday(db, "2025-07-01")
	second := make(chan error, 1)
	if _, err := sqldb.HandOverHeld(ctx, db, func() {
		go func() { _, err := tasks.Remind(ctx, partyworks.RemindConfig{}); second <- err }()
		waitForLockWaiters(t, db, 1, second)
	}); err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"D1", "D2", "C3"} {
		r, err := tasks.Rollup(ctx, d.ID, ids[u], false)
		if err != nil {
			t.Fatal(err)
		}
		want, err := tasks.RecountRollup(ctx, d.ID, ids[u])
		if err != nil {
			t.Fatal(err)
		}
		if r.Counts.Tasks != want.Tasks {
			t.Errorf("%s: the counters say %d tasks, a recount %d", u, r.Counts.Tasks, want.Tasks)
		}
	}
	var moved int
	if err := sqldb.QueryRowRaw(ctx, db, `SELECT COUNT(*) FROM task_reports WHERE kind = 'moved'`).Scan(&moved); err != nil {
		t.Fatal(err)
	}
	if moved != 1 {
		t.Errorf("%d 'moved' reports for one task moved once", moved)
	}
}

// C1 merges into C2 on 07-01 and C2 into C3 on 08-01, both recorded
// ahead: on 07-01 one unit hands its tasks over; C2's own end is not due.
func TestHandOverCountsWhatIsDue(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		setToday(db, "2025-06-10")
		units, tasks, ids := taskTree(t, db)
		congressTask(t, tasks, ids, "C1")
		for i, m := range []struct{ to, from, day string }{{"C2", "C1", "2025-07-01"}, {"C3", "C2", "2025-08-01"}} {
			if _, err := units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day(m.day),
				Decision: fmt.Sprintf("%d/NQ-UBTVQH15", 1679+i), Unit: ids[m.to], Sources: []int64{ids[m.from]}}); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			day    string
			handed int
			unit   string
		}{{"2025-07-01", 1, "C2"}, {"2025-07-02", 0, "C2"}, {"2025-08-01", 1, "C3"}} {
			setToday(db, c.day)
			handOver(t, tasks, c.handed, "on "+c.day)
			if _, n, _ := tasks.FindTasks(ctx, partyworks.TaskFilter{UnitID: ids[c.unit]}); n != 1 {
				t.Errorf("on %s %s holds %d tasks, want the one", c.day, c.unit, n)
			}
		}
	})
}

// A task assignment that holds its directive while the hourly hand-over
// moves the directive's owner (its unit's end has come): one waits for
// the other from the start, and neither fails on a deadlock.
func TestAssignBesideAHandOver(t *testing.T) {
	db := sqldbtest.Postgres(t)
	ctx := context.Background()
	setToday(db, "2025-06-10")
	units, tasks, ids := taskTree(t, db)
	d := &partyworks.Directive{OwnerID: ids["D1"], Symbol: "12-KH/HU", Title: "Kế hoạch đại hội", Issued: day("2025-06-01")}
	if err := tasks.CreateDirective(ctx, d); err != nil {
		t.Fatal(err)
	}
	for i, m := range []struct{ to, from, day string }{{"D2", "D1", "2025-07-01"}, {"C3", "C2", "2025-08-01"}} {
		if _, err := units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day(m.day),
			Decision: fmt.Sprintf("%d/NQ-UBTVQH15", 1679+i), Unit: ids[m.to], Sources: []int64{ids[m.from]}}); err != nil {
			t.Fatal(err)
		}
	}
	setToday(db, "2025-07-01")
	// A third session holds C2's row, so that the assignment stops at its
	// INSERT (the foreign key) while it holds what it took before.
	blk, schema := otherSession(t, db)
	if _, err := blk.Exec(`SELECT id FROM `+schema+`.units WHERE id = $1 FOR UPDATE`, ids["C2"]); err != nil {
		t.Fatal(err)
	}
	assigned, reminded := make(chan error, 1), make(chan error, 1)
	go func() {
		_, err := tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: d.ID, Units: []int64{ids["C2"]}, At: day("2025-06-30"),
			Title: "Chuẩn bị", Start: day("2025-06-30"), Deadline: day("2025-09-30")})
		assigned <- err
	}()
	waitForLockWaiters(t, db, 1, nil)
	go func() { _, err := tasks.Remind(ctx, partyworks.RemindConfig{}); reminded <- err }()
	waitForLockWaiters(t, db, 2, nil)
	if err := blk.Rollback(); err != nil {
		t.Fatal(err)
	}
	for what, ch := range map[string]chan error{"assignment": assigned, "hand-over": reminded} {
		select {
		case err := <-ch:
			if err != nil {
				t.Errorf("the %s: %v", what, err)
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("the %s did not finish", what)
		}
	}
}

// The hourly hand-over beside a progress report on a task it is about to
// move: the report holds the task and then writes the audit trail, the
// hand-over must not hold the trail's head while it waits for the task.
func TestHandOverBesideAProgressReport(t *testing.T) {
	db := sqldbtest.Postgres(t)
	ctx := context.Background()
	setToday(db, "2025-06-10")
	units, tasks, ids := taskTree(t, db)
	docs := sqldb.NewDocumentService(db, nil)
	if err := docs.SetIssuer(ctx, ids["C1"], "ĐU"); err != nil {
		t.Fatal(err)
	}
	if err := docs.RegisterDocument(ctx, partyworks.Viewer{System: true}, &partyworks.Document{UnitID: ids["C1"], Direction: partyworks.Outgoing,
		Symbol: partyworks.Symbol{Type: "KH"}, Issued: day("2025-06-10"), Summary: "Kế hoạch"}); err != nil {
		t.Fatal(err)
	}
	congressTask(t, tasks, ids, "C2")
	var task int64
	if err := sqldb.QueryRowRaw(ctx, db, `SELECT id FROM tasks WHERE unit_id = ?`, ids["C2"]).Scan(&task); err != nil {
		t.Fatal(err)
	}
	// C1 (its register) and C2 (its task) merge into C3 on 07-01, C1 first.
	if _, err := units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2025-07-01"),
		Decision: "1679/NQ-UBTVQH15", Unit: ids["C3"], Sources: []int64{ids["C1"], ids["C2"]}}); err != nil {
		t.Fatal(err)
	}
	setToday(db, "2025-07-01")
	handOverBesideAReport(t, db, tasks, task, func(report *sql.Tx, schema string) {
		if _, err := report.Exec(`UPDATE ` + schema + `.audit_head SET seq = seq WHERE id = 1`); err != nil {
			t.Errorf("the report's audit entry: %v", err)
		}
	})
}

// handOverBesideAReport runs the hourly hand-over while another session,
// a progress report, holds task and then does then before it commits.
func handOverBesideAReport(t *testing.T, db *sqldb.DB, tasks *sqldb.TaskService, task int64, then func(report *sql.Tx, schema string)) {
	t.Helper()
	report, schema := otherSession(t, db)
	if _, err := report.Exec(`UPDATE `+schema+`.tasks SET version = version + 1 WHERE id = $1`, task); err != nil {
		t.Fatal(err)
	}
	reminded := make(chan error, 1)
	go func() { _, err := tasks.Remind(context.Background(), partyworks.RemindConfig{}); reminded <- err }()
	waitForLockWaiters(t, db, 1, nil)
	then(report, schema)
	if err := report.Commit(); err != nil {
		t.Errorf("the report: %v", err)
	}
	select {
	case err := <-reminded:
		if err != nil {
			t.Errorf("the hand-over: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the hand-over did not finish")
	}
}

// Two communes of one district merge into a commune of another, recorded
// ahead; on the day a progress report holds the second commune's task and
// then needs the district's counters while the hourly hand-over runs:
// the hand-over locks every task it will move before any counter, so the
// report goes through and the hand-over after it.
func TestHandOverBesideAReportOnItsCounters(t *testing.T) {
	db := sqldbtest.Postgres(t)
	sqldb.NoRetries(db) // the hand-over would run again after a deadlock
	ctx := context.Background()
	setToday(db, "2025-06-10")
	units, tasks, ids := taskTree(t, db)
	d := congressTask(t, tasks, ids, "C1")
	if _, err := tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: d.ID, Units: []int64{ids["C2"]}, Title: "Chuẩn bị",
		Start: day("2025-06-10"), Deadline: day("2025-09-30")}); err != nil {
		t.Fatal(err)
	}
	var t2 int64
	if err := sqldb.QueryRowRaw(ctx, db, `SELECT id FROM tasks WHERE unit_id = ?`, ids["C2"]).Scan(&t2); err != nil {
		t.Fatal(err)
	}
	if _, err := units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2025-07-01"),
		Decision: "1679/NQ-UBTVQH15", Unit: ids["C3"], Sources: []int64{ids["C1"], ids["C2"]}}); err != nil {
		t.Fatal(err)
	}
	setToday(db, "2025-07-01")
	handOverBesideAReport(t, db, tasks, t2, func(report *sql.Tx, schema string) {
		if _, err := report.Exec(`UPDATE `+schema+`.task_counts SET tasks = tasks WHERE directive_id = $1 AND unit_id = $2`, d.ID, ids["D1"]); err != nil {
			t.Errorf("the report's counters: %v", err)
		}
	})
	if _, n, _ := tasks.FindTasks(ctx, partyworks.TaskFilter{UnitID: ids["C3"]}); n != 2 {
		t.Errorf("C3 holds %d tasks, want C1's and C2's", n)
	}
}

// A transaction's audit entries are written just before it commits: until
// then it does not hold the trail's head, which every writer that audits
// takes (held from the first entry on, it deadlocked with transactions
// that lock a row first and audit after).
func TestAuditHeadTakenAtCommit(t *testing.T) {
	db := sqldbtest.Postgres(t)
	ctx := context.Background()
	setToday(db, "2025-06-10")
	_, tasks, ids := taskTree(t, db)
	d := congressTask(t, tasks, ids, "")
	if _, err := sqldb.AssignHeld(ctx, db, partyworks.TaskAssign{DirectiveID: d.ID, Units: []int64{ids["C1"]}, At: day("2025-06-10"), Title: "Chuẩn bị",
		Start: day("2025-06-10"), Deadline: day("2025-09-30")}, func() {
		other, schema := otherSession(t, db)
		defer other.Rollback() // before the assignment commits
		if _, err := other.Exec(`SET LOCAL lock_timeout = '2s'`); err != nil {
			t.Fatal(err)
		}
		if _, err := other.Exec(`UPDATE ` + schema + `.audit_head SET seq = seq WHERE id = 1`); err != nil {
			t.Errorf("another writer's audit entry waited for an assignment still at work: %v", err)
		}
	}); err != nil {
		t.Fatal(err)
	}
	entries, err := sqldb.NewAuditService(db).FindAuditEntries(ctx, partyworks.AuditFilter{Action: "task.assign", Limit: 5})
	if err != nil || len(entries) != 1 {
		t.Errorf("the assignment's entry after its commit: %d, %v", len(entries), err)
	}
}

// otherSession begins a transaction in a PostgreSQL session of its own on
// db's database (another node's); schema names db's tables there.
func otherSession(t *testing.T, db *sqldb.DB) (*sql.Tx, string) {
	t.Helper()
	ctx := context.Background()
	raw, err := sql.Open("pgx", sqldbtest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	var schema string
	if err := sqldb.QueryRowRaw(ctx, db, `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback() })
	return tx, schema
}

// waitForLockWaiters waits, up to 5 s, until n sessions on db's database
// wait for a lock, or done holds an answer.
func waitForLockWaiters(t *testing.T, db *sqldb.DB, n int, done chan error) {
	t.Helper()
	for range 100 {
		var k int
		if err := sqldb.QueryRowRaw(context.Background(), db, `SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`).Scan(&k); err != nil {
			t.Error(err)
		}
		if k >= n || len(done) > 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The tree's lock is an installation's own: PostgreSQL's advisory locks
// hold across a database, and two installations in two schemas of one
// database (as the tests are) waited for each other. Within one schema
// it still makes the second writer wait.
func TestTreeLockPerSchema(t *testing.T) {
	ctx := context.Background()
	one, other := sqldbtest.Postgres(t), sqldbtest.Postgres(t)
	holding, release := make(chan struct{}), make(chan struct{})
	held := make(chan error, 1)
	go func() { held <- sqldb.LockTreeHeld(ctx, one, func() { close(holding); <-release }) }()
	<-holding
	otherDone := make(chan error, 1)
	go func() { otherDone <- sqldb.LockTreeHeld(ctx, other, nil) }()
	select {
	case err := <-otherDone:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("another schema's writer waited for this one's tree lock")
	}
	sameDone := make(chan error, 1)
	go func() { sameDone <- sqldb.LockTreeHeld(ctx, one, nil) }()
	select {
	case <-sameDone:
		t.Error("a second writer of the same schema did not wait for the tree lock")
	case <-time.After(500 * time.Millisecond):
	}
	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if err := <-sameDone; err != nil {
		t.Fatal(err)
	}
}
