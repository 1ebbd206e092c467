package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"partyworks"
)

// TestDocumentSettings: an admin sets a unit's issuer abbreviation and
// adds its congresses through the forms and the API; staff and admins of
// another branch are refused; a bad or overlapping entry is shown again
// with its error; outgoing documents then carry the abbreviation.
func TestDocumentSettings(t *testing.T) {
	h := sqlite(t)
	h.user("prov", partyworks.RoleAdmin, "22")
	h.user("staff", partyworks.RoleStaff, "22")
	h.user("coto", partyworks.RoleAdmin, "207")
	unit := h.ids["193"]
	settings := fmt.Sprintf("/units/%d/documents/settings", unit)

	for user, want := range map[string]int{"prov": 200, "staff": 403, "coto": 403} {
		if res, body := h.page("GET", settings, h.login(user), nil); res.StatusCode != want {
			t.Errorf("GET settings as %s: %d, want %d: %.200s", user, res.StatusCode, want, body)
		}
	}
	if res, _ := h.page("POST", fmt.Sprintf("/units/%d/documents/issuer", unit), h.login("staff"), url.Values{"abbr": {"X"}}); res.StatusCode != 403 {
		t.Errorf("staff sets the issuer: %d", res.StatusCode)
	}
	prov := h.login("prov")
	res, body := h.page("POST", fmt.Sprintf("/units/%d/documents/issuer", unit), prov, url.Values{"abbr": {"  "}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `class="flash-error"`) {
		t.Errorf("empty abbreviation: %d %.300s", res.StatusCode, body)
	}
	if res, body := h.page("POST", fmt.Sprintf("/units/%d/documents/issuer", unit), prov, url.Values{"abbr": {"TU"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set issuer: %d %.300s", res.StatusCode, body)
	}
	res, body = h.page("POST", fmt.Sprintf("/units/%d/documents/congresses", unit), prov,
		url.Values{"label": {"Đại hội XVI"}, "opens": {"25/09/2025"}, "closes": {"27/09/2025"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add congress: %d %.300s", res.StatusCode, body)
	}
	res, body = h.page("POST", fmt.Sprintf("/units/%d/documents/congresses", unit), prov,
		url.Values{"label": {"Chồng lấn"}, "opens": {"26/09/2025"}, "closes": {"30/09/2025"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, `value="Chồng lấn"`) {
		t.Errorf("overlapping congress: %d %.300s", res.StatusCode, body)
	}
	res, body = h.page("POST", fmt.Sprintf("/units/%d/documents/congresses", unit), prov,
		url.Values{"label": {"Sai ngày"}, "opens": {"hôm qua"}, "closes": {"27/09/2030"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad date: %d %.300s", res.StatusCode, body)
	}
	res, body = h.page("GET", settings, prov, nil)
	if res.StatusCode != 200 || !strings.Contains(body, `value="TU"`) || !strings.Contains(body, "Đại hội XVI") || !strings.Contains(body, "25/09/2025") || strings.Contains(body, "Chồng lấn") {
		t.Errorf("settings page: %d %s", res.StatusCode, body)
	}

	// The API: refused to staff, then a second congress and a new abbreviation.
	api := fmt.Sprintf("/api/v1/units/%d/documents", unit)
	if res, _ := h.api("POST", api+"/congresses", "staff", `{"label":"X","opens":"2030-09-01","closes":"2030-09-02"}`, "application/json"); res.StatusCode != 403 {
		t.Errorf("staff adds a congress over the API: %d", res.StatusCode)
	}
	if res, body := h.api("POST", api+"/congresses", "prov", `{"label":"Đại hội XVII","opens":"2030-09-01","closes":"2030-09-02"}`, "application/json"); res.StatusCode != 201 {
		t.Fatalf("API congress: %d %s", res.StatusCode, body)
	}
	if res, body := h.api("POST", api+"/issuer", "prov", `{"abbr":"ThU"}`, "application/json"); res.StatusCode != 200 {
		t.Fatalf("API issuer: %d %s", res.StatusCode, body)
	}
	res, body = h.api("GET", api+"/settings", "prov", "", "")
	var got struct {
		Issuer     string `json:"issuer"`
		Congresses []struct{ Label, Opens, Closes string }
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || res.StatusCode != 200 {
		t.Fatalf("API settings: %d %s", res.StatusCode, body)
	}
	if got.Issuer != "ThU" || len(got.Congresses) != 2 || got.Congresses[0].Label != "Đại hội XVII" || got.Congresses[1].Opens != "2025-09-25" {
		t.Errorf("API settings: %+v", got)
	}

	// An outgoing document registered over HTTP now carries the
	// abbreviation and, inside the congress, the congress's counter.
	res, body = h.api("POST", api, "prov", `{"direction":"out","type":"NQ","issued":"2025-09-26","summary":"Nghị quyết đại hội"}`, "application/json")
	if res.StatusCode != 201 || !strings.Contains(body, "/ThU") {
		t.Errorf("outgoing after the settings: %d %s", res.StatusCode, body)
	}
}

// TestRetentionPeriodsForm: only a national admin edits the periods
// (they hold for the whole tree); a class that is not a type is refused;
// an empty keeping period is permanent.
func TestRetentionPeriodsForm(t *testing.T) {
	h := sqlite(t)
	h.user("nat", partyworks.RoleAdmin, "")
	h.user("prov", partyworks.RoleAdmin, "22")
	for user, want := range map[string]int{"nat": 200, "prov": 403} {
		if res, body := h.page("GET", "/documents/retention-periods", h.login(user), nil); res.StatusCode != want {
			t.Errorf("GET periods as %s: %d, want %d: %.200s", user, res.StatusCode, want, body)
		}
	}
	if res, _ := h.page("POST", "/documents/retention-periods", h.login("prov"), url.Values{"class": {"NQ"}, "archive_after": {"1"}}); res.StatusCode != 403 {
		t.Errorf("provincial admin sets a period: %d", res.StatusCode)
	}
	nat := h.login("nat")
	res, body := h.page("POST", "/documents/retention-periods", nat, url.Values{"class": {"NQ"}, "archive_after": {"2"}, "keep": {""}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set NQ: %d %.300s", res.StatusCode, body)
	}
	res, body = h.page("POST", "/documents/retention-periods", nat, url.Values{"class": {"XX"}, "archive_after": {"2"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `class="flash-error"`) {
		t.Errorf("class XX: %d %.300s", res.StatusCode, body)
	}
	res, body = h.page("POST", "/documents/retention-periods", nat, url.Values{"class": {"CV"}, "archive_after": {"hai"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("years not a number: %d %.300s", res.StatusCode, body)
	}
	if res, body := h.api("POST", "/api/v1/documents/retention-periods", "prov", `{"class":"CV","archive_after_years":1,"keep_years":10}`, "application/json"); res.StatusCode != 403 {
		t.Errorf("provincial admin over the API: %d %s", res.StatusCode, body)
	}
	if res, body := h.api("POST", "/api/v1/documents/retention-periods", "nat", `{"class":"CV","archive_after_years":1,"keep_years":10}`, "application/json"); res.StatusCode != 200 {
		t.Fatalf("API period: %d %s", res.StatusCode, body)
	}
	res, body = h.api("GET", "/api/v1/documents/retention-periods", "nat", "", "")
	var got struct{ Items []partyworks.RetentionPeriod }
	if err := json.Unmarshal([]byte(body), &got); err != nil || res.StatusCode != 200 {
		t.Fatalf("API periods: %d %s", res.StatusCode, body)
	}
	byClass := map[string]partyworks.RetentionPeriod{}
	for _, p := range got.Items {
		byClass[p.Class] = p
	}
	if p := byClass["NQ"]; p.ArchiveAfter != 2 || p.Keep != 0 {
		t.Errorf("NQ: %+v", p)
	}
	if p := byClass["CV"]; p.ArchiveAfter != 1 || p.Keep != 10 {
		t.Errorf("CV: %+v", p)
	}
	if _, ok := byClass["XX"]; ok {
		t.Errorf("XX stored: %+v", got.Items)
	}
	// The page shows the table with the stored values, one form a row.
	res, body = h.page("GET", "/documents/retention-periods", nat, nil)
	if res.StatusCode != 200 || !strings.Contains(body, `form="p-CV" name="keep" inputmode="numeric" value="10"`) {
		t.Errorf("periods page: %d %s", res.StatusCode, body)
	}
}
