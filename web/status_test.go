package web_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
	"partyworks/web"
)

// statusHarness is the harness with a status page: the database's status
// as cmd/partyworks completes it, and one job run recorded.
func statusHarness(t *testing.T, db *sqldb.DB) *harness {
	h := newHarness(t, db)
	started := time.Now().Add(-(26*time.Hour + 5*time.Minute))
	status := func(ctx context.Context) (*partyworks.SystemStatus, error) {
		st, err := h.db.Status(ctx)
		if err != nil {
			return nil, err
		}
		st.Version, st.Node, st.Started = "v9.9.9", "node-a:4242", started
		st.UptimeSeconds = int64(time.Since(started).Seconds())
		return st, nil
	}
	h.server = web.NewServer(slog.New(slog.NewTextHandler(testLog{t}, nil)), web.Config{SecureCookies: true, Version: "v9.9.9"},
		web.Deps{Units: h.units, Users: h.users, Audit: h.audit, Ping: db.Ping, Status: status})
	h.srv.Close()
	h.srv = httptest.NewServer(h.server)
	t.Cleanup(h.srv.Close)
	if _, err := db.RunJob(context.Background(), "task.remind", "2026-11-29T19", "node-b:77", func(context.Context) (string, error) {
		return "due soon 0, overdue 2, escalated 1, mailed 0", nil
	}); err != nil {
		t.Fatal(err)
	}
	h.user("national", partyworks.RoleAdmin, "")
	h.user("province", partyworks.RoleAdmin, "22")
	h.user("nationalstaff", partyworks.RoleStaff, "")
	return h
}

// TestStatusPage: the national administrator sees the status page in
// three languages and as JSON; nobody else does.
func TestStatusPage(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		h := statusHarness(t, db)
		res, body := h.api("GET", "/api/v1/status", "national", "", "")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/v1/status: %d %s", res.StatusCode, body)
		}
		var st partyworks.SystemStatus
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			t.Fatal(err)
		}
		kind := map[bool]string{true: "postgres", false: "sqlite"}[db.Postgres()]
		units := map[string]int64{}
		for _, tb := range st.Tables {
			units[tb.Name] = tb.Rows
		}
		if st.Version != "v9.9.9" || st.Database != kind || st.DatabaseVersion == "" || st.Node != "node-a:4242" || st.UptimeSeconds < 26*3600 ||
			len(st.Migrations) != st.MigrationsKnown || units["units"] != 8 || len(st.Jobs) != 1 || st.Jobs[0].Node != "node-b:77" {
			t.Errorf("status: %s", body)
		}
		for _, who := range []string{"province", "nationalstaff"} {
			if res, _ := h.api("GET", "/api/v1/status", who, "", ""); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s: GET /api/v1/status: %d, want 403", who, res.StatusCode)
			}
			if res, _ := h.page("GET", "/admin/status", h.login(who), nil); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s: GET /admin/status: %d, want 403", who, res.StatusCode)
			}
		}
		if res, _ := h.page("GET", "/admin/status", nil, nil); res.StatusCode != http.StatusSeeOther {
			t.Errorf("anonymous: GET /admin/status: %d, want a redirect to the login", res.StatusCode)
		}

		c := h.login("national")
		for lang, wants := range map[string][]string{
			"vi": {"Tình trạng hệ thống", "1 ngày 2 giờ 5 phút", "Xong", "overdue 2", "Khung giờ (UTC)"},
			"en": {"System status", "1 d 2 h 5 min", "Done", "node-b:77", "2026-11-29T19", "unit_versions", "migrations applied"},
			"ja": {"システム状況", "1日2時間5分", "完了", "node-a:4242", "v9.9.9"},
		} {
			req, _ := http.NewRequest("GET", h.srv.URL+"/admin/status", nil)
			req.AddCookie(c)
			req.AddCookie(&http.Cookie{Name: "lang", Value: lang})
			res, body := h.do(req)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s: GET /admin/status: %d %s", lang, res.StatusCode, body)
			}
			for _, w := range wants {
				if !strings.Contains(body, w) {
					t.Errorf("%s: the page lacks %q", lang, w)
				}
			}
		}
		// The navigation links to it for the national administrator only.
		if _, body := h.page("GET", "/", c, nil); !strings.Contains(body, `href="/admin/status"`) {
			t.Error("no link to the status page for the national administrator")
		}
		if _, body := h.page("GET", "/", h.login("province"), nil); strings.Contains(body, `href="/admin/status"`) {
			t.Error("a link to the status page for a provincial administrator")
		}
	})
}

// TestStatusAbsent: a server built without a status answers 404 to the
// national administrator, not 500.
func TestStatusAbsent(t *testing.T) {
	h := sqlite(t)
	h.user("national", partyworks.RoleAdmin, "")
	if res, body := h.api("GET", "/api/v1/status", "national", "", ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /api/v1/status without a status: %d %s", res.StatusCode, body)
	}
}

// TestRegisterMetrics: collectors from outside web appear on /metrics.
func TestRegisterMetrics(t *testing.T) {
	h := sqlite(t)
	h.user("national", partyworks.RoleAdmin, "")
	jobs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "partyworks_job_runs_total", Help: "test"}, []string{"job", "result"})
	if err := h.server.RegisterMetrics(jobs); err != nil {
		t.Fatal(err)
	}
	jobs.WithLabelValues("task.remind", "skipped").Add(2)
	if err := h.server.RegisterMetrics(jobs); err == nil {
		t.Error("registering the same collector twice was accepted")
	}
	res, body := h.api("GET", "/metrics", "national", "", "")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `partyworks_job_runs_total{job="task.remind",result="skipped"} 2`) {
		t.Errorf("GET /metrics: %d\n%s", res.StatusCode, body)
	}
}
