package sqldb_test

import (
	"context"
	"testing"
	"time"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

// TestStudyAttendanceByMember records which members attended, checks that
// they belong to the session's unit subtree on the day and that the counts
// follow the names, and reads the coverage by members.
func TestStudyAttendanceByMember(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newMemberFixture(t, db)
		a := f.add(t, "Nguyễn Văn An", partyworks.Male, "1980-01-02", "C1", partyworks.StatusOfficial)
		b := f.add(t, "Trần Thị Bình", partyworks.Female, "1985-05-06", "C1", partyworks.StatusProbationary)
		c := f.add(t, "Lê Văn Cường", partyworks.Male, "1970-07-08", "C3", partyworks.StatusOfficial)
		cand := f.add(t, "Phạm Văn Dũng", partyworks.Male, "1999-09-09", "C1", partyworks.StatusCandidate)
		late := &partyworks.Member{FullName: "Hoàng Văn Em", Sex: partyworks.Male, BirthDate: day("1990-01-01"), UnitID: f.ids["C1"],
			Status: partyworks.StatusOfficial, Admitted: day("2015-03-01"), Ceremony: day("2015-03-20"), Since: day("2020-02-20"),
			Ethnicity: "Kinh", Education: "12/12", Theory: "Sơ cấp"}
		late.CitizenID = f.cidFor(late.BirthDate, late.Sex)
		if err := f.members.CreateMember(ctx, late); err != nil {
			t.Fatal(err)
		}
		f.now = time.Date(2020, 3, 1, 5, 0, 0, 0, time.UTC)

		tasks := sqldb.NewTaskService(db, t.TempDir())
		d := &partyworks.Directive{OwnerID: f.ids["22"], Symbol: "18-NQ/TW", Title: "Tinh gọn bộ máy", Issued: day("2017-10-25")}
		if err := tasks.CreateDirective(ctx, d); err != nil {
			t.Fatal(err)
		}
		camp := &partyworks.StudyCampaign{DirectiveID: d.ID, OwnerID: f.ids["22"], Title: "Học tập NQ 18",
			Start: day("2020-02-01"), End: day("2020-03-31"), Kinds: []partyworks.UnitKind{"cell"}}
		if err := tasks.CreateCampaign(ctx, camp); err != nil {
			t.Fatal(err)
		}
		session := func(unit string, attended, expected int, members ...int64) *partyworks.StudySession {
			return &partyworks.StudySession{CampaignID: camp.ID, UnitID: f.ids[unit], Held: day("2020-02-10"),
				Attended: attended, Expected: expected, Members: members}
		}
		for name, tc := range map[string]struct {
			s     *partyworks.StudySession
			field string
		}{
			"another unit's member":     {session("C1", 0, 5, a.ID, c.ID), "members"},
			"a candidate, not a member": {session("C1", 0, 5, a.ID, cand.ID), "members"},
			"joined after the session":  {session("C1", 0, 5, a.ID, late.ID), "members"},
			"named twice":               {session("C1", 0, 5, a.ID, a.ID), "members"},
			"count differs from names":  {session("C1", 3, 5, a.ID, b.ID), "attended"},
			"more named than expected":  {session("C1", 0, 1, a.ID, b.ID), "attended"},
			"no such member":            {session("C1", 0, 5, 999999), "members"},
		} {
			if err := tasks.RecordSession(ctx, tc.s); partyworks.ErrorCode(err) != partyworks.EINVALID || partyworks.ErrorField(err) != tc.field {
				t.Fatalf("%s: %v (field %q)", name, err, partyworks.ErrorField(err))
			}
		}
		named := session("C1", 0, 4, a.ID, b.ID)
		if err := tasks.RecordSession(ctx, named); err != nil {
			t.Fatal(err)
		}
		if named.Attended != 2 {
			t.Fatalf("attended follows the names: %d", named.Attended)
		}
		if err := tasks.RecordSession(ctx, session("C3", 5, 6)); err != nil { // counts only
			t.Fatal(err)
		}
		cov, sessions, err := tasks.Coverage(ctx, camp.ID, f.ids["22"])
		if err != nil {
			t.Fatal(err)
		}
		// Members today: a, b, c and late (4); reached: a and b.
		if cov.Members != 4 || cov.MembersReached != 2 || !cov.MemberCoverage.Known || cov.MemberCoverage.Value != 50 {
			t.Fatalf("coverage by members: %+v", cov)
		}
		if cov.Attended != 7 || cov.Expected != 10 || len(sessions) != 2 {
			t.Fatalf("counts: %+v, %d sessions", cov, len(sessions))
		}
		cov, _, err = tasks.Coverage(ctx, camp.ID, f.ids["W2"])
		if err != nil || cov.Members != 1 || cov.MembersReached != 0 || cov.MemberCoverage.Value != 0 {
			t.Fatalf("W2: %+v %v", cov, err)
		}
	})
}
