package sqldb_test

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"partyworks"
	"partyworks/sheet"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

// memberFixture is a small tree with a clock:
//
//	22 province ─ 193 city ─ W1 ward ─ C1, C2 cells
//	                      └─ W2 ward ─ C3 cell
//	           └─ 207 district ─ W3 ward ─ C4 cell
type memberFixture struct {
	db      *sqldb.DB
	units   *sqldb.UnitService
	members *sqldb.MemberService
	now     time.Time
	ids     map[string]int64
	cid     int
}

func newMemberFixture(t *testing.T, db *sqldb.DB) *memberFixture {
	f := &memberFixture{db: db, now: time.Date(2020, 1, 1, 5, 0, 0, 0, time.UTC), ids: map[string]int64{}}
	db.Now = func() time.Time { return f.now }
	f.units = sqldb.NewUnitService(db)
	f.members = sqldb.NewMemberService(db)
	mustImport(t, f.units, "2019-01-01",
		[4]string{"22", "Tỉnh ủy Quảng Ninh", "province", ""},
		[4]string{"193", "Thành ủy Hạ Long", "provincial_city", "22"},
		[4]string{"W1", "Đảng ủy phường Một", "ward", "193"},
		[4]string{"C1", "Chi bộ khu 1", "cell", "W1"},
		[4]string{"C2", "Chi bộ khu 2", "cell", "W1"},
		[4]string{"W2", "Đảng ủy phường Hai", "ward", "193"},
		[4]string{"C3", "Chi bộ khu 3", "cell", "W2"},
		[4]string{"207", "Huyện ủy Cô Tô", "district", "22"},
		[4]string{"W3", "Đảng ủy thị trấn Ba", "township", "207"},
		[4]string{"C4", "Chi bộ khu 4", "cell", "W3"},
	)
	for _, c := range []string{"22", "193", "W1", "C1", "C2", "W2", "C3", "207", "W3", "C4"} {
		f.ids[c] = mustCode(t, f.units, c, "2019-06-01").ID
	}
	return f
}

// file makes a members file (as read from a CSV) of n official members
// of unit, named name and a number, of one sex, born from birth on, a
// member every step days.
func (f *memberFixture) file(t *testing.T, n int, name string, sex partyworks.Sex, birth string, step int, unit string) *partyworks.Table {
	t.Helper()
	var b strings.Builder
	b.WriteString("citizen_id,full_name,sex,birth_date,unit_code,status,admitted,ethnicity\n")
	for i := range n {
		born := day(birth).AddDate(0, 0, i*step)
		fmt.Fprintf(&b, "%s,%s %d,%s,%s,%s,official,01/02/2015,Kinh\n", f.cidFor(born, sex), name, i,
			map[partyworks.Sex]string{partyworks.Male: "nam", partyworks.Female: "nữ"}[sex], partyworks.FormatDateVN(born), unit)
	}
	table, err := sheet.Read(strings.NewReader(b.String()), "members.csv")
	if err != nil {
		t.Fatal(err)
	}
	return table
}

// cidFor makes a valid citizen ID for a birth date and sex.
func (f *memberFixture) cidFor(birth partyworks.Date, sex partyworks.Sex) string {
	f.cid++
	code := (birth.Year()/100 - 19) * 2
	if sex == partyworks.Female {
		code++
	}
	return fmt.Sprintf("022%d%02d%06d", code, birth.Year()%100, f.cid)
}

func (f *memberFixture) add(t *testing.T, name string, sex partyworks.Sex, birth, unit string, st partyworks.MemberStatus) *partyworks.Member {
	t.Helper()
	m := &partyworks.Member{FullName: name, Sex: sex, BirthDate: day(birth), UnitID: f.ids[unit], Status: st,
		Ethnicity: "Kinh", Education: "12/12", Theory: "Sơ cấp"}
	m.CitizenID = f.cidFor(m.BirthDate, sex)
	if st.Member() {
		m.Admitted, m.Ceremony = day("2010-03-01"), day("2010-03-20")
	}
	if err := f.members.CreateMember(context.Background(), m); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return m
}

