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

func decode[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
	return v
}

type unitList struct {
	Total int `json:"total"`
	Items []struct {
		ID      int64  `json:"id"`
		Code    string `json:"code"`
		Name    string `json:"name"`
		LastDay string `json:"last_day"`
		Version int64  `json:"version"`
	} `json:"items"`
	Next string `json:"next"`
}

func TestUnitsThroughTimeByAPI(t *testing.T) {
	h := sqlite(t)
	h.user("staff", partyworks.RoleStaff, "22")
	hk, coto := h.ids["06661"], h.ids["207"]
	// Move Hà Khánh under Cô Tô from 01/07/2025.
	res, body := h.api("POST", fmt.Sprintf("/api/v1/units/%d/events", hk), "staff",
		fmt.Sprintf(`{"type":"reparent","effective":"01/07/2025","decision":"1679/NQ-UBTVQH15","parent":%d}`, coto), "application/json")
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("reparent: %d %s", res.StatusCode, body)
	}
	for at, want := range map[string]int{"2025-06-30": 0, "2025-07-01": 1} {
		_, body := h.api("GET", fmt.Sprintf("/api/v1/units/%d/children?at=%s", coto, at), "staff", "", "")
		if l := decode[unitList](t, body); len(l.Items)-1 != want-1 && l.Total != want+1 {
			t.Errorf("Cô Tô's children on %s: %s", at, body)
		}
	}
	_, body = h.api("GET", "/api/v1/units?code=06661&at=2025-07-01", "staff", "", "")
	if l := decode[unitList](t, body); l.Total != 1 || l.Items[0].ID != hk {
		t.Errorf("find by code: %s", body)
	}
	_, body = h.api("GET", fmt.Sprintf("/api/v1/units/%d/ancestors?at=2025-07-01", hk), "staff", "", "")
	if !strings.Contains(body, "Huyện ủy Cô Tô") {
		t.Errorf("ancestors after the move: %s", body)
	}
	_, body = h.api("GET", fmt.Sprintf("/api/v1/units/%d/ancestors?at=2025-06-30", hk), "staff", "", "")
	if !strings.Contains(body, "Thành ủy Hạ Long") {
		t.Errorf("ancestors before the move: %s", body)
	}
	_, body = h.api("GET", fmt.Sprintf("/api/v1/units/%d/events", hk), "staff", "", "")
	if !strings.Contains(body, "1679/NQ-UBTVQH15") {
		t.Errorf("history: %s", body)
	}

	// A stale version is a conflict, and writes nothing.
	_, body = h.api("GET", fmt.Sprintf("/api/v1/units/%d", hk), "staff", "", "")
	v := decode[struct{ Version int64 }](t, body).Version
	ok := fmt.Sprintf(`{"type":"rename","effective":"2025-08-01","decision":"2-QĐ/TU","name":"Đảng ủy phường Hà Khánh mới","version":%d}`, v)
	if res, body := h.api("POST", fmt.Sprintf("/api/v1/units/%d/events", hk), "staff", ok, "application/json"); res.StatusCode != http.StatusCreated {
		t.Fatalf("rename: %d %s", res.StatusCode, body)
	}
	stale := fmt.Sprintf(`{"type":"rename","effective":"2025-09-01","decision":"3-QĐ/TU","name":"Tên khác","version":%d}`, v)
	res, body = h.api("POST", fmt.Sprintf("/api/v1/units/%d/events", hk), "staff", stale, "application/json")
	if res.StatusCode != http.StatusConflict || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("stale rename: %d %s", res.StatusCode, body)
	}

	// Bad input: clear problems, nothing written.
	for name, tc := range map[string]struct {
		body  string
		field string
	}{
		"bad symbol":   {`{"type":"rename","effective":"2025-10-01","decision":"QĐ 12","name":"X"}`, "decision"},
		"bad date":     {`{"type":"rename","effective":"31/02/2025","decision":"1-QĐ/TU","name":"X"}`, "effective"},
		"unknown type": {`{"type":"explode","effective":"2025-10-01","decision":"1-QĐ/TU"}`, "type"},
		"unknown key":  {`{"type":"rename","effective":"2025-10-01","decision":"1-QĐ/TU","nmae":"X"}`, ""},
		"into itself":  {fmt.Sprintf(`{"type":"merge","effective":"2025-10-01","decision":"1-QĐ/TU","sources":[%d]}`, hk), "sources"},
	} {
		res, body := h.api("POST", fmt.Sprintf("/api/v1/units/%d/events", hk), "staff", tc.body, "application/json")
		p := decode[struct {
			Status int
			Field  string
			Detail string
		}](t, body)
		if res.StatusCode != http.StatusUnprocessableEntity || p.Field != tc.field || p.Detail == "" {
			t.Errorf("%s: %d %s", name, res.StatusCode, body)
		}
	}
}

