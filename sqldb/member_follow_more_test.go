package sqldb_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

// The cases below were found in the review of followFolds.

func statsAgree(t *testing.T, f *memberFixture, units []string, days []string) {
	t.Helper()
	ctx := context.Background()
	for _, c := range units {
		u := f.ids[c]
		for _, at := range days {
			st, err := f.members.MemberStats(ctx, u, day(at))
			if err != nil {
				t.Fatal(err)
			}
			re, err := f.members.RecountMemberStats(ctx, u, day(at))
			if err != nil {
				t.Fatal(err)
			}
			if st.Total() != re.Total() || !reflect.DeepEqual(st.Counts, re.Counts) {
				t.Errorf("%s on %s: statistics %v, recount %v", c, at, st.Counts, re.Counts)
			}
		}
	}
}

func unitOf(t *testing.T, f *memberFixture, id int64) (int64, string) {
	t.Helper()
	m, err := f.members.FindMemberByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m.UnitID, partyworks.FormatDate(m.Since)
}

var revUnits = []string{"22", "193", "W1", "C1", "C2", "W2", "C3"}
var someDays = []string{"2021-06-10", "2021-06-20", "2021-06-30", "2021-07-01", "2021-07-15", "2021-08-01", "2021-09-01"}

// chainedMerges adds a member to C2, then records C1's merge into C3 on
// 08-01 and, after it, C2's into C1 on 07-01: C2's members go to C1 and
// on to C3. With leftBehind, C1's heir is recorded only after the second
// merge (as the backfill of a fold recorded before migration 0019), so
// the member stays in the ended C1.
func chainedMerges(t *testing.T, f *memberFixture, leftBehind bool) *partyworks.Member {
	t.Helper()
	ctx := context.Background()
	f.now = day("2021-06-10").Add(3 * time.Hour)
	a := f.add(t, "Trần Văn Chuỗi", partyworks.Male, "1980-01-01", "C2", partyworks.StatusOfficial)
	f.now = day("2021-06-15").Add(3 * time.Hour)
	mustChange(t, f.units, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2021-08-01"), Decision: "6-QĐ/TU",
		Unit: f.ids["C3"], Sources: []int64{f.ids["C1"]}})
	if leftBehind {
		if err := f.db.ExecRaw(ctx, `DELETE FROM unit_heirs WHERE unit_id = ?`, f.ids["C1"]); err != nil {
			t.Fatal(err)
		}
	}
	f.now = day("2021-06-16").Add(3 * time.Hour)
	mustChange(t, f.units, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2021-07-01"), Decision: "7-QĐ/TU",
		Unit: f.ids["C1"], Sources: []int64{f.ids["C2"]}})
	if leftBehind {
		if err := f.db.ExecRaw(ctx, `INSERT INTO unit_heirs (unit_id, heir_id, day) VALUES (?, ?, '2021-08-01')`, f.ids["C1"], f.ids["C3"]); err != nil {
			t.Fatal(err)
		}
		if u, _ := unitOf(t, f, a.ID); u != f.ids["C1"] {
			t.Fatalf("the member is in unit %d, not left in C1 (%d): the test shows nothing", u, f.ids["C1"])
		}
	}
	return a
}

// A merge into a unit whose own merge is already recorded (C1 → C3 on
// 08-01, then C2 → C1 on 07-01): C2's members go to C1 and on to C3.
func TestFoldIntoAnEndedHeirFollowsOn(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMemberFixture(t, db)
		a := chainedMerges(t, f, false)
		f.now = day("2021-09-01").Add(3 * time.Hour)
		if u, since := unitOf(t, f, a.ID); u != f.ids["C3"] {
			t.Errorf("member of C2 (→C1 07-01, C1→C3 08-01) is in unit %d since %s; want C3 (%d)", u, since, f.ids["C3"])
		}
		if got := inCellAny(t, f, f.ids["W2"], "2021-09-01"); len(got) != 1 {
			t.Errorf("W2 today lists %v; want the member", got)
		}
		statsAgree(t, f, revUnits, someDays)
	})
}

