package sqldb_test

import (
	"context"
	"testing"
	"time"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

func TestUsersAndSessions(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		users := sqldb.NewUserService(db)
		for _, bad := range []string{"short", "password", "12345678", "matkhau123", "lan.nguyen"} {
			if err := users.CreateUser(ctx, &partyworks.User{Username: "lan.nguyen"}, bad); partyworks.ErrorField(err) != "password" {
				t.Errorf("password %q accepted: %v", bad, err)
			}
		}
		long := "một mật khẩu rất dài có dấu tiếng Việt và hơn bảy mươi hai byte để bcrypt sẽ cắt mất phần cuối"
		u := &partyworks.User{Username: "Lan.Nguyen", DisplayName: "Nguyễn Thị Lan"}
		if err := users.CreateUser(ctx, u, long); err != nil {
			t.Fatal(err)
		}
		if err := users.CreateUser(ctx, &partyworks.User{Username: "lan.nguyen"}, long); partyworks.ErrorCode(err) != partyworks.ECONFLICT {
			t.Errorf("duplicate username: %v", err)
		}
		// The whole password counts: changing its last character fails.
		if _, err := users.Authenticate(ctx, "lan.nguyen", long[:len(long)-1]+"X", "10.0.0.1"); partyworks.ErrorCode(err) != partyworks.EUNAUTHORIZED {
			t.Errorf("truncated password accepted: %v", err)
		}
		if got, err := users.Authenticate(ctx, "LAN.NGUYEN", long, "10.0.0.1"); err != nil || got.ID != u.ID {
			t.Fatalf("login: %v", err)
		}
		// Throttling: five failures from one address block that address for
		// that account, not another address.
		for i := 0; i < 5; i++ {
			users.Authenticate(ctx, "lan.nguyen", "wrong-password", "10.0.0.66")
		}
		if _, err := users.Authenticate(ctx, "lan.nguyen", long, "10.0.0.66"); partyworks.ErrorCode(err) != partyworks.ETOOMANY {
			t.Errorf("sixth attempt from the attacker: %v", err)
		}
		if _, err := users.Authenticate(ctx, "lan.nguyen", long, "10.0.0.1"); err != nil {
			t.Errorf("the owner from another address is locked out: %v", err)
		}
		db.Now = func() time.Time { return time.Now().Add(16 * time.Minute) }
		if _, err := users.Authenticate(ctx, "lan.nguyen", long, "10.0.0.66"); err != nil {
			t.Errorf("after the window: %v", err)
		}
		db.Now = time.Now

		sess, err := users.CreateSession(ctx, u.ID, "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if len(sess.Token) < 40 {
			t.Errorf("session token too short: %d", len(sess.Token))
		}
		if got, _, err := users.SessionUser(ctx, sess.Token); err != nil || got.ID != u.ID {
			t.Fatalf("session: %v", err)
		}
		// Idle timeout.
		db.Now = func() time.Time { return time.Now().Add(31 * time.Minute) }
		if _, _, err := users.SessionUser(ctx, sess.Token); partyworks.ErrorCode(err) != partyworks.EUNAUTHORIZED {
			t.Errorf("idle session still valid: %v", err)
		}
		db.Now = time.Now
		sess, _ = users.CreateSession(ctx, u.ID, "10.0.0.1")
		tok, err := users.CreateToken(ctx, u.ID, "cli")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := users.TokenUser(ctx, tok); err != nil || got.ID != u.ID {
			t.Fatalf("token: %v", err)
		}
		// Disabling ends sessions and tokens at once.
		cur, _ := users.FindUserByID(ctx, u.ID)
		if err := users.SetDisabled(ctx, u.ID, true, cur.Version+7); partyworks.ErrorCode(err) != partyworks.ECONFLICT {
			t.Errorf("stale disable: %v", err)
		}
		if err := users.SetDisabled(ctx, u.ID, true, cur.Version); err != nil {
			t.Fatal(err)
		}
		if _, _, err := users.SessionUser(ctx, sess.Token); err == nil {
			t.Error("session of a disabled account still valid")
		}
		if _, err := users.TokenUser(ctx, tok); err == nil {
			t.Error("token of a disabled account still valid")
		}
		if _, err := users.Authenticate(ctx, "lan.nguyen", long, "10.0.0.1"); err == nil {
			t.Error("disabled account can log in")
		}
	})
}