func TestMemberRecordSearchAndSort(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMemberFixture(t, db)
		ctx := context.Background()
		names := []string{"Nguyễn Văn An", "Đặng Thị Ánh", "Trần Văn Anh", "Lê Bình", "Phạm Thị Dương", "Hoàng Văn Đức", "Nguyễn Thị An"}
		for i, n := range names {
			f.add(t, n, []partyworks.Sex{partyworks.Male, partyworks.Female}[i%2], fmt.Sprintf("19%d-05-01", 70+i), "C1", partyworks.StatusOfficial)
		}
		list, total, err := f.members.FindMembers(ctx, partyworks.MemberFilter{Under: f.ids["193"]})
		if err != nil || total != len(names) {
			t.Fatalf("list: %d %v", total, err)
		}
		// A cell's list names the cell (without reading it again).
		cell, err := f.units.FindUnitByID(ctx, f.ids["C1"], partyworks.Date{})
		if err != nil {
			t.Fatal(err)
		}
		if inCell, _, err := f.members.FindMembers(ctx, partyworks.MemberFilter{Under: f.ids["C1"], Brief: true}); err != nil || len(inCell) == 0 || inCell[0].UnitName != cell.Name || cell.Name == "" {
			t.Errorf("a cell's list: %v %v, want the unit named %q", inCell, err, cell.Name)
		}
		// Its total is counted with its first page, and on a later page
		// alone: both the whole cell's; so is a filtered list's.
		first, n1, err := f.members.FindMembers(ctx, partyworks.MemberFilter{Under: f.ids["C1"], Limit: 3})
		if err != nil || len(first) != 3 || n1 != len(names) {
			t.Errorf("a cell's first page: %d of %d, %v; want 3 of %d", len(first), n1, err, len(names))
		}
		if _, n2, err := f.members.FindMembers(ctx, partyworks.MemberFilter{Under: f.ids["C1"], Limit: 3, After: first[2].Cursor}); err != nil || n2 != len(names) {
			t.Errorf("a cell's second page: total %d, %v; want %d", n2, err, len(names))
		}
		if women, n, err := f.members.FindMembers(ctx, partyworks.MemberFilter{Under: f.ids["193"], Sex: partyworks.Female, Limit: 2}); err != nil || len(women) != 2 || n != len(names)/2 {
			t.Errorf("women: %d of %d, %v; want 2 of %d", len(women), n, err, len(names)/2)
		}
		// A brief list reads the list's fields and leaves the record's
		// others empty; the same members, in the same order.
		brief, _, err := f.members.FindMembers(ctx, partyworks.MemberFilter{Under: f.ids["193"], Brief: true})
		if err != nil || len(brief) != len(list) {
			t.Fatalf("brief list: %d %v", len(brief), err)
		}
		for i, b := range brief {
			m := list[i]
			if b.ID != m.ID || b.Cursor != m.Cursor || b.FullName != m.FullName || b.CitizenID != m.CitizenID || b.Ethnicity != "Kinh" ||
				b.BirthDate != m.BirthDate || b.Ceremony != m.Ceremony || b.Status != m.Status || b.UnitName != m.UnitName || b.Version != m.Version {
				t.Errorf("brief %+v, full %+v", b, m)
			}
			if m.Education != "12/12" || b.Education != "" || b.Theory != "" {
				t.Errorf("education: full %q, brief %q %q", m.Education, b.Education, b.Theory)
			}
		}
		var got []string
		for _, m := range list {
			got = append(got, m.FullName)
		}
		// Given name first, Vietnamese collation (An < Anh < Ánh < Bình < Dương < Đức), then middle, then family.
		want := []string{"Nguyễn Thị An", "Nguyễn Văn An", "Trần Văn Anh", "Đặng Thị Ánh", "Lê Bình", "Phạm Thị Dương", "Hoàng Văn Đức"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("order:\n got %v\nwant %v", got, want)
		}
		for q, want := range map[string]int{"dang": 1, "nguyen van an": 1, "an": 4, "anh": 2, "NGUYỄN": 2, "duc": 1, "xyz": 0} {
			_, n, err := f.members.FindMembers(ctx, partyworks.MemberFilter{Query: q})
			if err != nil || n != want {
				t.Errorf("search %q: %d results (%v), want %d", q, n, err, want)
			}
		}
		one, n, _ := f.members.FindMembers(ctx, partyworks.MemberFilter{Query: list[3].CitizenID})
		if n != 1 || one[0].ID != list[3].ID {
			t.Errorf("by citizen ID: %d", n)
		}
		if _, n, _ := f.members.FindMembers(ctx, partyworks.MemberFilter{Under: f.ids["207"]}); n != 0 {
			t.Errorf("another subtree: %d", n)
		}
		if _, n, _ := f.members.FindMembers(ctx, partyworks.MemberFilter{Sex: partyworks.Female, Within: []string{"/nowhere/"}}); n != 0 {
			t.Errorf("outside the caller's subtrees: %d", n)
		}
		// Keyset pages cover the list once.
		page1, _, _ := f.members.FindMembers(ctx, partyworks.MemberFilter{Limit: 4})
		page2, _, _ := f.members.FindMembers(ctx, partyworks.MemberFilter{Limit: 4, After: page1[3].Cursor})
		if len(page2) != 3 || page2[0].FullName != "Lê Bình" {
			t.Errorf("second page: %d rows", len(page2))
		}
		// A citizen ID in use is refused, and nothing is written.
		dup := *list[0]
		dup.ID = 0
		if err := f.members.CreateMember(ctx, &dup); partyworks.ErrorCode(err) != partyworks.ECONFLICT {
			t.Errorf("duplicate citizen ID: %v", err)
		}
		bad := *list[0]
		bad.CitizenID = "022199001234"
		if err := f.members.CreateMember(ctx, &bad); partyworks.ErrorField(err) != "citizen_id" {
			t.Errorf("inconsistent citizen ID: %v", err)
		}
		// Update with a stale version is refused.
		m, _ := f.members.FindMemberByID(ctx, list[0].ID)
		m.Occupation = "Giáo viên"
		if err := f.members.UpdateMember(ctx, m); err != nil {
			t.Fatal(err)
		}
		m.Version = 1
		if err := f.members.UpdateMember(ctx, m); partyworks.ErrorCode(err) != partyworks.ECONFLICT {
			t.Errorf("stale update: %v", err)
		}
		if err := f.members.AddEntry(ctx, m.ID, &partyworks.MemberEntry{Kind: partyworks.EntryWork, From: day("2000-01-01"), Title: "Giáo viên"}); err != nil {
			t.Fatal(err)
		}
		if m, _ := f.members.FindMemberByID(ctx, m.ID); len(m.Entries) != 1 {
			t.Errorf("entries: %v", m.Entries)
		}
	})
}

func TestMemberLifecycle(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMemberFixture(t, db)
		f.now = time.Date(2025, 1, 2, 3, 0, 0, 0, time.UTC)
		ctx := partyworks.WithActor(context.Background(), partyworks.Actor{Username: "secretary", Addr: "test", OnBehalf: "Vũ Thị Hoa"})
		intro1 := f.add(t, "Bùi Văn Một", partyworks.Male, "1960-01-01", "C1", partyworks.StatusOfficial)
		intro2 := f.add(t, "Bùi Văn Hai", partyworks.Male, "1961-01-01", "C1", partyworks.StatusOfficial)
		young := f.add(t, "Vũ Thị Hoa", partyworks.Female, "2007-08-15", "C1", partyworks.StatusCandidate)
		step := func(m *partyworks.Member, in partyworks.StepInput) error {
			_, err := f.members.RecordStep(ctx, m.ID, in)
			return err
		}
		f.now = time.Date(2025, 12, 1, 3, 0, 0, 0, time.UTC)
		if err := step(young, partyworks.StepInput{Step: partyworks.StepApply, Date: day("2025-03-01")}); err != nil {
			t.Fatal(err)
		}
		err := step(young, partyworks.StepInput{Step: partyworks.StepResolve, Date: day("2025-08-01"), Introducers: []string{intro1.CitizenID, intro2.CitizenID}})
		if msg := partyworks.ErrorMessage(err); !strings.Contains(msg, "17 years 11 months") || !strings.Contains(msg, "294-QĐ/TW") {
			t.Fatalf("under age: %v", err)
		}
		if err := step(young, partyworks.StepInput{Step: partyworks.StepCeremony, Date: day("2025-08-01")}); partyworks.ErrorCode(err) != partyworks.ECONFLICT {
			t.Fatalf("ceremony before admission: %v", err)
		}
		for _, in := range []partyworks.StepInput{
			{Step: partyworks.StepResolve, Date: day("2025-08-20"), Introducers: []string{intro1.CitizenID, intro2.CitizenID}},
			{Step: partyworks.StepAdmit, Date: day("2025-09-10"), Decision: "120-QĐ/ĐU"},
			{Step: partyworks.StepCeremony, Date: day("2025-09-30")},
		} {
			if err := step(young, in); err != nil {
				t.Fatalf("%s: %v", in.Step, err)
			}
		}
		m, _ := f.members.FindMemberByID(ctx, young.ID)
		if m.Status != partyworks.StatusProbationary || !m.Admitted.Equal(day("2025-09-10")) {
			t.Fatalf("after the ceremony: %s %v", m.Status, m.Admitted)
		}
		if err := step(young, partyworks.StepInput{Step: partyworks.StepRecognize, Date: day("2025-11-30")}); err == nil {
			t.Fatal("recognized before the end of probation")
		}
		// Official transfer: in progress on both sides until received.
		if err := step(intro1, partyworks.StepInput{Step: partyworks.StepTransferOut, Date: day("2025-10-01"), UnitID: f.ids["C4"]}); err != nil {
			t.Fatal(err)
		}
		// Listed at the sending side while in progress (the receiving side
		// reaches the record through UnitPaths, below).
		if ms, _, _ := f.members.FindMembers(ctx, partyworks.MemberFilter{Under: f.ids["W1"], Statuses: []partyworks.MemberStatus{partyworks.StatusTransferring}}); len(ms) != 1 || ms[0].ID != intro1.ID {
			t.Errorf("the transfer in progress at the sending side: %d listed", len(ms))
		}
		paths, _ := f.members.UnitPaths(ctx, intro1.ID, day("2025-10-02"))
		if !strings.Contains(strings.Join(paths, ","), fmt.Sprintf("/%d/", f.ids["C4"])) {
			t.Errorf("a transfer in progress is not visible to the receiving side: %v", paths)
		}
		if err := step(intro1, partyworks.StepInput{Step: partyworks.StepTransferIn, Date: day("2025-10-15")}); err != nil {
			t.Fatal(err)
		}
		m, _ = f.members.FindMemberByID(ctx, intro1.ID)
		if m.UnitID != f.ids["C4"] || m.Status != partyworks.StatusOfficial {
			t.Errorf("after the transfer: unit %d status %s", m.UnitID, m.Status)
		}
		// As of a day in between, the member was still in C1.
		old, n, _ := f.members.FindMembers(ctx, partyworks.MemberFilter{At: day("2025-09-01"), Under: f.ids["C1"], Query: "bui van mot"})
		if n != 1 || old[0].Status != partyworks.StatusOfficial || old[0].UnitID != f.ids["C1"] {
			t.Errorf("as of 1/9/2025: %d", n)
		}
		// The same name search by day: in C4 only from the reception on
		// (history for past days, the record itself today).
		for _, c := range []struct {
			at   partyworks.Date
			unit string
			want int
		}{{day("2025-09-01"), "C4", 0}, {day("2025-10-14"), "C4", 0}, {day("2025-10-15"), "C4", 1}, {day("2025-10-15"), "C1", 0}, {partyworks.Date{}, "C4", 1}, {partyworks.Date{}, "C1", 0}} {
			got, n, err := f.members.FindMembers(ctx, partyworks.MemberFilter{At: c.at, Under: f.ids[c.unit], Query: "bui van mot"})
			if err != nil || n != c.want || len(got) != c.want {
				t.Errorf("\"bui van mot\" in %s on %v: %d found, want %d (%v)", c.unit, c.at, n, c.want, err)
			}
		}
		if got, _, _ := f.members.FindMembers(ctx, partyworks.MemberFilter{At: day("2025-10-01"), Query: "bui van mot"}); len(got) != 1 || got[0].Status != partyworks.StatusTransferring {
			t.Errorf("on the day of the transfer: %+v", got)
		}
		steps, _ := f.members.FindSteps(ctx, young.ID)
		if len(steps) != 4 || steps[0].RecordedBy != "secretary" || steps[0].OnBehalf != "Vũ Thị Hoa" {
			t.Errorf("steps: %d %+v", len(steps), steps[0])
		}
		entries, _ := sqldb.NewAuditService(db).FindAuditEntries(ctx, partyworks.AuditFilter{Action: "member.step", Limit: 10})
		if len(entries) == 0 || entries[0].OnBehalf != "Vũ Thị Hoa" {
			t.Errorf("the audit trail does not say on whose behalf")
		}
		// Deadlines: the probationary member's recognition shows when due.
		items, err := f.members.FindDue(ctx, f.ids["22"], day("2026-12-31"))
		if err != nil || len(items) != 1 || items[0].Kind != "member.recognize" {
			t.Errorf("due: %v %v", items, err)
		}
	})
}