func inCellAny(t *testing.T, f *memberFixture, under int64, at string) []string {
	t.Helper()
	ms, _, err := f.members.FindMembers(context.Background(), partyworks.MemberFilter{Under: under, At: day(at), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.FullName)
	}
	return out
}

// A transfer received into C2 before its merge (recorded ahead) into C3,
// another ward's cell.
func TestTransferIntoAMergingCellFollowsIt(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newMemberFixture(t, db)
		f.now = day("2021-06-10").Add(3 * time.Hour)
		x := f.add(t, "Đỗ Văn Chuyển", partyworks.Male, "1980-01-01", "C1", partyworks.StatusOfficial)
		f.add(t, "Đỗ Văn Ở", partyworks.Male, "1981-01-01", "C2", partyworks.StatusOfficial)
		f.now = day("2021-06-15").Add(3 * time.Hour)
		mustChange(t, f.units, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2021-07-01"), Decision: "5-QĐ/TU",
			Unit: f.ids["C3"], Sources: []int64{f.ids["C2"]}})
		f.now = day("2021-06-20").Add(3 * time.Hour)
		for _, step := range []partyworks.StepName{partyworks.StepTransferOut, partyworks.StepTransferIn} {
			if _, err := f.members.RecordStep(ctx, x.ID, partyworks.StepInput{Step: step, UnitID: f.ids["C2"], Date: day("2021-06-20")}); err != nil {
				t.Fatalf("%s: %v", step, err)
			}
		}
		if u, since := unitOf(t, f, x.ID); u != f.ids["C3"] || since != "2021-07-01" {
			t.Errorf("transferred member in %d since %s", u, since)
		}
		statsAgree(t, f, revUnits, someDays)
		f.now = day("2021-09-01").Add(3 * time.Hour)
		statsAgree(t, f, revUnits, someDays)
	})
}

// Two writers into an ended unit that still holds a member (left there
// by a fold recorded before the heirs were: chainedMerges) move her once.
func TestConcurrentFollowsMoveOnce(t *testing.T) {
	db := sqldbtest.Postgres(t)
	ctx := context.Background()
	f := newMemberFixture(t, db)
	a := chainedMerges(t, f, true)
	f.now = day("2021-07-05").Add(3 * time.Hour)
	first := make(chan struct{})
	done := make(chan error)
	go func() {
		done <- sqldb.FollowFoldsHeld(ctx, db, []int64{f.ids["C1"]}, func() {
			close(first)
			time.Sleep(500 * time.Millisecond)
		})
	}()
	<-first
	if err := sqldb.FollowFoldsHeld(ctx, db, []int64{f.ids["C1"]}, nil); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var n int
	if err := sqldb.QueryRowRaw(ctx, db, `SELECT COUNT(*) FROM member_history WHERE member_id = ?`, a.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d history rows; want 2", n)
	}
	statsAgree(t, f, []string{"W2", "193", "22"}, []string{"2021-08-01", "2021-09-01"})
}

func heirs(t *testing.T, db *sqldb.DB) map[int64]string {
	t.Helper()
	out := map[int64]string{}
	for id := int64(1); id < 40; id++ {
		var h int64
		var d string
		if err := sqldb.QueryRowRaw(context.Background(), db, `SELECT heir_id, day FROM unit_heirs WHERE unit_id = ?`, id).Scan(&h, &d); err == nil {
			out[id] = fmt.Sprintf("%d@%s", h, d)
		}
	}
	return out
}

