package demo_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"partyworks"
	"partyworks/demo"
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

func TestSeed(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.SQLite(t)
	var out bytes.Buffer
	start := time.Now()
	logins, err := demo.Seed(ctx, db, &out)
	if err != nil {
		t.Fatalf("seed: %v\n%s", err, out.String())
	}
	t.Logf("seeded in %v:\n%s", time.Since(start), out.String())
	units := sqldb.NewUnitService(db)

	t.Run("Quảng Ninh before and after 1 July 2025", func(t *testing.T) {
		qn := mustCode(t, units, "22", "2025-06-30")
		if qn.Name != "Tỉnh ủy Quảng Ninh" {
			t.Fatalf("22: %q", qn.Name)
		}
		before := children(t, units, qn.ID, "2025-06-30")
		if n := countKinds(before, partyworks.KindDepartment); len(before)-n != 13 {
			t.Errorf("on 30/06/2025: %d district-level committees, want 13", len(before)-n)
		}
		after := children(t, units, qn.ID, "2025-07-01")
		depts := countKinds(after, partyworks.KindDepartment)
		if len(after)-depts != 54 || depts != 5 {
			t.Errorf("on 01/07/2025: %d commune-level units and %d departments, want 54 and 5", len(after)-depts, depts)
		}
		for _, u := range after {
			if u.Kind != partyworks.KindDepartment && u.Kind.Level() != 3 {
				t.Errorf("on 01/07/2025 %s %s (%s) stands under the province", u.Code, u.Name, u.Kind)
			}
		}
	})

	t.Run("departments merged on 1 March 2025", func(t *testing.T) {
		m := mustCode(t, units, "22.BTGDV", "2025-03-01")
		if m.Name != "Ban Tuyên giáo và Dân vận Tỉnh ủy" || m.ValidFrom != day("2025-03-01") || m.Ended() {
			t.Errorf("merged department: %+v", m)
		}
		if _, err := units.FindUnitByCode(ctx, "22.BTGDV", day("2025-02-28")); partyworks.ErrorCode(err) != partyworks.ENOTFOUND {
			t.Errorf("the merged department on 28/02/2025: %v", err)
		}
		for _, code := range []string{"22.BTG", "22.BDV"} {
			u := mustCode(t, units, code, "2025-02-28")
			if !u.Ended() || u.LastDay() != day("2025-02-28") {
				t.Errorf("%s %s: last day %v", code, u.Name, u.LastDay())
			}
		}
		evs, err := units.FindUnitEvents(ctx, m.ID)
		if err != nil || len(evs) == 0 || evs[0].Decision != "2286-QĐ/TU" {
			t.Errorf("events of the merged department: %v %+v", err, evs)
		}
	})

	t.Run("the split ward's cells", func(t *testing.T) {
		viet := mustCode(t, units, "06661", "2025-07-01")
		tuan := mustCode(t, units, "06706", "2025-07-01")
		for code, want := range map[string]*partyworks.Unit{"06655.KP1": viet, "06655.THCS": viet, "06655.KP4": tuan} {
			if u := mustCode(t, units, code, "2025-07-01"); u.ParentID != want.ID {
				t.Errorf("%s went under unit %d, want %s (%d)", code, u.ParentID, want.Name, want.ID)
			}
		}
		hg := mustCode(t, units, "06685", "2025-07-01")
		if u := mustCode(t, units, "06691.THPT", "2025-07-01"); u.ParentID != hg.ID || u.Children != 3 {
			t.Errorf("the school's committee: %+v, want 3 cells under %s", u, hg.Name)
		}
		evs, err := units.FindUnitEvents(ctx, hg.ID)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range evs {
			found = found || e.Decision == "1679/NQ-UBTVQH15"
		}
		if !found {
			t.Errorf("no event of %s carries 1679/NQ-UBTVQH15", hg.Name)
		}
	})

	t.Run("logins", func(t *testing.T) {
		users := sqldb.NewUserService(db)
		want := map[string]bool{"admin": true, "tochuc.qn": true, "lanhdao.qn": true, "halong.staff": true, "dangvien": true, "hanoi.admin": true}
		for _, l := range logins.Accounts {
			delete(want, l.Username)
			u, err := users.Authenticate(ctx, l.Username, l.Password, "test")
			if err != nil {
				t.Errorf("%s: %v", l.Username, err)
				continue
			}
			if len(u.Grants) != 1 || string(u.Grants[0].Role) != l.Role {
				t.Errorf("%s: grants %+v", l.Username, u.Grants)
			}
			if strings.Contains(out.String(), l.Password) {
				t.Errorf("the progress output shows %s's password", l.Username)
			}
		}
		if len(want) > 0 {
			t.Errorf("missing accounts: %v", want)
		}
		if a := logins.Accounts[0]; a.Username != "admin" || a.Scope != "" {
			t.Errorf("first login: %+v", a)
		}
	})

	t.Run("audit trail", func(t *testing.T) {
		audit := sqldb.NewAuditService(db)
		n, problems, err := audit.VerifyAudit(ctx)
		if err != nil || len(problems) > 0 || n == 0 {
			t.Errorf("verify: %d entries, %v, %v", n, problems, err)
		}
		es, err := audit.FindAuditEntries(ctx, partyworks.AuditFilter{Action: "unit.restructure", Limit: 5})
		if err != nil || len(es) != 1 || es[0].Username != "demo" {
			t.Errorf("the restructure in the trail: %v %+v", err, es)
		}
	})

	t.Run("members", func(t *testing.T) { testMembers(t, db) })

	t.Run("seeding twice", func(t *testing.T) {
		_, err := demo.Seed(ctx, db, &bytes.Buffer{})
		if !errors.Is(err, demo.ErrNotEmpty) || !strings.Contains(partyworks.ErrorMessage(err), "already has data") {
			t.Errorf("second seed: %v", err)
		}
	})
}

func TestNewPassword(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		p := demo.NewPassword()
		if len(p) != 19 || seen[p] || sqldb.ValidatePassword("admin", p) != nil {
			t.Fatalf("password %q", p)
		}
		seen[p] = true
	}
}

func mustCode(t *testing.T, units partyworks.UnitService, code, at string) *partyworks.Unit {
	t.Helper()
	u, err := units.FindUnitByCode(context.Background(), code, day(at))
	if err != nil {
		t.Fatalf("%s on %s: %v", code, at, err)
	}
	return u
}

func children(t *testing.T, units partyworks.UnitService, parent int64, at string) []*partyworks.Unit {
	t.Helper()
	us, _, err := units.FindUnits(context.Background(), partyworks.UnitFilter{At: day(at), ParentID: &parent, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return us
}

func countKinds(us []*partyworks.Unit, k partyworks.UnitKind) int {
	n := 0
	for _, u := range us {
		if u.Kind == k {
			n++
		}
	}
	return n
}