// TestMemberStatsMatchRecount applies random admissions, transfers,
// deaths, exemptions and restructurings, and checks the maintained
// statistics of every unit against a full recount, on several days.
func TestMemberStatsMatchRecount(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMemberFixture(t, db)
		ctx := context.Background()
		r := rand.New(rand.NewSource(7))
		cells := []string{"C1", "C2", "C3", "C4"}
		var all []*partyworks.Member
		f.now = time.Date(2020, 1, 1, 3, 0, 0, 0, time.UTC)
		for i := range 40 {
			st := []partyworks.MemberStatus{partyworks.StatusOfficial, partyworks.StatusProbationary, partyworks.StatusCandidate}[r.Intn(3)]
			m := f.add(t, fmt.Sprintf("Người Thứ %d", i), []partyworks.Sex{partyworks.Male, partyworks.Female}[r.Intn(2)],
				fmt.Sprintf("19%02d-%02d-10", 50+r.Intn(50), 1+r.Intn(12)), cells[r.Intn(4)], st)
			all = append(all, m)
		}
		checkDays := []string{"2020-01-01"}
		d := day("2020-01-01")
		for round := range 60 {
			d = d.AddDate(0, 0, 3+r.Intn(10))
			f.now = d.Add(3 * time.Hour)
			m := all[r.Intn(len(all))]
			cur, _ := f.members.FindMemberByID(ctx, m.ID)
			var in partyworks.StepInput
			switch round % 6 {
			case 0:
				in = partyworks.StepInput{Step: partyworks.StepTransferOut, UnitID: f.ids[cells[r.Intn(len(cells))]]}
			case 1:
				in = partyworks.StepInput{Step: partyworks.StepDie}
			case 2:
				in = partyworks.StepInput{Step: partyworks.StepExempt}
			case 3:
				in = partyworks.StepInput{Step: partyworks.StepTransferIn}
			case 4:
				// Somebody transferring is received.
				for _, x := range all {
					if c, _ := f.members.FindMemberByID(ctx, x.ID); c.Status == partyworks.StatusTransferring {
						cur, in = c, partyworks.StepInput{Step: partyworks.StepTransferIn}
						break
					}
				}
			case 5:
				in = partyworks.StepInput{Step: partyworks.StepApply}
			}
			in.Date = d
			if _, err := f.members.RecordStep(ctx, cur.ID, in); err != nil && partyworks.ErrorCode(err) == partyworks.EINTERNAL {
				t.Fatalf("round %d %s: %v", round, in.Step, err)
			}
			if round == 20 {
				// C2 merges into C1.
				if _, err := f.units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: d, Decision: "5-QĐ/ĐU",
					Unit: f.ids["C1"], Sources: []int64{f.ids["C2"]}}); err != nil {
					t.Fatal(err)
				}
				cells = []string{"C1", "C3", "C4"}
				checkDays = append(checkDays, partyworks.FormatDate(d.AddDate(0, 0, -1)), partyworks.FormatDate(d))
			}
			if round == 40 {
				// W2 moves from the city to the district.
				if _, err := f.units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventReparent, Effective: d, Decision: "6-QĐ/TU",
					Unit: f.ids["W2"], Parent: f.ids["207"]}); err != nil {
					t.Fatal(err)
				}
				checkDays = append(checkDays, partyworks.FormatDate(d.AddDate(0, 0, -1)), partyworks.FormatDate(d))
			}
			if round == 50 {
				// A cell (counted from its members, with no rows of its
				// own) moves from the township to a ward of the city.
				if _, err := f.units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventReparent, Effective: d, Decision: "7-QĐ/TU",
					Unit: f.ids["C4"], Parent: f.ids["W1"]}); err != nil {
					t.Fatal(err)
				}
				checkDays = append(checkDays, partyworks.FormatDate(d.AddDate(0, 0, -1)), partyworks.FormatDate(d))
			}
		}
		// A late record, backdated before the move: it must count under the city before the move and the district after.
		f.add(t, "Người Đến Muộn", partyworks.Male, "1980-02-02", "C3", partyworks.StatusOfficial)
		checkDays = append(checkDays, partyworks.FormatDate(d), "2030-01-01")
		for _, cd := range checkDays {
			for code, id := range f.ids {
				got, err := f.members.MemberStats(ctx, id, day(cd))
				if err != nil {
					t.Fatal(err)
				}
				want, err := f.members.RecountMemberStats(ctx, id, day(cd))
				if err != nil {
					t.Fatal(err)
				}
				// A list's total (from the statistics) is its length.
				for _, sts := range [][]partyworks.MemberStatus{nil, {partyworks.StatusOfficial, partyworks.StatusDeceased}} {
					list, total, err := f.members.FindMembers(ctx, partyworks.MemberFilter{Under: id, At: day(cd), Statuses: sts, Limit: 1000})
					if err != nil {
						t.Fatal(err)
					}
					if total != len(list) && (code != "C2" || cd <= "2020-06-01") {
						t.Errorf("%s on %s, statuses %v: total %d, %d listed", code, cd, sts, total, len(list))
					}
				}
				if !reflect.DeepEqual(got.Counts, want.Counts) {
					if _, ended := want.Counts["status"]; !ended && code == "C2" && cd > "2020-06-01" {
						continue // C2 has ended: it has no figures of its own after the merge
					}
					t.Errorf("%s on %s:\n maintained %v\n recounted  %v", code, cd, got.Counts["status"], want.Counts["status"])
				}
			}
		}
		national, _ := f.members.MemberStats(ctx, f.ids["22"], day("2030-01-01"))
		if national.Total() == 0 {
			t.Error("no members counted")
		}
		// The whole country (unit 0) is the sum of the tree's roots: here
		// the one province.
		for _, cd := range checkDays {
			country, err := f.members.MemberStats(ctx, 0, day(cd))
			if err != nil {
				t.Fatal(err)
			}
			province, _ := f.members.MemberStats(ctx, f.ids["22"], day(cd))
			if !reflect.DeepEqual(country.Counts, province.Counts) {
				t.Errorf("the country on %s: %v, its one province: %v", cd, country.Counts["status"], province.Counts["status"])
			}
		}
	})
}

