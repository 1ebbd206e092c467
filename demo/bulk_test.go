package demo_test

import (
	"context"
	"io"
	"reflect"
	"testing"

	"partyworks"
	"partyworks/demo"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

// TestSeedProvinceScale seeds the province scale with fewer members (the
// full 104,000 take seconds; the national 5.6 million minutes: see
// docs/PERFORMANCE.md) and checks that the bulk members went into new
// cells of every commune of Quảng Ninh, with the distributions drawn,
// and that the maintained statistics agree with a recount.
func TestSeedProvinceScale(t *testing.T) {
	db := sqldbtest.SQLite(t)
	ctx := context.Background()
	if _, err := demo.SeedWith(ctx, db, io.Discard, demo.Options{Scale: demo.ScaleProvince, Members: 6000}); err != nil {
		t.Fatal(err)
	}
	units := sqldb.NewUnitService(db)
	svc := sqldb.NewMemberService(db)
	qn := mustCode(t, units, "22", "2025-07-01")
	at := day("2026-01-01")
	st, err := svc.MemberStats(ctx, qn.ID, at)
	if err != nil {
		t.Fatal(err)
	}
	if n := st.Total(); n < 6000 || n > 6600 {
		t.Errorf("%d members in Quảng Ninh, want the 6,000 bulk members and the story's few hundred", n)
	}
	if k, all := st.Counts["ethnicity"]["Kinh"], st.Counts["status"]["official"]; k*100 < all*60 || k == all {
		t.Errorf("%d Kinh of %d official members: want a Kinh majority with minorities", k, all)
	}
	if f, m := st.Counts["sex"]["nữ"], st.Counts["sex"]["nam"]; f*100 < (f+m)*25 || f > m {
		t.Errorf("%d women, %d men", f, m)
	}
	if st.Counts["status"]["exempted"] == 0 {
		t.Error("no elderly member exempted")
	}
	want, err := svc.RecountMemberStats(ctx, qn.ID, at)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st.Counts, want.Counts) {
		t.Errorf("maintained %v\nrecounted %v", st.Counts["status"], want.Counts["status"])
	}
	// Every commune-level committee of the province got cells with members.
	communes, _, err := units.FindUnits(ctx, partyworks.UnitFilter{At: at, ParentID: &qn.ID, Kinds: []partyworks.UnitKind{partyworks.KindWard, partyworks.KindCommune, partyworks.KindSpecialZone}, Limit: 100})
	if err != nil || len(communes) != 54 {
		t.Fatalf("%d communes: %v", len(communes), err)
	}
	for _, c := range communes {
		cs, err := svc.MemberStats(ctx, c.ID, at)
		if err != nil {
			t.Fatal(err)
		}
		if cs.Total() == 0 {
			t.Errorf("%s (%s) has no members", c.Name, c.Code)
		}
	}
	// Before the day the bulk members entered, only the story counts.
	before, _ := svc.MemberStats(ctx, qn.ID, day("2025-06-30"))
	if before.Total() > 600 {
		t.Errorf("%d members on 30/06/2025: the bulk members entered on 01/07/2025", before.Total())
	}
}
