package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/vntext"
)

// testMembers checks the demo's members on the seeded database (TestSeed).
func testMembers(t *testing.T, db *sqldb.DB) {
	ctx := context.Background()
	units := sqldb.NewUnitService(db)
	svc := sqldb.NewMemberService(db)
	today := partyworks.Today(time.Now())
	qn := mustCode(t, units, "22", "2025-07-01")

	t.Run("a few hundred, with a spread of statuses", func(t *testing.T) {
		st, err := svc.MemberStats(ctx, qn.ID, today)
		if err != nil {
			t.Fatal(err)
		}
		if n := st.Total(); n < 250 || n > 600 {
			t.Errorf("%d members counted in Quảng Ninh today, want a few hundred", n)
		}
		for _, s := range []partyworks.MemberStatus{partyworks.StatusCandidate, partyworks.StatusApplied, partyworks.StatusProbationary,
			partyworks.StatusOfficial, partyworks.StatusExempted, partyworks.StatusTransferring, partyworks.StatusDeceased} {
			if st.Counts["status"][string(s)] == 0 {
				t.Errorf("no %s member: %v", s, st.Counts["status"])
			}
		}
		if p, o := st.Counts["status"]["probationary"], st.Counts["status"]["official"]; p*4 > o {
			t.Errorf("%d probationary against %d official members", p, o)
		}
		for _, e := range []string{"Kinh", "Tày", "Dao", "Sán Dìu"} {
			if st.Counts["ethnicity"][e] == 0 {
				t.Errorf("no member of the %s: %v", e, st.Counts["ethnicity"])
			}
		}
		if k := st.Counts["ethnicity"]["Kinh"]; k*10 < st.Total()*8 {
			t.Errorf("%d Kinh members of %d", k, st.Total())
		}
	})

	t.Run("records: names and citizen IDs", func(t *testing.T) {
		ms, _, err := svc.FindMembers(ctx, partyworks.MemberFilter{Under: qn.ID, Limit: 2000})
		if err != nil || len(ms) < 250 {
			t.Fatalf("%d members listed in Quảng Ninh: %v", len(ms), err)
		}
		family := map[string]int{}
		seen := map[string]bool{}
		for _, m := range ms {
			full, err := svc.FindMemberByID(ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := partyworks.ValidateCitizenID(full.CitizenID, full.BirthDate, full.Sex); err != nil || !strings.HasPrefix(full.CitizenID, "022") {
				t.Errorf("%s: citizen ID %s: %v", full.FullName, full.CitizenID, err)
			}
			if seen[full.CitizenID] {
				t.Errorf("citizen ID %s twice", full.CitizenID)
			}
			seen[full.CitizenID] = true
			f, _, _ := partyworks.NameParts(full.FullName)
			family[f]++
		}
		if family["Nguyễn"] < family["Trần"] || family["Trần"] == 0 || family["Lê"] == 0 || family["Nguyễn"]*100 < len(ms)*20 {
			t.Errorf("family names: %v", family)
		}
		found, _, err := svc.FindMembers(ctx, partyworks.MemberFilter{Under: qn.ID, Query: "nguyen", Limit: 2000})
		if err != nil || len(found) != family["Nguyễn"] {
			t.Errorf("search \"nguyen\": %d found, %d Nguyễn listed: %v", len(found), family["Nguyễn"], err)
		}
		for _, m := range found {
			if !strings.HasPrefix(vntext.Fold(m.FullName), "nguyen") {
				t.Errorf("search \"nguyen\" found %s", m.FullName)
			}
		}
	})

	t.Run("lifecycles recorded through the store", func(t *testing.T) {
		ms, _, err := svc.FindMembers(ctx, partyworks.MemberFilter{Under: qn.ID, Statuses: []partyworks.MemberStatus{partyworks.StatusProbationary}, Limit: 100})
		if err != nil || len(ms) == 0 {
			t.Fatalf("probationary members: %d, %v", len(ms), err)
		}
		steps, err := svc.FindSteps(ctx, ms[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range steps {
			names = append(names, string(s.Step))
			if s.RecordedBy != "demo" {
				t.Errorf("step %s recorded by %q", s.Step, s.RecordedBy)
			}
		}
		if got := strings.Join(names, " "); !strings.HasSuffix(got, "apply resolve admit ceremony") {
			t.Errorf("%s's steps: %s", ms[0].FullName, got)
		}
	})

	t.Run("the reorganization moved them", func(t *testing.T) {
		before := stats(t, svc, mustCode(t, units, "06691", "2025-06-30").ID, "2025-06-30")
		hg := mustCode(t, units, "06685", "2025-07-01")
		if before == 0 || stats(t, svc, hg.ID, "2025-07-01") < before {
			t.Errorf("Hồng Gai had %d members on 30/06/2025; %s has %d on 01/07/2025", before, hg.Name, stats(t, svc, hg.ID, "2025-07-01"))
		}
		kp4 := mustCode(t, units, "06655.KP4", "2025-06-30")
		tuan := mustCode(t, units, "06706", "2025-07-01")
		inCell, _, err := svc.FindMembers(ctx, partyworks.MemberFilter{Under: kp4.ID, At: day("2025-07-01"), Limit: 500})
		if err != nil || len(inCell) == 0 {
			t.Fatalf("members of 06655.KP4: %d, %v", len(inCell), err)
		}
		under, _, err := svc.FindMembers(ctx, partyworks.MemberFilter{Under: tuan.ID, At: day("2025-07-01"), Limit: 500})
		if err != nil || len(under) < len(inCell) {
			t.Errorf("%s on 01/07/2025: %d members, the cell moved there has %d: %v", tuan.Name, len(under), len(inCell), err)
		}
		if n := stats(t, svc, tuan.ID, "2025-06-30"); n != 0 {
			t.Errorf("%s had %d members before it existed", tuan.Name, n)
		}
	})

	t.Run("self-service record of dangvien", func(t *testing.T) {
		u, err := sqldb.NewUserService(db).FindUserByUsername(ctx, "dangvien")
		if err != nil {
			t.Fatal(err)
		}
		m, err := svc.FindMemberByUser(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		cell := mustCode(t, units, "06691.KP1", "2025-07-01")
		if m.FullName != u.DisplayName || m.Status != partyworks.StatusOfficial || m.UnitID != cell.ID || len(m.Entries) < 5 {
			t.Errorf("dangvien's record: %s %s unit %d (want %d), %d entries", m.FullName, m.Status, m.UnitID, cell.ID, len(m.Entries))
		}
	})
}

func stats(t *testing.T, svc *sqldb.MemberService, unit int64, at string) int {
	t.Helper()
	st, err := svc.MemberStats(context.Background(), unit, day(at))
	if err != nil {
		t.Fatal(err)
	}
	return st.Total()
}