// The backfill of 0019 gives the heirs the folds record.
func TestHeirBackfillMatchesFolds(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newMemberFixture(t, db)
		f.now = day("2021-06-15").Add(3 * time.Hour)
		d := day("2021-07-01")
		// C1 moves to W2, then W1 (with C2) merges into W3, on one day.
		mustChange(t, f.units, partyworks.UnitChange{Type: partyworks.EventReparent, Effective: d, Decision: "1-QĐ/TU", Unit: f.ids["C1"], Parent: f.ids["W2"]})
		mustChange(t, f.units, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: d, Decision: "2-QĐ/TU", Unit: f.ids["W3"], Sources: []int64{f.ids["W1"]}})
		// C4 dissolved: its heir is its parent.
		mustChange(t, f.units, partyworks.UnitChange{Type: partyworks.EventDissolve, Effective: day("2021-07-02"), Decision: "3-QĐ/TU", Unit: f.ids["C4"]})
		before := heirs(t, db)
		if err := db.ExecRaw(ctx, `DROP TABLE unit_heirs`); err != nil {
			t.Fatal(err)
		}
		if err := sqldb.Remigrate(ctx, db, "0019_unit_heirs"); err != nil {
			t.Fatal(err)
		}
		after := heirs(t, db)
		if len(before) != 2 || !reflect.DeepEqual(before, after) {
			t.Errorf("recorded %v; backfill %v", before, after)
		}
	})
}

// C2 merges into C1 on 08-01 (recorded ahead); then C1 is merged into C3
// on 07-01, before that. A member admitted into C2 on 06-20.
func TestFollowWhereTheHeirEndedFirst(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMemberFixture(t, db)
		f.now = day("2021-06-15").Add(3 * time.Hour)
		mustChange(t, f.units, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2021-08-01"), Decision: "6-QĐ/TU",
			Unit: f.ids["C1"], Sources: []int64{f.ids["C2"]}})
		mustChange(t, f.units, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2021-07-01"), Decision: "7-QĐ/TU",
			Unit: f.ids["C3"], Sources: []int64{f.ids["C1"]}})
		f.now = day("2021-06-20").Add(3 * time.Hour)
		f.add(t, "Đỗ Văn Sau", partyworks.Female, "1982-01-01", "C2", partyworks.StatusOfficial)
		statsAgree(t, f, revUnits, someDays)
	})
}

// The record CreateMember hands back after it followed a merge.
func TestCreateMemberReturnsTheFollowedRecord(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMemberFixture(t, db)
		f.now = day("2021-06-15").Add(3 * time.Hour)
		mustChange(t, f.units, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2021-07-01"), Decision: "6-QĐ/TU",
			Unit: f.ids["C1"], Sources: []int64{f.ids["C2"]}})
		f.now = day("2021-06-20").Add(3 * time.Hour)
		m := f.add(t, "Đỗ Văn Sau", partyworks.Female, "1982-01-01", "C2", partyworks.StatusOfficial)
		t.Logf("returned: unit %d since %s version %d", m.UnitID, partyworks.FormatDate(m.Since), m.Version)
		m.Notes = "sửa"
		if err := f.members.UpdateMember(context.Background(), m); err != nil {
			t.Errorf("an edit of the record CreateMember returned: %v", err)
		}
	})
}

// A correction of the record made while the member's placement of today
// ends on a later date (her cell's merge recorded ahead) moves her
// figures in the cell she is in until then, and in the heir from its day.
func TestCorrectionBeforeHerMoveDay(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMemberFixture(t, db)
		f.now = day("2021-06-10").Add(3 * time.Hour)
		a := f.add(t, "Lê Văn Sửa", partyworks.Male, "1980-01-01", "C1", partyworks.StatusOfficial)
		f.now = day("2021-06-15").Add(3 * time.Hour)
		mustChange(t, f.units, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2021-08-01"), Decision: "8-QĐ/TU",
			Unit: f.ids["C3"], Sources: []int64{f.ids["C1"]}})
		f.now = day("2021-06-20").Add(3 * time.Hour)
		m, err := f.members.FindMemberByID(context.Background(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.UnitID != f.ids["C3"] {
			t.Fatalf("the member is in unit %d, not yet in C3 from 08-01: the test shows nothing", m.UnitID)
		}
		m.Ethnicity, m.Theory = "Tày", "Cao cấp"
		if err := f.members.UpdateMember(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		// The days before the correction keep the attributes as they were
		// recorded then; from it on, the figures are a recount's.
		statsAgree(t, f, revUnits, []string{"2021-06-20", "2021-06-30", "2021-07-15", "2021-08-01", "2021-09-01"})
	})
}