func TestImportMembers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMemberFixture(t, db)
		f.now = time.Date(2025, 6, 1, 3, 0, 0, 0, time.UTC)
		ctx := context.Background()
		var b strings.Builder
		b.WriteString("citizen_id,full_name,sex,birth_date,unit_code,status,admitted,ethnicity\n")
		for i := range 250 {
			birth := day("1980-01-01").AddDate(0, 0, i*37)
			sex := partyworks.Sex([]string{"male", "female"}[i%2])
			fmt.Fprintf(&b, "%s,Nguyễn Văn Số %d,%s,%s,C%d,official,%s,Kinh\n", f.cidFor(birth, sex), i, map[partyworks.Sex]string{"male": "nam", "female": "nữ"}[sex],
				partyworks.FormatDateVN(birth), 1+i%4, "01/02/2010")
		}
		b.WriteString("022090000001,Trần Sai,nam,15/05/1991,C1,official,01/02/2010,Kinh\n")      // the ID says 1990
		b.WriteString("022090000002,Trần Sai,nam,31/02/1990,C1,official,01/02/2010,Kinh\n")      // no such day
		b.WriteString("022090000003,Trần Sai,nam,15/05/1990,X9,official,01/02/2010,Kinh\n")      // no such unit
		b.WriteString("022090000004,=HYPERLINK(1),nam,15/05/1990,C1,official,01/02/2010,Kinh\n") // a formula
		b.WriteString("022090000005,Trần Sai,nam,15/05/1990,C1,official,,Kinh\n")                // a member without admission date
		table, err := sheet.Read(strings.NewReader(b.String()), "members.csv")
		if err != nil {
			t.Fatal(err)
		}
		// The first run is interrupted after its first batch. It is a bulk
		// load (an empty members table): indexes dropped, then built back
		// even though it was cancelled.
		f.members.BulkRows = 200
		cctx, cancel := context.WithCancel(ctx)
		imp := partyworks.MemberImport{Name: "members.csv", Hash: "h1", Table: table, Batch: 100, Effective: day("2025-01-01"),
			Progress: func(done, total int) { cancel() }}
		res, err := f.members.ImportMembers(cctx, imp)
		if err == nil || res.Inserted != 100 {
			t.Fatalf("interrupted run: %v, inserted %d", err, res.Inserted)
		}
		for _, ix := range []string{"members_unit ON members (unit_id, sort_key)", "members_name ON members (name_fold)", "members_given ON members (given_fold)",
			"members_sort ON members (sort_key, name_fold, given_fold, unit_id, since)", "members_transfer ON members (transfer_to)"} {
			if err := db.ExecRaw(ctx, "CREATE INDEX "+ix); err == nil {
				t.Errorf("after the interrupted bulk load, the index %s was missing", ix)
			}
		}
		imp.Progress = nil
		res, err = f.members.ImportMembers(ctx, imp)
		if err != nil {
			t.Fatal(err)
		}
		if res.Inserted != 250 || res.Resumed != 100 || len(res.Errors) != 5 {
			t.Fatalf("resumed run: %+v", res)
		}
		wantCols := []string{"citizen_id", "birth_date", "unit_code", "full_name", "admitted"}
		for i, e := range res.Errors {
			if e.Column != wantCols[i] || e.Line != 252+i {
				t.Errorf("error %d: %+v", i, e)
			}
		}
		if found, n, err := f.members.FindMembers(ctx, partyworks.MemberFilter{Query: "nguyen van so 12"}); err != nil || n != 11 || found[0].FullName != "Nguyễn Văn Số 12" {
			t.Errorf("name search after the bulk load: %d found, %v", n, err)
		}
		// The same file again changes nothing.
		res, err = f.members.ImportMembers(ctx, partyworks.MemberImport{Name: "again.csv", Hash: "h2", Table: table, Effective: day("2025-01-01")})
		if err != nil || res.Inserted != 0 || res.Existing != 250 {
			t.Fatalf("second import: %+v %v", res, err)
		}
		st, _ := f.members.MemberStats(ctx, f.ids["22"], day("2025-06-01"))
		if st.Total() != 250 || st.Counts["ethnicity"]["Kinh"] != 250 {
			t.Errorf("statistics after import: %d", st.Total())
		}
		// A file of rows recorded already and new ones (candidates, who
		// count by status only, among them): only the new ones count.
		var mixed strings.Builder
		lines := strings.Split(b.String(), "\n")
		mixed.WriteString(lines[0] + "\n")
		for _, l := range lines[1:41] {
			mixed.WriteString(l + "\n")
		}
		for i := range 30 {
			birth := day("1975-03-01").AddDate(0, 0, i*91)
			status, adm := "official", "01/02/2012"
			if i%3 == 0 {
				status, adm = "candidate", ""
			}
			fmt.Fprintf(&mixed, "%s,Phạm Thị Mới %d,nữ,%s,C%d,%s,%s,Tày\n", f.cidFor(birth, partyworks.Female), i, partyworks.FormatDateVN(birth), 1+i%4, status, adm)
		}
		mixedTable, err := sheet.Read(strings.NewReader(mixed.String()), "mixed.csv")
		if err != nil {
			t.Fatal(err)
		}
		res, err = f.members.ImportMembers(ctx, partyworks.MemberImport{Name: "mixed.csv", Hash: "h-mixed", Table: mixedTable, Batch: 25, Effective: day("2025-02-01")})
		if err != nil || res.Inserted != 30 || res.Existing != 40 || len(res.Errors) != 0 {
			t.Fatalf("mixed import: %+v %v", res, err)
		}
		for code, id := range f.ids {
			for _, cd := range []string{"2025-01-15", "2025-06-01"} {
				got, _ := f.members.MemberStats(ctx, id, day(cd))
				want, _ := f.members.RecountMemberStats(ctx, id, day(cd))
				if !reflect.DeepEqual(got.Counts, want.Counts) {
					t.Errorf("%s on %s after the mixed import:\n maintained %v\n recounted  %v", code, cd, got.Counts, want.Counts)
				}
			}
		}
		if st, _ := f.members.MemberStats(ctx, f.ids["22"], day("2025-06-01")); st.Total() != 270 || st.Counts["ethnicity"]["Tày"] != 20 || st.Counts["status"]["candidate"] != 10 {
			t.Errorf("after the mixed import: total %d, Tày %d, candidates %d", st.Total(), st.Counts["ethnicity"]["Tày"], st.Counts["status"]["candidate"])
		}
		re, _ := f.members.RecountMemberStats(ctx, f.ids["W1"], day("2025-06-01"))
		got, _ := f.members.MemberStats(ctx, f.ids["W1"], day("2025-06-01"))
		if !reflect.DeepEqual(re.Counts, got.Counts) {
			t.Error("the imported statistics differ from a recount")
		}
		// Outside the importer's units: refused row by row.
		res, _ = f.members.ImportMembers(ctx, partyworks.MemberImport{Name: "x.csv", Hash: "h3", Table: table, Effective: day("2025-01-01"), Within: []string{"/nowhere/"}})
		if res.Inserted != 0 || !strings.Contains(res.Errors[0].Reason, "outside") {
			t.Errorf("outside: %+v", res.Errors[0])
		}
	})
}

