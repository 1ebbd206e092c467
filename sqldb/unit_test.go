package sqldb_test

import (
	"context"
	"os"
	"testing"
	"time"

	"partyworks"
	"partyworks/sheet"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

func day(s string) partyworks.Date {
	d, err := partyworks.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// mustImport imports rows given as code, name, kind, parent.
func mustImport(t testing.TB, units *sqldb.UnitService, at string, rows ...[4]string) {
	t.Helper()
	var rs []partyworks.UnitRow
	for i, r := range rows {
		rs = append(rs, partyworks.UnitRow{Line: i + 2, Code: r[0], Name: r[1], Kind: partyworks.UnitKind(r[2]), ParentCode: r[3]})
	}
	if _, err := units.ImportUnits(context.Background(), partyworks.UnitImport{Rows: rs, Effective: day(at)}); err != nil {
		t.Fatal(err)
	}
}

func mustCode(t testing.TB, units *sqldb.UnitService, code, at string) *partyworks.Unit {
	t.Helper()
	u, err := units.FindUnitByCode(context.Background(), code, day(at))
	if err != nil {
		t.Fatalf("%s on %s: %v", code, at, err)
	}
	return u
}

func childCodes(t testing.TB, units *sqldb.UnitService, parent int64, at string) []string {
	t.Helper()
	us, total, err := units.FindUnits(context.Background(), partyworks.UnitFilter{At: day(at), ParentID: &parent, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if total != len(us) {
		t.Fatalf("total %d, listed %d", total, len(us))
	}
	var out []string
	for _, u := range us {
		out = append(out, u.Code)
	}
	return out
}

func eq(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestUnitEvents(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		units := sqldb.NewUnitService(db)
		mustImport(t, units, "2020-01-01",
			[4]string{"22", "Tỉnh ủy Quảng Ninh", "province", ""},
			[4]string{"193", "Thành ủy Hạ Long", "provincial_city", "22"},
			[4]string{"207", "Huyện ủy Cô Tô", "district", "22"},
			[4]string{"06661", "Đảng ủy phường Hà Khánh", "ward", "193"},
			[4]string{"06664", "Đảng ủy phường Hà Phong", "ward", "193"},
			[4]string{"CB1", "Chi bộ khu 1", "cell", "06661"},
			[4]string{"CB2", "Chi bộ khu 2", "cell", "06661"},
		)
		hk := mustCode(t, units, "06661", "2024-01-01")
		if hk.Depth != 2 || hk.Children != 2 {
			t.Fatalf("Hà Khánh: depth %d children %d", hk.Depth, hk.Children)
		}

		// Re-parent Hà Khánh under Cô Tô from 2025-01-01: its cells follow.
		if _, err := units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventReparent, Effective: day("2025-01-01"), Decision: "12-QĐ/TU",
			Unit: hk.ID, Parent: mustCode(t, units, "207", "2024-01-01").ID}); err != nil {
			t.Fatal(err)
		}
		halong := mustCode(t, units, "193", "2024-01-01")
		coto := mustCode(t, units, "207", "2024-01-01")
		if got := childCodes(t, units, halong.ID, "2024-12-31"); !eq(got, []string{"06661", "06664"}) {
			t.Errorf("Hạ Long on 31/12/2024: %v", got)
		}
		if got := childCodes(t, units, halong.ID, "2025-01-01"); !eq(got, []string{"06664"}) {
			t.Errorf("Hạ Long on 01/01/2025: %v", got)
		}
		if got := childCodes(t, units, coto.ID, "2025-01-01"); !eq(got, []string{"06661"}) {
			t.Errorf("Cô Tô on 01/01/2025: %v", got)
		}
		under := coto.ID
		sub, _, _ := units.FindUnits(ctx, partyworks.UnitFilter{At: day("2025-06-01"), Under: &under})
		if len(sub) != 3 {
			t.Errorf("Cô Tô's subtree after the move has %d units, want 3 (the ward and its two cells)", len(sub))
		}
		cb1 := mustCode(t, units, "CB1", "2025-06-01")
		// What an access check reads: the path on a day and the latest.
		for _, c := range []struct{ at, atPath string }{
			{"2024-06-01", mustCode(t, units, "CB1", "2024-06-01").Path}, {"2025-06-01", cb1.Path}, {"2019-01-01", ""},
		} {
			atPath, last, err := units.FindUnitPaths(ctx, cb1.ID, day(c.at))
			if err != nil || atPath != c.atPath || last != cb1.Path {
				t.Errorf("CB1's paths on %s: %q, %q, %v; want %q, %q", c.at, atPath, last, err, c.atPath, cb1.Path)
			}
		}
		if before := mustCode(t, units, "CB1", "2024-06-01").Path; before == cb1.Path {
			t.Fatalf("CB1's path did not change with the move: %s", cb1.Path)
		}
		if _, _, err := units.FindUnitPaths(ctx, 999999, day("2025-06-01")); partyworks.ErrorCode(err) != partyworks.ENOTFOUND {
			t.Errorf("a unit that does not exist: %v", err)
		}
		anc, err := units.Ancestors(ctx, cb1, day("2025-06-01"))
		if err != nil || len(anc) != 3 || anc[1].Code != "207" {
			t.Errorf("ancestors of CB1 after the move: %v %v", anc, err)
		}
		anc, _ = units.Ancestors(ctx, mustCode(t, units, "CB1", "2024-06-01"), day("2024-06-01"))
		if len(anc) != 3 || anc[1].Code != "193" {
			t.Errorf("ancestors of CB1 before the move: %v", anc)
		}

		// Rename, then merge Hà Phong into Hà Khánh, then dissolve a cell.
		if _, err := units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventRename, Effective: day("2025-03-01"), Decision: "13-QĐ/TU",
			Unit: hk.ID, Name: "Đảng ủy phường Hà Khánh mới"}); err != nil {
			t.Fatal(err)
		}
		hp := mustCode(t, units, "06664", "2025-03-01")
		if _, err := units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2025-07-01"), Decision: "1679/NQ-UBTVQH15",
			Unit: hk.ID, Sources: []int64{hp.ID}}); err != nil {
			t.Fatal(err)
		}
		if _, err := units.FindUnitByID(ctx, hp.ID, day("2025-07-01")); partyworks.ErrorCode(err) != partyworks.ENOTFOUND {
			t.Errorf("Hà Phong after the merge: %v", err)
		}
		if u, _ := units.FindUnitByID(ctx, hp.ID, day("2025-06-30")); u == nil || u.LastDay() != day("2025-06-30") {
			t.Errorf("Hà Phong's last day: %+v", u)
		}
		if u, _ := units.FindUnitByID(ctx, hk.ID, day("2025-02-28")); u == nil || u.Name != "Đảng ủy phường Hà Khánh" {
			t.Errorf("the old name before the rename: %+v", u)
		}
		events, err := units.FindUnitEvents(ctx, hk.ID)
		if err != nil || len(events) != 4 {
			t.Fatalf("Hà Khánh's history: %d events, %v", len(events), err)
		}
		if events[3].Type != partyworks.EventMerge || len(events[3].Sources) != 1 || events[3].Sources[0].Code != "06664" || events[3].Decision != "1679/NQ-UBTVQH15" {
			t.Errorf("merge event: %+v", events[3])
		}

		// Bad input: each a clear error, nothing written.
		cb2 := mustCode(t, units, "CB2", "2025-07-01")
		for name, c := range map[string]partyworks.UnitChange{
			"cycle":                  {Type: partyworks.EventReparent, Effective: day("2025-08-01"), Decision: "1-QĐ/TU", Unit: hk.ID, Parent: cb2.ID},
			"into itself":            {Type: partyworks.EventMerge, Effective: day("2025-08-01"), Decision: "1-QĐ/TU", Unit: hk.ID, Sources: []int64{hk.ID}},
			"before it was":          {Type: partyworks.EventRename, Effective: day("2019-01-01"), Decision: "1-QĐ/TU", Unit: hk.ID, Name: "X"},
			"bad symbol":             {Type: partyworks.EventRename, Effective: day("2025-08-01"), Decision: "QĐ 1", Unit: hk.ID, Name: "X"},
			"out of order":           {Type: partyworks.EventRename, Effective: day("2025-02-01"), Decision: "1-QĐ/TU", Unit: hk.ID, Name: "X"},
			"duplicate code":         {Type: partyworks.EventEstablish, Effective: day("2025-08-01"), Decision: "1-QĐ/TU", Parent: hk.ID, Code: "CB1", Name: "Chi bộ", Kind: partyworks.KindCell},
			"dissolve with children": {Type: partyworks.EventDissolve, Effective: day("2025-08-01"), Decision: "1-QĐ/TU", Unit: hk.ID},
			"stale version":          {Type: partyworks.EventRename, Effective: day("2025-08-01"), Decision: "1-QĐ/TU", Unit: hk.ID, Name: "X", Version: 1},
		} {
			_, err := units.ApplyUnitChange(ctx, c)
			code := partyworks.ErrorCode(err)
			if code != partyworks.EINVALID && code != partyworks.ECONFLICT {
				t.Errorf("%s: want a clear error, got %v", name, err)
			}
			if after, _ := units.FindUnitEvents(ctx, hk.ID); len(after) != len(events) {
				t.Errorf("%s: an event was written", name)
			}
		}
		if _, err := units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventDissolve, Effective: day("2025-08-01"), Decision: "1-QĐ/TU", Unit: cb2.ID}); err != nil {
			t.Fatal(err)
		}
		if got := childCodes(t, units, hk.ID, "2025-08-01"); !eq(got, []string{"CB1"}) {
			t.Errorf("after dissolving CB2: %v", got)
		}

		// Split Hà Khánh between two new wards; CB1 goes to the second.
		var ids []int64
		for _, c := range []string{"W1", "W2"} {
			ev, err := units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventEstablish, Effective: day("2026-01-01"), Decision: "2-QĐ/TU",
				Parent: coto.ID, Code: c, Name: "Đảng ủy phường " + c, Kind: partyworks.KindWard})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, ev.Targets[0].ID)
		}
		if _, err := units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventSplit, Effective: day("2026-01-01"), Decision: "2-QĐ/TU",
			Unit: hk.ID, Targets: ids, Assign: map[int64]int64{cb1.ID: ids[1]}}); err != nil {
			t.Fatal(err)
		}
		if got := childCodes(t, units, ids[1], "2026-01-01"); !eq(got, []string{"CB1"}) {
			t.Errorf("W2 after the split: %v", got)
		}
		if got := childCodes(t, units, coto.ID, "2026-01-01"); !eq(got, []string{"W1", "W2"}) {
			t.Errorf("Cô Tô after the split: %v", got)
		}
		if got := childCodes(t, units, coto.ID, "2025-12-31"); !eq(got, []string{"06661"}) {
			t.Errorf("Cô Tô the day before the split: %v", got)
		}
	})
}