func TestGrantsFollowTheTree(t *testing.T) {
	db := sqldbtest.SQLite(t)
	ctx := context.Background()
	units := sqldb.NewUnitService(db)
	users := sqldb.NewUserService(db)
	mustImport(t, units, "2020-01-01",
		[4]string{"22", "Tỉnh ủy Quảng Ninh", "province", ""},
		[4]string{"193", "Thành ủy Hạ Long", "provincial_city", "22"},
		[4]string{"06661", "Đảng ủy phường Hà Khánh", "ward", "193"},
		[4]string{"01", "Thành ủy Hà Nội", "city", ""},
	)
	u := &partyworks.User{Username: "staff"}
	if err := users.CreateUser(ctx, u, "a long enough secret"); err != nil {
		t.Fatal(err)
	}
	hl := mustCode(t, units, "193", "2024-01-01")
	if err := users.AddGrant(ctx, &partyworks.Grant{UserID: u.ID, Role: partyworks.RoleStaff, UnitID: hl.ID}); err != nil {
		t.Fatal(err)
	}
	got, _ := users.FindUserByID(ctx, u.ID)
	hk := mustCode(t, units, "06661", "2024-01-01")
	hn := mustCode(t, units, "01", "2024-01-01")
	qn := mustCode(t, units, "22", "2024-01-01")
	if !got.Can(partyworks.ActUnitWrite, hk.Path) || got.Can(partyworks.ActUnitWrite, hl.Path) ||
		got.Can(partyworks.ActUnitRead, hn.Path) || got.Can(partyworks.ActUnitRead, qn.Path) || !got.Can(partyworks.ActUnitRead, hl.Path) {
		t.Errorf("staff of Hạ Long: wrong rights (grants %+v)", got.Grants)
	}
	if err := users.RemoveGrant(ctx, got.Grants[0].ID); err != nil {
		t.Fatal(err)
	}
	got, _ = users.FindUserByID(ctx, u.ID)
	if got.Can(partyworks.ActUnitRead, hk.Path) {
		t.Error("a revoked grant still works")
	}
}

func TestAuditChain(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := partyworks.WithActor(context.Background(), partyworks.Actor{UserID: 0, Username: "tester", Addr: "127.0.0.1"})
		units := sqldb.NewUnitService(db)
		audit := sqldb.NewAuditService(db)
		mustImport(t, units, "2020-01-01", [4]string{"22", "Tỉnh ủy Quảng Ninh", "province", ""})
		qn := mustCode(t, units, "22", "2021-01-01")
		for i, name := range []string{"A", "B", "C", "D"} {
			if _, err := units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventRename, Effective: day("2021-01-01").AddDate(0, i, 0), Decision: "1-QĐ/TU", Unit: qn.ID, Name: name}); err != nil {
				t.Fatal(err)
			}
		}
		n, problems, err := audit.VerifyAudit(ctx)
		if err != nil || n != 5 || len(problems) != 0 {
			t.Fatalf("verify: %d entries, %v, %v", n, problems, err)
		}
		entries, _ := audit.FindAuditEntries(ctx, partyworks.AuditFilter{Action: "unit.rename"})
		if len(entries) != 4 || entries[0].Username != "tester" || entries[0].Addr != "127.0.0.1" {
			t.Fatalf("entries: %+v", entries)
		}
		for name, tamper := range map[string]string{
			"alter":       `UPDATE audit_log SET username = 'someone' WHERE seq = 3`,
			"delete":      `DELETE FROM audit_log WHERE seq = 2`,
			"delete tail": `DELETE FROM audit_log WHERE seq = 5`,
		} {
			t.Run(name, func(t *testing.T) {
				if err := db.ExecRaw(ctx, `CREATE TABLE audit_copy AS SELECT * FROM audit_log`); err != nil {
					t.Fatal(err)
				}
				defer func() {
					db.ExecRaw(ctx, `DELETE FROM audit_log`)
					db.ExecRaw(ctx, `INSERT INTO audit_log SELECT * FROM audit_copy`)
					db.ExecRaw(ctx, `DROP TABLE audit_copy`)
				}()
				if err := db.ExecRaw(ctx, tamper); err != nil {
					t.Fatal(err)
				}
				if _, problems, _ := audit.VerifyAudit(ctx); len(problems) == 0 {
					t.Errorf("%s went unnoticed", name)
				}
			})
		}
		if _, problems, _ := audit.VerifyAudit(ctx); len(problems) != 0 {
			t.Errorf("after restoring: %v", problems)
		}
	})
}