// TestRestructureMovesMembers: a plan splits a ward with members of its
// own; they are listed for review, go to the default unless assigned, and
// the statistics before and after the effective day stay right.
func TestRestructureMovesMembers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMemberFixture(t, db)
		ctx := context.Background()
		f.now = time.Date(2025, 1, 1, 3, 0, 0, 0, time.UTC)
		a := f.add(t, "Đỗ Văn Một", partyworks.Male, "1970-01-01", "W2", partyworks.StatusOfficial)
		b := f.add(t, "Đỗ Văn Hai", partyworks.Male, "1971-01-01", "W2", partyworks.StatusOfficial)
		f.add(t, "Đỗ Văn Ba", partyworks.Male, "1972-01-01", "C3", partyworks.StatusOfficial)
		f.now = time.Date(2025, 8, 1, 3, 0, 0, 0, time.UTC)
		rows := []partyworks.PlanRow{
			{Line: 2, NewCode: "W1", NewName: "Đảng ủy phường Một", NewKind: partyworks.KindWard, NewParentCode: "22", OldCode: "W1"},
			{Line: 3, NewCode: "W1", NewName: "Đảng ủy phường Một", NewKind: partyworks.KindWard, NewParentCode: "22", OldCode: "W2", Partial: true},
			{Line: 4, NewCode: "N2", NewName: "Đảng ủy phường Mới", NewKind: partyworks.KindWard, NewParentCode: "22", OldCode: "W2", Partial: true},
		}
		plan := &partyworks.Plan{Effective: day("2025-07-01"), Decision: "60-NQ/TW", Rows: rows}
		pv, err := f.units.PreviewRestructure(ctx, plan)
		if err != nil {
			t.Fatal(err)
		}
		if len(pv.MemberReview) != 2 || pv.MemberReview[0].To.Code != "W1" || len(pv.MemberReview[0].Options) != 2 {
			t.Fatalf("member review: %+v", pv.MemberReview)
		}
		if m, _ := f.members.FindMemberByID(ctx, a.ID); m.UnitID != f.ids["W2"] {
			t.Fatal("the preview moved a member")
		}
		plan.AssignMembers = map[int64]string{b.ID: "N2"}
		if _, err := f.units.ApplyRestructure(ctx, plan); err != nil {
			t.Fatal(err)
		}
		n2 := mustCode(t, f.units, "N2", "2025-07-01")
		ma, _ := f.members.FindMemberByID(ctx, a.ID)
		mb, _ := f.members.FindMemberByID(ctx, b.ID)
		if ma.UnitID != f.ids["W1"] || mb.UnitID != n2.ID {
			t.Errorf("after the plan: a in %d (want W1 %d), b in %d (want N2 %d)", ma.UnitID, f.ids["W1"], mb.UnitID, n2.ID)
		}
		for _, c := range []struct {
			unit int64
			at   string
			want int
		}{{f.ids["193"], "2025-06-30", 3}, {f.ids["W2"], "2025-06-30", 3}, {f.ids["W1"], "2025-07-01", 2}, {n2.ID, "2025-07-01", 1}, {f.ids["22"], "2025-07-01", 3}} {
			got, _ := f.members.MemberStats(ctx, c.unit, day(c.at))
			want, _ := f.members.RecountMemberStats(ctx, c.unit, day(c.at))
			if got.Total() != c.want || want.Total() != c.want {
				t.Errorf("unit %d on %s: maintained %d, recount %d, want %d", c.unit, c.at, got.Total(), want.Total(), c.want)
			}
		}
	})
}