func TestIdsInBodiesAreChecked(t *testing.T) {
	h := sqlite(t)
	h.user("halong", partyworks.RoleStaff, "193")
	hk, coto, badinh := h.ids["06661"], h.ids["207"], h.ids["001"]
	// Staff of Hạ Long may not move their ward under Cô Tô (a sibling
	// subtree), nor merge a Hà Nội unit into it, by the API or the form.
	for name, body := range map[string]string{
		"parent outside": fmt.Sprintf(`{"type":"reparent","effective":"2025-07-01","decision":"1-QĐ/TU","parent":%d}`, coto),
		"source outside": fmt.Sprintf(`{"type":"merge","effective":"2025-07-01","decision":"1-QĐ/TU","sources":[%d]}`, badinh),
	} {
		res, b := h.api("POST", fmt.Sprintf("/api/v1/units/%d/events", hk), "halong", body, "application/json")
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("API %s: %d %s", name, res.StatusCode, b)
		}
	}
	c := h.login("halong")
	res, _ := h.page("POST", fmt.Sprintf("/units/%d/events", hk), c, url.Values{"type": {"merge"}, "effective": {"2025-07-01"}, "decision": {"1-QĐ/TU"}, "source_codes": {"001"}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("form with a source outside: %d", res.StatusCode)
	}
	// A user may not be granted a role outside the administrator's subtree.
	h.user("halong.admin", partyworks.RoleAdmin, "193")
	res, body := h.api("POST", "/api/v1/users", "halong.admin", `{"username":"sneaky","password":"a long enough secret","role":"admin","unit":"01"}`, "application/json")
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("creating an admin of Hà Nội from Hạ Long: %d %s", res.StatusCode, body)
	}
	res, body = h.api("POST", "/api/v1/users", "halong.admin", `{"username":"sneaky","password":"a long enough secret","role":"admin","unit":""}`, "application/json")
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("creating a national admin from Hạ Long: %d %s", res.StatusCode, body)
	}
	if _, err := h.users.FindUserByUsername(t.Context(), "sneaky"); err == nil {
		t.Error("the refused user was created")
	}
	// An import under Hạ Long may not hang rows from a Hà Nội unit.
	csv := "code,name,type,parent_code\nX1,Chi bộ X,cell,001\n"
	res, body = h.api("POST", fmt.Sprintf("/api/v1/units/%d/import?effective=2025-01-01", h.ids["193"]), "halong.admin", csv, "text/csv")
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("import into Hà Nội through Hạ Long: %d %s", res.StatusCode, body)
	}
}