// A merge recorded late, dated before a member was recorded into the
// merged cell: she goes to the successor from her own day, and the
// figures of every unit equal a recount on every day.
func TestMemberRecordedBeforeALateMergeFollowsIt(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMemberFixture(t, db)
		f.now = day("2021-06-10").Add(3 * time.Hour)
		early := f.add(t, "Trần Văn Sớm", partyworks.Male, "1980-01-01", "C1", partyworks.StatusOfficial)
		f.now = day("2021-07-05").Add(3 * time.Hour)
		late := f.add(t, "Trần Thị Muộn", partyworks.Female, "1985-01-01", "C1", partyworks.StatusOfficial)
		f.now = day("2021-07-10").Add(3 * time.Hour)
		mustChange(t, f.units, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2021-07-01"), Decision: "9-QĐ/TU",
			Unit: f.ids["C3"], Sources: []int64{f.ids["C1"]}})
		for _, c := range []struct {
			m     *partyworks.Member
			since string
		}{{early, "2021-07-01"}, {late, "2021-07-05"}} {
			if u, since := unitOf(t, f, c.m.ID); u != f.ids["C3"] || since != c.since {
				t.Errorf("%s is in unit %d since %s; want C3 (%d) since %s", c.m.FullName, u, since, f.ids["C3"], c.since)
			}
		}
		if got := inCellAny(t, f, f.ids["W2"], "2021-07-10"); len(got) != 2 {
			t.Errorf("W2 on 07-10 lists %v; want both members", got)
		}
		statsAgree(t, f, revUnits, []string{"2021-06-20", "2021-07-01", "2021-07-04", "2021-07-05", "2021-07-10", "2021-09-01"})
	})
}

// Where moving a member recorded before a late merge is not done, she is
// left as she was, and nothing is moved half-way: a step of hers dated
// after the merge's day (her period in the cell runs past it), or a
// successor that ended before her day.
func TestLateMergeLeavesWhatItCannotMove(t *testing.T) {
	for _, successorEnds := range []bool{false, true} {
		t.Run(map[bool]string{false: "step after the day", true: "successor ended"}[successorEnds], func(t *testing.T) {
			sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
				f := newMemberFixture(t, db)
				f.now = day("2021-06-10").Add(3 * time.Hour)
				m := f.add(t, "Trần Văn Bước", partyworks.Male, "1980-01-01", "C1", partyworks.StatusOfficial)
				if successorEnds {
					mustChange(t, f.units, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2021-07-03"), Decision: "8-QĐ/TU",
						Unit: f.ids["C2"], Sources: []int64{f.ids["C3"]}})
				}
				f.now = day("2021-07-05").Add(3 * time.Hour)
				if successorEnds {
					m = f.add(t, "Trần Thị Muộn", partyworks.Female, "1985-01-01", "C1", partyworks.StatusOfficial)
				} else if _, err := f.members.RecordStep(context.Background(), m.ID, partyworks.StepInput{Step: partyworks.StepDie, Date: day("2021-07-05")}); err != nil {
					t.Fatal(err)
				}
				f.now = day("2021-07-10").Add(3 * time.Hour)
				mustChange(t, f.units, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2021-07-01"), Decision: "9-QĐ/TU",
					Unit: f.ids["C3"], Sources: []int64{f.ids["C1"]}})
				if u, since := unitOf(t, f, m.ID); u != f.ids["C1"] || since != "2021-07-05" {
					t.Errorf("%s is in unit %d since %s; want left in C1 since 2021-07-05", m.FullName, u, since)
				}
				statsAgree(t, f, []string{"W2", "C2", "C3"}, []string{"2021-07-01", "2021-07-05", "2021-07-10"})
			})
		})
	}
}

// The repair after an upgrade: a member left in an ended unit (as a
// version before 0019 left her) is moved on to the unit that took over,
// with figures that match a recount; a second run finds nobody.
func TestFollowLeftMembers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newMemberFixture(t, db)
		a := chainedMerges(t, f, true) // left in C1, which ends into C3 on 08-01
		f.now = day("2021-09-01").Add(3 * time.Hour)
		before, after, err := f.members.FollowLeftMembers(ctx)
		if err != nil || before != 1 || after != 0 {
			t.Fatalf("before %d, after %d, %v; want 1, 0", before, after, err)
		}
		if u, _ := unitOf(t, f, a.ID); u != f.ids["C3"] {
			t.Errorf("the member is in unit %d; want C3 (%d)", u, f.ids["C3"])
		}
		statsAgree(t, f, revUnits, someDays)
		if before, after, err := f.members.FollowLeftMembers(ctx); err != nil || before != 0 || after != 0 {
			t.Errorf("again: before %d, after %d, %v; want 0, 0", before, after, err)
		}
	})
}