// TestBroadNameSearch checks that every plan of a name search (forced one
// by one with SetNamePlan, and chosen by cost with BroadName lowered so
// that a small tree has broad names) gives the same pages as the name
// indexes: as of today and of a past day, across the country and inside a
// subtree, for names that are family names, given names or both ("Mai").
func TestBroadNameSearch(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMemberFixture(t, db)
		ctx := context.Background()
		r := rand.New(rand.NewSource(3))
		families := []string{"Nguyễn", "Nguyễn", "Trần", "Lê", "Đặng"}
		middles := []string{"Văn", "Thị", "Hữu"}
		givens := []string{"An", "Anh", "Ánh", "Bình", "Ngân", "Nguyệt"}
		cells := []string{"C1", "C2", "C3", "C4"}
		for i := range 120 {
			f.add(t, families[r.Intn(len(families))]+" "+middles[r.Intn(len(middles))]+" "+givens[r.Intn(len(givens))],
				[]partyworks.Sex{partyworks.Male, partyworks.Female}[i%2], fmt.Sprintf("19%02d-03-01", 50+r.Intn(50)), cells[r.Intn(4)], partyworks.StatusOfficial)
		}
		// "Mai" is a family name and a given name: a walk for it cannot
		// start at the given name's place (one member has it as both).
		for i, name := range []string{"Mai Văn An", "Mai Thị Mai", "Mai Hữu Bình", "Trần Thị Mai", "Lê Văn Mai", "Nguyễn Thị Mai", "Đặng Thị Mài", "Mai Thị Ngân"} {
			f.add(t, name, []partyworks.Sex{partyworks.Male, partyworks.Female}[i%2], fmt.Sprintf("19%02d-05-01", 60+i), cells[i%4], partyworks.StatusOfficial)
		}
		// Names the skip plan must find outside a given name's middle-name
		// part: two words only ("Nguyễn Thịnh"), a middle name of two words,
		// d and đ, u and ư, a given name that is also a family name.
		for i, name := range []string{"Nguyễn Thịnh", "Nguyễn Thi", "Lê Thịnh", "Nguyễn Thị Thu Hà", "Nguyễn Thìn An", "Đặng Xuân Ánh", "Đặng Xuân An",
			"Dương Xuân An", "Dương Xuân Đức", "Đặng Thị Nguyễn", "Nguyễn Thế Anh", "An Nguyễn Văn", "Lê Văn Dũng", "Trần Văn Đức", "Lê Thị Dương", "Nguyễn Văn Duy",
			// Weights with a 01 byte: Ð (U+00D0, typed for Đ) and ß weigh
			// 0139, a hyphen 010d, an apostrophe 01e9.
			"Nguyễn Văn \u00d0ức", "Nguyễn Văn Thái-Hòa", "Nguyễn Thị H'Hen", "Nguyễn Thị Ka-Sô", "\u00d0inh Thị An", "Đinh Thị Anh", "Nguyễn Thị Ánh", "\u00d0inh Thị Xuyến", "Nguyễn Thị Xuyến", "\u00d0inh Thị Yên"} {
			f.add(t, name, []partyworks.Sex{partyworks.Male, partyworks.Female}[i%2], fmt.Sprintf("19%02d-07-01", 60+i), cells[i%4], partyworks.StatusOfficial)
		}
		// Some move to the township's cell on 01/01/2021: on 01/06/2020
		// they were in the city's wards (history).
		f.now = time.Date(2021, 1, 1, 3, 0, 0, 0, time.UTC)
		moved := 0
		list, _, _ := f.members.FindMembers(ctx, partyworks.MemberFilter{Under: f.ids["W1"], Limit: 12})
		for _, m := range list {
			for _, step := range []partyworks.StepName{partyworks.StepTransferOut, partyworks.StepTransferIn} {
				if _, err := f.members.RecordStep(ctx, m.ID, partyworks.StepInput{Step: step, UnitID: f.ids["C4"], Date: day("2021-01-01")}); err != nil {
					t.Fatalf("%s: %v", step, err)
				}
			}
			moved++
		}
		if moved == 0 {
			t.Fatal("nobody moved")
		}
		for _, m := range list {
			c, _ := f.members.FindMemberByID(ctx, m.ID)
			if c.UnitID != f.ids["C4"] {
				t.Fatalf("%s did not move: in %d", c.FullName, c.UnitID)
			}
		}
		if then, _, _ := f.members.FindMembers(ctx, partyworks.MemberFilter{Under: f.ids["W1"], At: day("2020-06-01"), Limit: 100}); len(then) < len(list) {
			t.Fatalf("%d members under W1 on 01/06/2020, want at least the %d who moved since", len(then), len(list))
		}
		f.now = time.Date(2021, 6, 1, 3, 0, 0, 0, time.UTC)
		// The reference reads the name indexes; the others walk the sort
		// index (from the first member, or merging the full names'
		// matches read from the name index), read the subtree's units,
		// or choose by cost.
		ref := sqldb.NewMemberService(db)
		sqldb.SetNamePlan(ref, "index")
		broad := sqldb.NewMemberService(db)
		broad.BroadName = 3
		broad.SmallSubtree = 1000 // every subtree is small: listed from its units
		plans := map[string]*sqldb.MemberService{"by cost": broad}
		for _, p := range []string{"walk", "merge", "subtree", "skip"} {
			plans[p] = sqldb.NewMemberService(db)
			sqldb.SetNamePlan(plans[p], p)
		}
		for _, q := range []string{"nguyen", "an", "nguyen van", "dang thi anh", "ng", "", "ngan", "nguyet", "binh", "b", "mai", "mai thi", "nguye", "tran thi mai",
			"nguyen thi", "nguyen th", "nguyen thi thu", "dang xuan", "duong xuan", "an nguyen", "le thi", "nguyen thinh", "dang thi nguyen", "nguyen the", "du", "duc", "dung", "duo", "dinh thi", "nguyen thi h", "nguyen van d"} {
			for _, flt := range []partyworks.MemberFilter{{Query: q}, {Query: q, Under: f.ids["193"]}, {Query: q, Under: f.ids["22"]}, {Query: q, At: day("2020-06-01")}, {Query: q, Under: f.ids["W1"], At: day("2020-06-01")}} {
				want := pages(t, ref, flt)
				// Where a plan counts the list exactly (not −1, not "more
				// than 10,000"), it counts what the name indexes count;
				// it says "more than 10,000" only when there are.
				_, wantTotal, _ := ref.FindMembers(ctx, flt)
				var got []string
				for p, m := range plans {
					if _, total, err := m.FindMembers(ctx, flt); err != nil || total >= 0 && total <= 10000 && total != wantTotal || total > 10000 && wantTotal <= 10000 {
						t.Errorf("%q under %d on %s, %s: total %d, %v; indexed %d", q, flt.Under, partyworks.FormatDate(flt.At), p, total, err, wantTotal)
					}
					got = pages(t, m, flt)
					if !reflect.DeepEqual(got, want) {
						t.Errorf("%q under %d on %s, %s:\n got %v\n indexed %v", q, flt.Under, partyworks.FormatDate(flt.At), p, got, want)
					}
					// A brief list (the list's columns only) pages the same.
					brief := flt
					brief.Brief = true
					if b := pages(t, m, brief); !reflect.DeepEqual(b, want) {
						t.Errorf("%q under %d on %s, %s, brief:\n got %v\n indexed %v", q, flt.Under, partyworks.FormatDate(flt.At), p, b, want)
					}
				}
				if q == "mai" && len(want) < 4 {
					t.Errorf("%q under %d on %s: %d found", q, flt.Under, partyworks.FormatDate(flt.At), len(want))
				}
				if q == "nguyen" && len(want) == 0 {
					t.Errorf("%q found nobody", q)
				}
				if q == "dinh thi" && flt.Under == 0 && flt.At.IsZero() && !slices.ContainsFunc(want, func(s string) bool { return strings.Contains(s, "\u00d0inh Thị An") }) {
					t.Errorf("%q does not find \u00d0inh Thị An (Ð typed for Đ): %v", q, want)
				}
				if q == "an" && flt.Under == f.ids["W1"] {
					// The members who moved away since were in W1 then.
					found := 0
					for _, m := range list {
						for _, g := range got {
							if strings.HasPrefix(g, fmt.Sprintf("%d ", m.ID)) {
								found++
							}
						}
					}
					if found == 0 {
						t.Errorf("%q under W1 on %s: none of the members who moved away found", q, partyworks.FormatDate(flt.At))
					}
				}
			}
		}
	})
}

