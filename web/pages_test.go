package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"partyworks"
)

func TestPagesRender(t *testing.T) {
	h := sqlite(t)
	h.user("admin", partyworks.RoleAdmin, "")
	c := h.login("admin")
	for _, path := range []string{"/", "/?q=ha+khanh", "/units/" + fmt.Sprint(h.ids["193"]), "/units/" + fmt.Sprint(h.ids["193"]) + "?at=2019-01-01",
		"/units/" + fmt.Sprint(h.ids["06661"]) + "/events/new", "/import", "/restructure", "/users", "/audit", "/account", "/units/" + fmt.Sprint(h.ids["22"]) + "/import", "/units/" + fmt.Sprint(h.ids["22"]) + "/todo"} {
		res, body := h.page("GET", path, c, nil)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d\n%s", path, res.StatusCode, body)
			continue
		}
		if !strings.Contains(body, "</html>") || strings.Contains(body, "%!") {
			t.Errorf("%s: broken page", path)
		}
		if res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: personal page may be cached", path)
		}
	}
	_, body := h.page("GET", "/?q=ha+khanh", c, nil)
	if !strings.Contains(body, "Đảng ủy phường Hà Khánh") {
		t.Error("diacritic-insensitive search did not find Hà Khánh")
	}
	_, body = h.page("GET", "/units/"+fmt.Sprint(h.ids["193"]), c, nil)
	if !strings.Contains(body, "Đảng ủy phường Hà Khánh") || !strings.Contains(body, "Tỉnh ủy Quảng Ninh") {
		t.Error("the unit page lacks its child or its parent")
	}
	// The login is in the trail under the user's name.
	logins, _ := h.audit.FindAuditEntries(t.Context(), partyworks.AuditFilter{Action: "auth.login"})
	if len(logins) == 0 || logins[0].Username != "admin" {
		t.Errorf("the login is not recorded under the user's name: %+v", logins)
	}
	// The language switch is a POST that sets a cookie.
	res, _ := h.page("POST", "/lang", c, url.Values{"lang": {"en"}, "next": {"/"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("lang: %d", res.StatusCode)
	}
}
