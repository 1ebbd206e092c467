package sqldb_test

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

// TestMemberWrittenIntoAnEndedUnitFollowsIt: a merge is recorded ahead of
// its day; a member admitted afterwards into the cell that merges away,
// and members imported there, are in it until the merge and in the cell
// that took it from the merge on, like the member the merge itself moved
// (they were left in the ended cell, in no list from that day). The
// statistics agree with a recount on every day.
func TestMemberWrittenIntoAnEndedUnitFollowsIt(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newMemberFixture(t, db)
		c1, c2, w1 := f.ids["C1"], f.ids["C2"], f.ids["W1"]
		f.now = day("2021-06-10").Add(3 * time.Hour)
		f.add(t, "Lê Thị Sớm", partyworks.Female, "1990-04-04", "C2", partyworks.StatusOfficial)
		f.now = day("2021-06-15").Add(3 * time.Hour)
		mustChange(t, f.units, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2021-07-01"), Decision: "5-QĐ/TU",
			Unit: c1, Sources: []int64{c2}})
		f.now = day("2021-06-20").Add(3 * time.Hour)
		late := f.add(t, "Lê Thị Muộn", partyworks.Female, "1990-04-04", "C2", partyworks.StatusOfficial)
		f.now = day("2021-06-22").Add(3 * time.Hour)
		if res := importCSV(t, f, "late", "Phạm Thị Nhập", "C2", 3, 0, day("2021-06-22"), nil); res.Inserted != 3 {
			t.Fatalf("imported %d of 3: %v", res.Inserted, res.Errors)
		}
		want := []string{"Lê Thị Muộn", "Lê Thị Sớm", "Phạm Thị Nhập 0", "Phạm Thị Nhập 1", "Phạm Thị Nhập 2"}
		// Today, between the merge's recording and its day: in C2 still
		// (a list of today read the members table alone, where they are
		// in C1 from the merge's day, and left them out of both cells).
		if got := inCell(t, f, c2, "2021-06-22"); !reflect.DeepEqual(got, want) {
			t.Errorf("C2 today, before its merge, lists %v; want %v", got, want)
		}
		if got := inCell(t, f, c1, "2021-06-22"); got != nil {
			t.Errorf("C1 today, before the merge, lists %v; want none of them", got)
		}
		if got := inCell(t, f, c1, "2021-07-01"); !reflect.DeepEqual(got, want) {
			t.Errorf("C1 on the merge's day (ahead of today) lists %v; want %v", got, want)
		}
		// In August the days below are past.
		f.now = day("2021-08-15").Add(3 * time.Hour)
		got, err := f.members.FindMemberByID(ctx, late.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.UnitID != c1 || partyworks.FormatDate(got.Since) != "2021-07-01" {
			t.Errorf("the member admitted into C2 before its merge is in unit %d since %s; want C1 (%d) since 2021-07-01",
				got.UnitID, partyworks.FormatDate(got.Since), c1)
		}
		for _, c := range []struct {
			under int64
			at    string
			want  []string
		}{
			{c2, "2021-06-22", want}, // in C2 before the merge
			{c1, "2021-06-22", nil},
			{c2, "2021-06-30", want},
			{c1, "2021-07-01", want}, // in C1 from it
			{c1, "2021-08-01", want},
			{w1, "2021-08-01", want},
			{c1, "2021-08-15", want}, // today
			{w1, "2021-08-15", want},
		} {
			if only := inCell(t, f, c.under, c.at); !reflect.DeepEqual(only, c.want) {
				t.Errorf("unit %d on %s lists %v; want %v", c.under, c.at, only, c.want)
			}
		}
		statsAgree(t, f, []string{"C1", "C2", "W1"}, []string{"2021-06-22", "2021-06-30", "2021-07-01", "2021-08-01", "2021-08-15"})
	})
}

// inCell lists, sorted, the names of TestMemberWrittenIntoAnEndedUnitFollowsIt's
// members in a unit's subtree on a day.
func inCell(t *testing.T, f *memberFixture, under int64, at string) []string {
	t.Helper()
	var out []string
	for _, n := range inCellAny(t, f, under, at) {
		if n == "Lê Thị Muộn" || n == "Lê Thị Sớm" || strings.HasPrefix(n, "Phạm Thị Nhập") {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}