func TestImportUnitsErrors(t *testing.T) {
	db := sqldbtest.SQLite(t)
	units := sqldb.NewUnitService(db)
	rows := []partyworks.UnitRow{
		{Line: 2, Code: "A", Name: "A", Kind: partyworks.KindProvince},
		{Line: 3, Code: "B", Name: "B", Kind: partyworks.KindCommune, ParentCode: "C"},
		{Line: 4, Code: "C", Name: "C", Kind: partyworks.KindCommune, ParentCode: "B"},
		{Line: 5, Code: "D", Name: "D", Kind: partyworks.KindCell, ParentCode: "ZZ"},
	}
	_, err := units.ImportUnits(context.Background(), partyworks.UnitImport{Rows: rows, Effective: day("2020-01-01")})
	errs, ok := err.(partyworks.RowErrors)
	if !ok || len(errs) != 3 {
		t.Fatalf("want 3 row errors (two on a cycle, one unknown parent), got %v", err)
	}
	if errs[0].Line != 3 || errs[2].Line != 5 || errs[2].Column != "parent_code" {
		t.Errorf("errors: %+v", errs)
	}
	if _, n, _ := units.FindUnits(context.Background(), partyworks.UnitFilter{At: day("2021-01-01")}); n != 0 {
		t.Errorf("%d units were written by a failed import", n)
	}
}