// TestImportMembersStream imports rows still being read (sheet.Stream):
// the rows come a few at a time, across the batches' ends, and the result
// is the whole table's. A stream whose reading fails part-way keeps the
// batches committed before the failure, rolls back the one it broke, says
// why, and the file imported again resumes after them.
func TestImportMembersStream(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMemberFixture(t, db)
		f.now = time.Date(2025, 6, 1, 3, 0, 0, 0, time.UTC)
		ctx := context.Background()
		table := f.file(t, 130, "Lê Thị Dòng", partyworks.Female, "1980-01-01", 37, "C1")
		for i := 5; i < len(table.Rows); i += 40 {
			table.Rows[i][0] = "022090000001" // the ID says a man born in 1990: refused
		}
		// feed streams the table's first n rows 7 at a time, then ends
		// with fail.
		feed := func(n int, fail error) *partyworks.TableStream {
			s := partyworks.NewTableStream(table.Header, 200)
			go func() {
				for i := 0; i < n; i += 7 {
					k := min(i+7, n)
					if !s.Add(table.Rows[i:k], table.Lines[i:k]) {
						return
					}
					time.Sleep(time.Millisecond)
				}
				s.End(fail)
			}()
			return s
		}
		broken := partyworks.Errorf(partyworks.EINVALID, "members.xlsx, row 118: the sheet breaks off")
		var progress [][2]int
		res, err := f.members.ImportMembers(ctx, partyworks.MemberImport{Name: "members.xlsx", Hash: "hs", Stream: feed(117, broken), Batch: 50,
			Effective: day("2025-01-01"), Progress: func(done, total int) { progress = append(progress, [2]int{done, total}) }})
		if !errors.Is(err, broken) {
			t.Fatalf("a stream that broke off: %v", err)
		}
		if res.Inserted != 97 || !reflect.DeepEqual(progress, [][2]int{{50, 200}, {100, 200}}) {
			t.Fatalf("before the break: %d inserted (want two batches: 97), progress %v", res.Inserted, progress)
		}
		var n int
		var status, failure string
		if err := sqldb.QueryRowRaw(ctx, db, `SELECT COUNT(*) FROM members`).Scan(&n); err != nil || n != 97 {
			t.Fatalf("%d members after the break, want 97 (%v)", n, err)
		}
		if err := sqldb.QueryRowRaw(ctx, db, `SELECT status, failure FROM member_import_jobs WHERE hash = 'hs'`).Scan(&status, &failure); err != nil ||
			status != "failed" || !strings.Contains(failure, "breaks off") {
			t.Errorf("the job: %s %q %v", status, failure, err)
		}
		progress = nil
		res, err = f.members.ImportMembers(ctx, partyworks.MemberImport{Name: "members.xlsx", Hash: "hs", Stream: feed(len(table.Rows), nil), Batch: 50,
			Effective: day("2025-01-01"), Progress: func(done, total int) { progress = append(progress, [2]int{done, total}) }})
		if err != nil {
			t.Fatal(err)
		}
		want := []int{7, 47, 87, 127}
		var lines []int
		for _, e := range res.Errors {
			lines = append(lines, e.Line)
		}
		if res.Resumed != 100 || res.Inserted != 126 || res.Rows != 130 || !slices.Equal(lines, want) {
			t.Errorf("resumed: %+v, error lines %v (want %v)", res, lines, want)
		}
		if !reflect.DeepEqual(progress, [][2]int{{50, 200}, {100, 200}, {130, 130}}) {
			t.Errorf("progress %v", progress)
		}
		if err := sqldb.QueryRowRaw(ctx, db, `SELECT rows, status FROM member_import_jobs WHERE hash = 'hs'`).Scan(&n, &status); err != nil || n != 130 || status != "done" {
			t.Errorf("the job at the end: %d rows, %s (%v)", n, status, err)
		}
		for code, id := range f.ids {
			got, _ := f.members.MemberStats(ctx, id, day("2025-06-01"))
			re, _ := f.members.RecountMemberStats(ctx, id, day("2025-06-01"))
			if !reflect.DeepEqual(got.Counts, re.Counts) {
				t.Errorf("%s after the streamed import:\n maintained %v\n recounted  %v", code, got.Counts, re.Counts)
			}
		}
		if st, _ := f.members.MemberStats(ctx, f.ids["22"], day("2025-06-01")); st.Total() != 126 {
			t.Errorf("%d members counted, want 126", st.Total())
		}
		// The finished file again (its estimate, 200, was not its count):
		// run through, it changes nothing.
		res, err = f.members.ImportMembers(ctx, partyworks.MemberImport{Name: "members.xlsx", Hash: "hs", Stream: feed(len(table.Rows), nil), Batch: 50, Effective: day("2025-01-01")})
		if err != nil || res.Resumed != 0 || res.Inserted != 0 || res.Existing != 126 {
			t.Errorf("the finished file again: %+v %v", res, err)
		}
		// A stream that breaks off right after a batch's last row: the
		// batch stays, the error is the import's.
		table = f.file(t, 50, "Vũ Văn Tiếp", partyworks.Male, "1970-01-01", 41, "C1")
		res, err = f.members.ImportMembers(ctx, partyworks.MemberImport{Name: "more.xlsx", Hash: "hs-more", Stream: feed(50, broken), Batch: 25, Effective: day("2025-01-01")})
		if !errors.Is(err, broken) || res.Inserted != 50 {
			t.Errorf("broken off after a batch: %d inserted, %v", res.Inserted, err)
		}
	})
}

// TestImportMembersSlowStream: rows that come slowly (a sheet the fast
// reader gave up on part-way: excelize reads the rest) are read before a
// batch's transaction begins, so other writers are not held up while the
// file is read; and an import that fails stops the stream's reader.
func TestImportMembersSlowStream(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMemberFixture(t, db)
		f.now = time.Date(2025, 6, 1, 3, 0, 0, 0, time.UTC)
		ctx := context.Background()
		table := f.file(t, 5600, "Hà Văn Chậm", partyworks.Male, "1960-01-01", 3, "C2")
		s := partyworks.NewTableStream(table.Header, 5600)
		s.Add(table.Rows[:5200], table.Lines[:5200])
		wrote := make(chan error, 1)
		go func() {
			time.Sleep(50 * time.Millisecond) // the first batch has begun (a part is 500 rows, 5,000 on PostgreSQL) and waits for row 5,200
			s.SetSlow()
			// Another writer, while the rest is read: a change of the tree
			// (SQLite's one writer; PostgreSQL's tree lock, exclusive).
			wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			_, err := f.units.ImportUnits(wctx, partyworks.UnitImport{Effective: day("2025-01-01"),
				Rows: []partyworks.UnitRow{{Line: 2, Code: "C9", Name: "Chi bộ khu 9", Kind: partyworks.KindCell, ParentCode: "W2"}}})
			wrote <- err
			s.Add(table.Rows[5200:], table.Lines[5200:])
			s.End(nil)
		}()
		res, err := f.members.ImportMembers(ctx, partyworks.MemberImport{Name: "slow.xlsx", Hash: "slow", Stream: s, Batch: 10000, Effective: day("2025-01-01")})
		if err != nil || res.Inserted != 5600 {
			t.Fatalf("slow stream: %+v %v", res, err)
		}
		if err := <-wrote; err != nil {
			t.Errorf("a write while the import waited for slow rows: %v", err)
		}

		// A file without the required columns fails at once, and its
		// reader is told to stop.
		s = partyworks.NewTableStream([]string{"name"}, 100)
		if _, err := f.members.ImportMembers(ctx, partyworks.MemberImport{Name: "bad.xlsx", Hash: "bad", Stream: s}); err == nil {
			t.Fatal("a file without the columns was imported")
		}
		if s.Add([][]string{{"x"}}, []int{2}) {
			t.Error("the reader of a failed import was not stopped")
		}
	})
}