// stepBeside records a death on 07-05 for a (left in C1, which ends into
// C3 on 08-01) while writer moves her on PostgreSQL: the audit trail's
// head is held so that the writer, its moves done, waits at its commit,
// the step starts, and then both go on. It returns both errors.
func stepBeside(t *testing.T, db *sqldb.DB, f *memberFixture, a *partyworks.Member, writer func() error) (writerErr, stepErr error) {
	t.Helper()
	ctx := context.Background()
	f.now = day("2021-07-05").Add(3 * time.Hour)
	blocker, schema := otherSession(t, db)
	if _, err := blocker.Exec(`UPDATE ` + schema + `.audit_head SET seq = seq WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	wrote := make(chan error, 1)
	go func() { wrote <- writer() }()
	waitForLockWaiters(t, db, 1, wrote)
	step := make(chan error, 1)
	go func() {
		_, err := f.members.RecordStep(ctx, a.ID, partyworks.StepInput{Step: partyworks.StepDie, Date: day("2021-07-05")})
		step <- err
	}()
	waitForLockWaiters(t, db, 2, step)
	blocker.Rollback()
	return <-wrote, <-step
}

// The repair beside a live node on PostgreSQL: a step recorded on a member
// left in C1 (ends 08-01) while the repair moves her. The step read her
// record unlocked and wrote it back whole, putting her back in C1 with
// overlapping history and figures counted twice, while the repair took the
// tree's lock shared as the step does; it now takes it exclusive.
func TestFollowLeftMembersBesideAStep(t *testing.T) {
	db := sqldbtest.Postgres(t)
	ctx := context.Background()
	f := newMemberFixture(t, db)
	a := chainedMerges(t, f, true)
	repairErr, _ := stepBeside(t, db, f, a, func() error {
		_, _, err := f.members.FollowLeftMembers(ctx)
		return err
	})
	if repairErr != nil {
		t.Fatal(repairErr)
	}
	// The step: refused (her last change is now the move) or recorded
	// after it; either is right.
	rows, err := sqldb.MemberHistoryRaw(ctx, db, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		for _, s := range rows[i+1:] {
			if r[0] == s[0] && r[1] < s[2] && s[1] < r[2] {
				t.Errorf("overlapping history in unit %s: %v and %v", r[0], r, s)
			}
		}
	}
	statsAgree(t, f, []string{"C3", "W2", "193"}, []string{"2021-08-01", "2021-09-01"})
}

// A step beside a fold followed by another writer (a member created into
// an ended unit on another node: the tree's lock shared by both) on
// PostgreSQL: the step read her record before the follow moved her, and
// is refused rather than written over the move.
func TestStepBesideAFollowIsRefused(t *testing.T) {
	db := sqldbtest.Postgres(t)
	ctx := context.Background()
	f := newMemberFixture(t, db)
	a := chainedMerges(t, f, true)
	followErr, stepErr := stepBeside(t, db, f, a, func() error { return sqldb.FollowFoldsHeld(ctx, db, []int64{f.ids["C1"]}, nil) })
	if followErr != nil {
		t.Fatal(followErr)
	}
	if partyworks.ErrorCode(stepErr) != partyworks.ECONFLICT {
		t.Errorf("step beside the follow: %v; want a conflict", stepErr)
	}
	if u, _ := unitOf(t, f, a.ID); u != f.ids["C3"] {
		t.Errorf("the member is in unit %d; want C3 (%d)", u, f.ids["C3"])
	}
	statsAgree(t, f, []string{"C3", "W2", "193"}, []string{"2021-07-05", "2021-08-01", "2021-09-01"})
}