func TestSearchStaysInScope(t *testing.T) {
	h := sqlite(t)
	h.user("halong", partyworks.RoleLeader, "193")
	// "Đảng ủy" matches units in Hạ Long and in Cô Tô; only Hạ Long's count.
	_, body := h.api("GET", "/api/v1/units?q=dang+uy", "halong", "", "")
	l := decode[unitList](t, body)
	if l.Total != 1 || len(l.Items) != 1 || l.Items[0].Code != "06661" {
		t.Errorf("search as Hạ Long's leader: %s", body)
	}
	_, body = h.api("GET", "/api/v1/units?code=07171", "halong", "", "")
	if l := decode[unitList](t, body); l.Total != 0 {
		t.Errorf("a code lookup reveals a unit outside the subtree: %s", body)
	}
	c := h.login("halong")
	_, page := h.page("GET", "/?q=dang+uy", c, nil)
	if strings.Contains(page, "Cô Tô") {
		t.Error("the home search shows a unit outside the subtree")
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	h := sqlite(t)
	h.user("staff", partyworks.RoleStaff, "22")
	c := h.login("staff")
	req, _ := http.NewRequest("POST", h.srv.URL+fmt.Sprintf("/units/%d/events", h.ids["06661"]),
		strings.NewReader(url.Values{"type": {"dissolve"}, "effective": {"2025-07-01"}, "decision": {"1-QĐ/TU"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.AddCookie(c)
	res, _ := h.do(req)
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin POST: %d", res.StatusCode)
	}
	if evs, _ := h.units.FindUnitEvents(t.Context(), h.ids["06661"]); len(evs) != 1 {
		t.Errorf("the cross-origin POST wrote an event")
	}
	res, _ = h.page("GET", "/", c, nil)
	for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"} {
		if res.Header.Get(k) != want {
			t.Errorf("%s: %q", k, res.Header.Get(k))
		}
	}
	if !strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("CSP: %q", res.Header.Get("Content-Security-Policy"))
	}
}

func TestOpenAPIListsEveryAPIRoute(t *testing.T) {
	h := sqlite(t)
	_, body := h.api("GET", "/api/v1/openapi.json", "", "", "")
	doc := decode[struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}](t, body)
	n := 0
	for _, rt := range h.server.Routes() {
		if !strings.HasPrefix(rt.Pattern, "/api/v1/") {
			continue
		}
		n++
		if _, ok := doc.Paths[rt.Pattern][strings.ToLower(rt.Method)]; !ok {
			t.Errorf("%s %s is not in the OpenAPI document", rt.Method, rt.Pattern)
		}
	}
	if doc.OpenAPI == "" || n < 15 {
		t.Errorf("openapi %q with %d API routes", doc.OpenAPI, n)
	}
}

func TestImportAndRestructureByAPI(t *testing.T) {
	h := sqlite(t)
	h.user("admin", partyworks.RoleAdmin, "")
	csv := "code,name,type,parent_code\n06662,Phường Hà Tu,Phường,193\nCB2,Chi bộ khu 2,cell,06662\n"
	res, body := h.api("POST", "/api/v1/units/import?effective=2021-01-01", "admin", csv, "text/csv")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `"created":2`) {
		t.Fatalf("import: %d %s", res.StatusCode, body)
	}
	// Not a spreadsheet: a clear error naming the file.
	res, body = h.api("POST", "/api/v1/units/import?effective=2021-01-01&name=photo.png", "admin", "\x89PNG\r\n\x1a\n\x00\x00", "application/octet-stream")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "not a spreadsheet") {
		t.Errorf("a PNG: %d %s", res.StatusCode, body)
	}
	// A bad row names its line.
	res, body = h.api("POST", "/api/v1/units/import?effective=2021-01-01", "admin", "code,name,type,parent_code\nZ1,Z,cell,NOPE\n", "text/csv")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `"line":2`) {
		t.Errorf("unknown parent: %d %s", res.StatusCode, body)
	}
	plan := "new_level,new_code,new_name,new_parent_code,old_code,old_name,part\n" +
		"2,06661,Phường Hà Khánh,22,06661,Phường Hà Khánh,full\n2,06661,Phường Hà Khánh,22,06662,Phường Hà Tu,full\n"
	res, body = h.api("POST", "/api/v1/restructure/preview?effective=2025-07-01&decision=1679/NQ-UBTVQH15", "admin", plan, "text/csv")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `"applied":false`) {
		t.Fatalf("preview: %d %s", res.StatusCode, body)
	}
	res, body = h.api("POST", "/api/v1/restructure/apply?effective=2025-07-01&decision=1679/NQ-UBTVQH15", "admin", plan, "text/csv")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `"applied":true`) {
		t.Fatalf("apply: %d %s", res.StatusCode, body)
	}
	_, body = h.api("GET", fmt.Sprintf("/api/v1/units/%d/children?at=2025-07-01", h.ids["06661"]), "admin", "", "")
	if !strings.Contains(body, "CB2") {
		t.Errorf("Hà Tu's cell did not follow the merge: %s", body)
	}
	_, body = h.api("GET", fmt.Sprintf("/api/v1/units/%d?at=2025-07-01", h.ids["193"]), "admin", "", "")
	if !strings.Contains(body, "not_found") && !strings.Contains(body, "did not stand") {
		t.Errorf("Hạ Long after it was emptied: %s", body)
	}
	res, body = h.api("POST", "/api/v1/audit/verify", "admin", "", "")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `"ok":true`) {
		t.Errorf("audit verify: %s", body)
	}
}