// TestRekeyMembers: migration 0024 rewrites the sort keys written before
// it (the collation's whole key) in SortKey's form and builds the indexes
// of members again; lists and name searches then read them in order.
func TestRekeyMembers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMemberFixture(t, db)
		ctx := context.Background()
		names := []string{"Nguyễn Văn An", "Trần Thị Ánh", "Lê Văn Ân", "Đặng Thị Thi", "Phạm Văn Thị", "Nguyễn Thị Anh", "Ðinh Văn Bình", "Hoàng An"}
		for i, n := range names {
			f.add(t, n, partyworks.Sex([]string{"male", "female"}[i%2]), "1980-01-01", []string{"C1", "C2", "C3"}[i%3], partyworks.StatusOfficial)
		}
		c := collate.New(language.Vietnamese)
		var buf collate.Buffer
		old := func(full string) string { // the key before 0024
			family, middle, given := partyworks.NameParts(full)
			var key []byte
			for i, p := range []string{given, middle, family} {
				if i > 0 {
					key = append(key, 1)
				}
				key = append(key, c.KeyFromString(&buf, p)...)
				buf.Reset()
			}
			return hex.EncodeToString(key)
		}
		for _, n := range names {
			if err := db.ExecRaw(ctx, fmt.Sprintf(`UPDATE members SET sort_key = '%s' WHERE full_name = '%s'`, old(n), n)); err != nil {
				t.Fatal(err)
			}
		}
		if err := sqldb.Remigrate(ctx, db, "0024_member_sort_keys"); err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			var key string
			if err := sqldb.QueryRowRaw(ctx, db, `SELECT sort_key FROM members WHERE full_name = ?`, n).Scan(&key); err != nil || key != sqldb.SortKey(n) {
				t.Errorf("%s: key %s after 0024, want %s (%v)", n, key, sqldb.SortKey(n), err)
			}
		}
		for _, ix := range []string{"members_unit", "members_sort", "members_top", "members_name", "members_top_name"} {
			if err := db.ExecRaw(ctx, "CREATE INDEX "+ix+" ON members (id)"); err == nil {
				t.Errorf("after 0024, the index %s was missing", ix)
			}
		}
		names = nil
		for _, q := range []string{"", "thi"} {
			found, _, err := f.members.FindMembers(ctx, partyworks.MemberFilter{Under: f.ids["22"], Query: q})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range found {
				names = append(names, m.FullName)
			}
			names = append(names, "|")
		}
		// By given name (An, Anh, Ánh: a tone after its letters; Ân: â is
		// the letter after a), then middle name (none first), then family
		// name; "thi" finds the given names Thi and Thị, in that order.
		want := []string{"Hoàng An", "Nguyễn Văn An", "Nguyễn Thị Anh", "Trần Thị Ánh", "Lê Văn Ân", "Ðinh Văn Bình", "Đặng Thị Thi", "Phạm Văn Thị", "|",
			"Đặng Thị Thi", "Phạm Văn Thị", "|"}
		if !slices.Equal(names, want) {
			t.Errorf("after 0024:\n %q\nwant\n %q", names, want)
		}
	})
}

// TestImportMembersEstimateNoBulk: a stream estimated far larger than it
// is does not make a bulk load of a table that holds members (whose
// indexes a bulk load would drop and build again): the rows that
// outnumber them four times must have come.
func TestImportMembersEstimateNoBulk(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMemberFixture(t, db)
		f.now = time.Date(2025, 6, 1, 3, 0, 0, 0, time.UTC)
		ctx := context.Background()
		for i := range 5 {
			f.add(t, fmt.Sprintf("Ngô Văn Có %d", i), partyworks.Male, "1980-01-01", "C1", partyworks.StatusOfficial)
		}
		table := f.file(t, 15, "Ngô Thị Ít", partyworks.Female, "1990-01-01", 17, "C1")
		s := partyworks.NewTableStream(table.Header, 100000)
		s.Add(table.Rows, table.Lines)
		go func() {
			time.Sleep(50 * time.Millisecond)
			s.End(nil)
		}()
		f.members.BulkRows = 50
		dropped := false
		res, err := f.members.ImportMembers(ctx, partyworks.MemberImport{Name: "small.xlsx", Hash: "small", Stream: s, Effective: day("2025-01-01"),
			// (After each batch: a bulk load builds the indexes it dropped
			// only at its end.)
			Progress: func(int, int) {
				dropped = dropped || db.ExecRaw(ctx, "CREATE INDEX members_name ON members (name_fold)") == nil
			}})
		if err != nil || res.Inserted != 15 {
			t.Fatalf("small file: %+v %v", res, err)
		}
		if dropped {
			t.Error("a file of 15 rows estimated at 100,000 was imported as a bulk load")
		}
	})
}

// TestRekeyOnUpgrade: a SQLite database opened by a version with
// migration 0024 for the first time has its keys rewritten (before the
// migration's transaction); opened again, they are left alone.
func TestRekeyOnUpgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "up.db")
	db, err := sqldb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	f := newMemberFixture(t, db)
	m := f.add(t, "Đỗ Thị Ánh", partyworks.Female, "1980-01-01", "C1", partyworks.StatusOfficial)
	for _, q := range []string{`UPDATE members SET sort_key = 'old'`, `DELETE FROM schema_migrations WHERE version = '0024_member_sort_keys'`} {
		if err := db.ExecRaw(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	key := func() string {
		db, err := sqldb.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var k string
		if err := sqldb.QueryRowRaw(ctx, db, `SELECT sort_key FROM members WHERE id = ?`, m.ID).Scan(&k); err != nil {
			t.Fatal(err)
		}
		if err := db.ExecRaw(ctx, `UPDATE members SET sort_key = 'left'`); err != nil {
			t.Fatal(err)
		}
		return k
	}
	if k := key(); k != sqldb.SortKey(m.FullName) {
		t.Errorf("after the upgrade: key %q, want %q", k, sqldb.SortKey(m.FullName))
	}
	if k := key(); k != "left" {
		t.Errorf("opened again, the keys were rewritten: %q", k)
	}
}

// TestFixSortKeys: keys an older node wrote after migration 0024 (the
// collation's whole key) are rewritten; the others are left, and a second
// run rewrites none.
func TestFixSortKeys(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMemberFixture(t, db)
		ctx := context.Background()
		a := f.add(t, "Lý Thị Ánh", partyworks.Female, "1980-01-01", "C1", partyworks.StatusOfficial)
		f.add(t, "Lý Văn Anh", partyworks.Male, "1981-01-01", "C2", partyworks.StatusOfficial)
		if err := db.ExecRaw(ctx, fmt.Sprintf(`UPDATE members SET sort_key = 'old' WHERE id = %d`, a.ID)); err != nil {
			t.Fatal(err)
		}
		for i, want := range []int{1, 0} {
			checked, fixed, err := f.members.FixSortKeys(ctx)
			if err != nil || checked != 2 || fixed != want {
				t.Errorf("run %d: %d checked, %d rewritten (want 2, %d): %v", i+1, checked, fixed, want, err)
			}
		}
		var key string
		if err := sqldb.QueryRowRaw(ctx, db, `SELECT sort_key FROM members WHERE id = ?`, a.ID).Scan(&key); err != nil || key != sqldb.SortKey(a.FullName) {
			t.Errorf("key %q, want %q (%v)", key, sqldb.SortKey(a.FullName), err)
		}
	})
}