// importNational imports the real national tree of 1 March 2025.
func importNational(t testing.TB, units *sqldb.UnitService) {
	t.Helper()
	f, err := os.Open("../demo/data/units-2025-03.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tab, err := sheet.Read(f, "units-2025-03.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := partyworks.UnitRowsFromTable(tab)
	if err != nil {
		t.Fatal(err)
	}
	res, err := units.ImportUnits(context.Background(), partyworks.UnitImport{Rows: rows, Effective: day("2020-01-01")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 63+696+10047 {
		t.Fatalf("created %d units", res.Created)
	}
}

func readPlan(t testing.TB) []partyworks.PlanRow {
	t.Helper()
	f, err := os.Open("../demo/data/reorg-2025-07.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tab, err := sheet.Read(f, "reorg-2025-07.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := partyworks.PlanFromTable(tab)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestNationalReorganization(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		if testing.Short() && db.Postgres() {
			t.Skip("short")
		}
		ctx := context.Background()
		units := sqldb.NewUnitService(db)
		importNational(t, units)
		qn := mustCode(t, units, "22", "2025-06-30")
		if qn.Name != "Tỉnh ủy Quảng Ninh" || qn.Kind != partyworks.KindProvince || qn.Children != 13 {
			t.Fatalf("Quảng Ninh: %+v", qn)
		}
		if hl := mustCode(t, units, "193", "2025-06-30"); hl.Name != "Thành ủy Hạ Long" {
			t.Errorf("Hạ Long: %q", hl.Name)
		}
		// Importing the same file again changes nothing.
		f, _ := os.Open("../demo/data/units-2025-03.csv")
		tab, _ := sheet.Read(f, "units.csv")
		f.Close()
		rows, _ := partyworks.UnitRowsFromTable(tab)
		res, err := units.ImportUnits(ctx, partyworks.UnitImport{Rows: rows, Effective: day("2020-01-01")})
		if err != nil || res.Created != 0 || res.Skipped != len(rows) {
			t.Fatalf("re-import: %+v %v", res, err)
		}

		plan := &partyworks.Plan{Effective: day("2025-07-01"), Decision: "60-NQ/TW", Rows: readPlan(t)}
		start := time.Now()
		pv, err := units.PreviewRestructure(ctx, plan)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("preview in %v: created %d, merged %d, renamed %d, reparented %d, dissolved %d, split %d, review %d, unchanged %d",
			time.Since(start), len(pv.Created), len(pv.Merged), len(pv.Renamed), len(pv.Reparented), len(pv.Dissolved), len(pv.Split), len(pv.Review), pv.Unchanged)
		if _, n, _ := units.FindUnits(ctx, partyworks.UnitFilter{At: day("2025-07-01")}); n != 63+696+10047 {
			t.Fatalf("the preview changed the tree: %d units on 01/07/2025", n)
		}
		if len(pv.Split) != 460 {
			t.Errorf("split: %d, want the 460 communes divided among several new ones", len(pv.Split))
		}
		applied, err := units.ApplyRestructure(ctx, plan)
		if err != nil {
			t.Fatal(err)
		}
		if !applied.Applied || len(applied.Split) != len(pv.Split) || len(applied.Dissolved) != len(pv.Dissolved) {
			t.Errorf("applying did not do what the preview said: %d/%d split, %d/%d dissolved", len(applied.Split), len(pv.Split), len(applied.Dissolved), len(pv.Dissolved))
		}
		t.Logf("applied with preview in %v", time.Since(start))

		// The day before: exactly as it was.
		if got := childCodes(t, units, qn.ID, "2025-06-30"); len(got) != 13 {
			t.Errorf("Quảng Ninh on 30/06/2025 has %d children, want the 13 district-level committees", len(got))
		}
		if _, n, _ := units.FindUnits(ctx, partyworks.UnitFilter{At: day("2025-06-30")}); n != 63+696+10047 {
			t.Errorf("the tree on 30/06/2025 has %d units", n)
		}
		// From the effective day: 34 provinces, 3,321 communes, no district.
		provinces, n, _ := units.FindUnits(ctx, partyworks.UnitFilter{At: day("2025-07-01"), ParentID: new(int64), Limit: 100})
		if n != 34 {
			t.Errorf("%d provinces on 01/07/2025, want 34", n)
		}
		_ = provinces
		if _, n, _ := units.FindUnits(ctx, partyworks.UnitFilter{At: day("2025-07-01")}); n != 34+3321 {
			t.Errorf("%d units on 01/07/2025, want 34 + 3,321", n)
		}
		kids := childCodes(t, units, qn.ID, "2025-07-01")
		if len(kids) != 54 {
			t.Errorf("Quảng Ninh on 01/07/2025 has %d children, want 54", len(kids))
		}
		for _, c := range childCodes(t, units, qn.ID, "2025-06-30") {
			d := mustCode(t, units, c, "2025-06-30")
			if !d.Ended() || d.LastDay() != day("2025-06-30") {
				t.Errorf("district %s %s: last day %v", d.Code, d.Name, d.LastDay())
			}
		}
		// Quảng Ninh carries on unchanged: the plan records no event on it;
		// a renamed ward gets a rename, not a merge.
		if evs, _ := units.FindUnitEvents(ctx, qn.ID); len(evs) != 1 || evs[0].Type != partyworks.EventEstablish {
			t.Errorf("Quảng Ninh's history after the plan: %d events", len(evs))
		}
		// A merged province: Hà Giang (02) went into Tuyên Quang (08).
		if _, err := units.FindUnitByCode(ctx, "02", day("2025-07-01")); partyworks.ErrorCode(err) != partyworks.ENOTFOUND {
			t.Errorf("Hà Giang on 01/07/2025: %v", err)
		}
		// A new province named after another's code: Lào Cai carries Yên Bái's 15.
		if u := mustCode(t, units, "15", "2025-07-01"); u.Name != "Tỉnh ủy Lào Cai" {
			t.Errorf("15 on 01/07/2025: %q", u.Name)
		}
		// A special zone from a whole district.
		if u := mustCode(t, units, "11948", "2025-07-01"); u.Kind != partyworks.KindSpecialZone || u.Name != "Đảng ủy đặc khu Bạch Long Vĩ" {
			t.Errorf("Bạch Long Vĩ: %+v", u)
		}
		// Applying the same plan again is refused: its old units are gone.
		if _, err := units.ApplyRestructure(ctx, plan); partyworks.ErrorCode(err) != partyworks.EINVALID {
			t.Errorf("applying twice: %v", err)
		}
	})
}

func TestRestructureErrors(t *testing.T) {
	db := sqldbtest.SQLite(t)
	units := sqldb.NewUnitService(db)
	mustImport(t, units, "2020-01-01",
		[4]string{"22", "Tỉnh ủy Quảng Ninh", "province", ""},
		[4]string{"193", "Thành ủy Hạ Long", "provincial_city", "22"},
		[4]string{"06661", "Đảng ủy phường Hà Khánh", "ward", "193"},
		[4]string{"06664", "Đảng ủy phường Hà Phong", "ward", "193"},
		[4]string{"CB1", "Chi bộ khu 1", "cell", "06664"},
	)
	ctx := context.Background()
	for name, rows := range map[string][]partyworks.PlanRow{
		"unknown old code": {{Line: 2, NewCode: "06661", NewName: "Đảng ủy phường Hà Khánh", NewKind: partyworks.KindWard, NewParentCode: "22", OldCode: "99999"}},
		"unknown parent":   {{Line: 2, NewCode: "06661", NewName: "Đảng ủy phường Hà Khánh", NewKind: partyworks.KindWard, NewParentCode: "77", OldCode: "06661"}},
		"wholly twice": {
			{Line: 2, NewCode: "06661", NewName: "A", NewKind: partyworks.KindWard, NewParentCode: "22", OldCode: "06664"},
			{Line: 3, NewCode: "N2", NewName: "B", NewKind: partyworks.KindWard, NewParentCode: "22", OldCode: "06664"},
		},
	} {
		_, err := units.ApplyRestructure(ctx, &partyworks.Plan{Effective: day("2025-07-01"), Decision: "60-NQ/TW", Rows: rows})
		if _, ok := err.(partyworks.RowErrors); !ok {
			t.Errorf("%s: want row errors, got %v", name, err)
		}
	}
	// A working plan: Hà Phong is split between Hà Khánh and a new ward,
	// Hạ Long is emptied and ends; its cell goes where it is assigned.
	rows := []partyworks.PlanRow{
		{Line: 2, NewCode: "06661", NewName: "Đảng ủy phường Hà Khánh", NewKind: partyworks.KindWard, NewParentCode: "22", OldCode: "06661"},
		{Line: 3, NewCode: "06661", NewName: "Đảng ủy phường Hà Khánh", NewKind: partyworks.KindWard, NewParentCode: "22", OldCode: "06664", Partial: true},
		{Line: 4, NewCode: "N2", NewName: "Đảng ủy phường Mới", NewKind: partyworks.KindWard, NewParentCode: "22", OldCode: "06664", Partial: true},
	}
	plan := &partyworks.Plan{Effective: day("2025-07-01"), Decision: "60-NQ/TW", Rows: rows}
	pv, err := units.PreviewRestructure(ctx, plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(pv.Review) != 1 || pv.Review[0].Child.Code != "CB1" || pv.Review[0].Default.Code != "06661" || len(pv.Review[0].Options) != 2 {
		t.Fatalf("review: %+v", pv.Review)
	}
	var dissolved []string
	for _, d := range pv.Dissolved {
		dissolved = append(dissolved, d.Code)
	}
	if !eq(dissolved, []string{"06664", "193"}) {
		t.Errorf("dissolved: %v", dissolved)
	}
	n2 := pv.Review[0].Options[1]
	if n2.Code != "N2" {
		t.Fatalf("options: %+v", pv.Review[0].Options)
	}
	// The preview's ids of new units are not kept; assign by the applied run.
	plan.Assign = map[int64]string{pv.Review[0].Child.ID: "06661"}
	if _, err := units.ApplyRestructure(ctx, plan); err != nil {
		t.Fatal(err)
	}
	hk := mustCode(t, units, "06661", "2025-07-01")
	if got := childCodes(t, units, hk.ID, "2025-07-01"); !eq(got, []string{"CB1"}) {
		t.Errorf("Hà Khánh's children: %v", got)
	}
	if hk.ParentID != mustCode(t, units, "22", "2025-07-01").ID {
		t.Errorf("Hà Khánh not under the province")
	}
}
