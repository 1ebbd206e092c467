package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

// TestReplicaOverHTTP: a server whose database has a read replica, with
// the replica's replay paused so that it certainly lacks the latest
// writes. The writer reads their write at once; another user is served by
// the replica (and sees the old name until it replays); a logout counts at
// once although the replica still has the session.
func TestReplicaOverHTTP(t *testing.T) {
	db := sqldbtest.PostgresReplica(t, sqldb.Options{})
	h := newHarness(t, db)
	h.user("staff", partyworks.RoleStaff, "22")
	h.user("leader", partyworks.RoleLeader, "22")
	cookie := h.login("leader")
	if err := db.WaitReplica(context.Background()); err != nil {
		t.Fatal(err)
	}
	hk := h.ids["06661"]
	unit := fmt.Sprintf("/api/v1/units/%d", hk)
	_, body := h.api("GET", unit, "staff", "", "")
	v := decode[struct{ Version int64 }](t, body).Version

	resume := sqldbtest.PauseReplica(t)
	rename := fmt.Sprintf(`{"type":"rename","effective":"2025-08-01","decision":"2-QĐ/TU","name":"Đảng ủy phường Hà Khánh mới","version":%d}`, v)
	if res, body := h.api("POST", unit+"/events", "staff", rename, "application/json"); res.StatusCode != http.StatusCreated {
		t.Fatalf("rename: %d %s", res.StatusCode, body)
	}
	before := db.ReplicaStats()
	if _, body := h.api("GET", unit+"?at=2025-08-01", "staff", "", ""); !strings.Contains(body, "Hà Khánh mới") {
		t.Errorf("the writer does not read their own write: %s", body)
	}
	if _, body := h.api("GET", unit+"?at=2025-08-01", "leader", "", ""); strings.Contains(body, "Hà Khánh mới") || !strings.Contains(body, "Hà Khánh") {
		t.Errorf("another user was not served by the paused replica: %s", body)
	}
	if after := db.ReplicaStats(); after.Pinned <= before.Pinned || after.Replica <= before.Replica {
		t.Errorf("stats %+v → %+v: want the writer pinned to the primary and the other user on the replica", before, after)
	}

	// Logout: the session is gone on the primary, not yet on the replica.
	if res, _ := h.page("POST", "/logout", cookie, url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	if n := countSessions(t, db, sqldbtest.ReplicaURL(t)); n == 0 {
		t.Fatal("the paused replica has no session: the logout check below proves nothing")
	}
	if res, _ := h.page("GET", "/", cookie, nil); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("a logged-out session still works: %d %s", res.StatusCode, res.Header.Get("Location"))
	}

	resume()
	if err := db.WaitReplica(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, body := h.api("GET", unit+"?at=2025-08-01", "leader", "", ""); !strings.Contains(body, "Hà Khánh mới") {
		t.Errorf("the replica has not caught up: %s", body)
	}
}

// countSessions counts the sessions of the test's schema on a server.
func countSessions(t *testing.T, db *sqldb.DB, server string) int {
	t.Helper()
	u, err := url.Parse(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := sql.Open("pgx", server+"&search_path="+u.Query().Get("search_path"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRow(`SELECT COUNT(*) FROM sessions`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
