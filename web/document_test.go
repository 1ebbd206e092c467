package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/vault"
)

// harnessDocuments is the harness's document store, with a key file.
func harnessDocuments(t testing.TB, db *sqldb.DB) *sqldb.DocumentService {
	dir := t.TempDir()
	keys, err := vault.CreateKeyFile(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.New(filepath.Join(dir, "files"), keys)
	if err != nil {
		t.Fatal(err)
	}
	return sqldb.NewDocumentService(db, v)
}

// matrixDocs gives the access-matrix walk a document, a file and a
// routing in each unit it visits (fillRoute's {doc}, {fid}, {rid}).
var matrixDocs = map[int64]struct{ doc, file, route int64 }{}

func seedMatrixDocuments(t *testing.T, h *harness, units map[string]string) {
	ctx := context.Background()
	docs := h.server.Documents
	sys := partyworks.Viewer{System: true}
	for _, code := range units {
		id := h.ids[code]
		d := h.incoming(code, "18-NQ/TW", "Nghị quyết về sắp xếp tổ chức bộ máy", 0)
		f, err := docs.AttachFile(ctx, sys, d.ID, "ban-sao.txt", []byte("Bản sao nghị quyết"))
		if err != nil {
			t.Fatal(err)
		}
		rt := &partyworks.DocumentRoute{DocumentID: d.ID, ToUnitID: id, Deadline: mustDay("2030-01-01")}
		if err := docs.RouteDocument(ctx, sys, rt); err != nil {
			t.Fatal(err)
		}
		matrixDocs[id] = struct{ doc, file, route int64 }{d.ID, f.ID, rt.ID}
	}
}

// incoming registers an incoming document in a unit's register.
func (h *harness) incoming(code, symbol, summary string, secrecy partyworks.Secrecy) *partyworks.Document {
	h.t.Helper()
	sym, err := partyworks.ParseSymbol(symbol)
	if err != nil {
		h.t.Fatal(err)
	}
	d := &partyworks.Document{UnitID: h.ids[code], Direction: partyworks.Incoming, Symbol: sym, Issuer: "Ban Chấp hành Trung ương",
		Issued: mustDay("2024-12-01"), Received: mustDay("2024-12-05"), Summary: summary, Secrecy: secrecy}
	if err := h.server.Documents.RegisterDocument(context.Background(), partyworks.Viewer{System: true}, d); err != nil {
		h.t.Fatal(err)
	}
	return d
}

func TestClassifiedDocumentsHidden(t *testing.T) {
	h := sqlite(t)
	ctx := context.Background()
	docs := h.server.Documents
	h.user("staff", partyworks.RoleStaff, "193")
	cleared := h.user("cleared", partyworks.RoleStaff, "193")
	coto := h.user("coto", partyworks.RoleStaff, "207")
	boss := h.user("boss", partyworks.RoleAdmin, "")
	if err := docs.SetClearance(ctx, boss.ID, partyworks.TopSecret); err != nil {
		t.Fatal(err)
	}
	if err := docs.SetClearance(ctx, coto.ID, partyworks.TopSecret); err != nil {
		t.Fatal(err)
	}
	open := h.incoming("193", "35-CT/TW", "Chỉ thị về tổ chức đại hội đảng bộ các cấp", 0)
	secret := h.incoming("193", "36-HD/VPTW", "Danh sách nhân sự dự kiến", partyworks.Secret)
	f, err := docs.AttachFile(ctx, partyworks.Viewer{System: true}, secret.ID, "nhan-su.txt", []byte("nhân sự"))
	if err != nil {
		t.Fatal(err)
	}
	// The administrator gives a clearance through the API.
	res, body := h.api("POST", fmt.Sprintf("/api/v1/users/%d/clearance", cleared.ID), "boss", `{"level": 2}`, "application/json")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("clearance: %d %s", res.StatusCode, body)
	}
	unit := h.ids["193"]
	for _, c := range []struct {
		user       string
		total      string
		doc, file  int
		searchHits string
	}{
		{"staff", `"total":1`, 404, 404, "Chỉ thị"},
		{"cleared", `"total":2`, 200, 200, "Danh sách"},
		{"coto", "", 404, 404, ""}, // cleared, but outside the scope
		{"boss", `"total":2`, 200, 200, "Danh sách"},
	} {
		res, body := h.api("GET", fmt.Sprintf("/api/v1/units/%d/documents", unit), c.user, "", "")
		if c.total != "" && !strings.Contains(body, c.total) || c.total == "" && res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: register %d %s", c.user, res.StatusCode, body)
		}
		if c.total == `"total":1` && strings.Contains(body, "nhân sự") {
			t.Errorf("%s sees the classified summary", c.user)
		}
		if res, body := h.api("GET", fmt.Sprintf("/api/v1/documents/%d", secret.ID), c.user, "", ""); res.StatusCode != c.doc {
			t.Errorf("%s: classified document %d %s", c.user, res.StatusCode, body)
		}
		if res, _ := h.api("GET", fmt.Sprintf("/api/v1/documents/%d/files/%d", secret.ID, f.ID), c.user, "", ""); res.StatusCode != c.file {
			t.Errorf("%s: classified file %d", c.user, res.StatusCode)
		}
		// Through another (public) document's URL: never.
		if res, _ := h.api("GET", fmt.Sprintf("/api/v1/documents/%d/files/%d", open.ID, f.ID), c.user, "", ""); res.StatusCode != 404 && res.StatusCode != 403 {
			t.Errorf("%s: file through another document: %d", c.user, res.StatusCode)
		}
		_, body = h.api("GET", "/api/v1/documents/search?q="+url.QueryEscape("nhan su du kien"), c.user, "", "")
		if got := strings.Contains(body, "Danh sách"); got != (c.searchHits == "Danh sách") {
			t.Errorf("%s: search %s", c.user, body)
		}
	}
	hidden, _ := h.audit.FindAuditEntries(ctx, partyworks.AuditFilter{Action: "document.hidden", Limit: 50})
	if len(hidden) < 4 {
		t.Errorf("hidden attempts audited: %d", len(hidden))
	}
	// Nobody gives a clearance above their own.
	if res, _ := h.api("POST", fmt.Sprintf("/api/v1/users/%d/clearance", cleared.ID), "coto", `{"level": 3}`, "application/json"); res.StatusCode != http.StatusForbidden {
		t.Errorf("clearance by an administrator of another subtree: %d", res.StatusCode)
	}
}

func TestDocumentFilesServedSafely(t *testing.T) {
	h := sqlite(t)
	h.user("staff", partyworks.RoleStaff, "193")
	d := h.incoming("193", "439-KH/TU", "Kế hoạch tổ chức đại hội", 0)
	up := func(name, body string) (*http.Response, string) {
		return h.api("POST", fmt.Sprintf("/api/v1/documents/%d/files?name=%s", d.ID, url.QueryEscape(name)), "staff", body, "application/octet-stream")
	}
	for _, name := range []string{"x.txt", "x.pdf", "x.html", "x.docx", "x.svg"} {
		if res, body := up(name, "<html><script>alert(1)</script></html>"); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("HTML as %s: %d %s", name, res.StatusCode, body)
		}
	}
	res, body := up("Kế hoạch 439.txt", "Kế hoạch tổ chức đại hội đảng bộ các cấp")
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", res.StatusCode, body)
	}
	doc, _ := h.server.Documents.FindDocumentByID(context.Background(), partyworks.Viewer{System: true}, d.ID)
	res, body = h.api("GET", fmt.Sprintf("/api/v1/documents/%d/files/%d", d.ID, doc.Files[0].ID), "staff", "", "")
	cd := res.Header.Get("Content-Disposition")
	if res.StatusCode != 200 || !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=utf-8''K%E1%BA%BF") {
		t.Errorf("download: %d %q", res.StatusCode, cd)
	}
	if res.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") ||
		res.Header.Get("Content-Type") != "text/plain; charset=utf-8" || body != "Kế hoạch tổ chức đại hội đảng bộ các cấp" {
		t.Errorf("download headers: %v %q", res.Header, body)
	}
}

func TestDocumentPages(t *testing.T) {
	h := sqlite(t)
	ctx := context.Background()
	h.user("staff", partyworks.RoleStaff, "193")
	if err := h.server.Documents.SetIssuer(ctx, h.ids["193"], "TU"); err != nil {
		t.Fatal(err)
	}
	c := h.login("staff")
	form := url.Values{"direction": {"out"}, "type": {"KH"}, "issued": {"18/12/2024"}, "summary": {"Kế hoạch thực hiện Chỉ thị 35-CT/TW"}, "secrecy": {"0"}, "urgency": {"1"}}
	res, body := h.page("POST", fmt.Sprintf("/units/%d/documents", h.ids["193"]), c, form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("register: %d %s", res.StatusCode, body)
	}
	res, body = h.page("GET", res.Header.Get("Location"), c, nil)
	if res.StatusCode != 200 || !strings.Contains(body, "1-KH/TU") || !strings.Contains(body, "Khẩn") {
		t.Errorf("document page: %d", res.StatusCode)
	}
	res, body = h.page("GET", fmt.Sprintf("/units/%d/documents", h.ids["193"]), c, nil)
	if res.StatusCode != 200 || !strings.Contains(body, "1-KH/TU") {
		t.Errorf("register page: %d", res.StatusCode)
	}
	res, body = h.page("GET", "/documents/search?q="+url.QueryEscape("chi thi 35"), c, nil)
	if res.StatusCode != 200 || !strings.Contains(body, "<mark>Chỉ thị 35</mark>") {
		t.Errorf("search page: %d %s", res.StatusCode, body)
	}
	// An incoming document whose symbol does not parse: a clear error, nothing written, audited.
	form = url.Values{"direction": {"in"}, "symbol": {"35CT-TW"}, "issued": {"18/12/2024"}, "received": {"19/12/2024"}, "summary": {"x"}}
	res, body = h.page("POST", fmt.Sprintf("/units/%d/documents", h.ids["193"]), c, form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "18-NQ/TW") {
		t.Errorf("bad symbol: %d", res.StatusCode)
	}
	refused, _ := h.audit.FindAuditEntries(ctx, partyworks.AuditFilter{Action: "document.register.refused", Limit: 5})
	if len(refused) != 1 {
		t.Errorf("refusal audited: %d", len(refused))
	}
	_, total, _ := h.server.Documents.FindDocuments(ctx, partyworks.Viewer{System: true}, partyworks.DocumentFilter{UnitID: h.ids["193"]})
	if total != 1 {
		t.Errorf("documents after a refusal: %d", total)
	}
}

// After a merge the successor's register lists the merged unit's
// documents, each saying whose register numbered it.
func TestHandedOnDocumentNamesItsRegister(t *testing.T) {
	h := sqlite(t)
	ctx := context.Background()
	h.user("staff", partyworks.RoleStaff, "193")
	came := h.incoming("207", "18-NQ/TW", "Nghị quyết về sắp xếp tổ chức bộ máy", 0)
	own := h.incoming("193", "35-CT/TW", "Chỉ thị về đại hội", 0)
	if came.RegNo != 1 || own.RegNo != 1 {
		t.Fatalf("numbers %d and %d: the test wants each register's first", came.RegNo, own.RegNo)
	}
	if _, err := h.units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: mustDay("2025-01-01"), Decision: "1-NQ/TW",
		Unit: h.ids["193"], Sources: []int64{h.ids["207"]}}); err != nil {
		t.Fatal(err)
	}
	c := h.login("staff")
	res, body := h.page("GET", fmt.Sprintf("/units/%d/documents?dir=in", h.ids["193"]), c, nil)
	if res.StatusCode != 200 || !strings.Contains(body, "Sổ của Huyện ủy Cô Tô") || strings.Count(body, "Sổ của") != 1 {
		t.Errorf("register page: %d; want the merged unit's document marked, and only it", res.StatusCode)
	}
	res, body = h.page("GET", fmt.Sprintf("/documents/%d", came.ID), c, nil)
	if res.StatusCode != 200 || !strings.Contains(body, "Sổ của Huyện ủy Cô Tô") {
		t.Errorf("document page: %d", res.StatusCode)
	}
}

// A unit whose merge is recorded ahead of its day says, on its page, that
// it will end and where its open tasks and registers go on that day; the
// successor is linked only for a user who may read it. A rename recorded
// ahead is no end.
func TestUnitPageSaysWhereItHandsOver(t *testing.T) {
	h := sqlite(t)
	ctx := context.Background()
	h.user("staff", partyworks.RoleStaff, "22")
	h.user("coto", partyworks.RoleStaff, "207")
	c, coto := h.login("staff"), h.login("coto")
	if _, err := h.units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventRename, Effective: mustDay("2099-01-01"),
		Decision: "1-QĐ/TU", Unit: h.ids["207"], Name: "Đảng ủy đặc khu Cô Tô"}); err != nil {
		t.Fatal(err)
	}
	res, body := h.page("GET", fmt.Sprintf("/units/%d", h.ids["207"]), c, nil)
	if res.StatusCode != 200 || strings.Contains(body, "kết thúc hoạt động") || strings.Contains(body, "được chuyển cho") {
		t.Fatalf("a rename ahead: %d; the page speaks of an end or a hand-over", res.StatusCode)
	}
	if _, err := h.units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: mustDay("2099-07-01"),
		Decision: "2-NQ/TW", Unit: h.ids["193"], Sources: []int64{h.ids["207"]}}); err != nil {
		t.Fatal(err)
	}
	text := "Từ ngày 01/07/2099, các nhiệm vụ đang thực hiện và sổ văn bản của đơn vị được chuyển cho"
	link := fmt.Sprintf(`<a href="/units/%d?at=2099-07-01">Thành ủy Hạ Long</a>`, h.ids["193"])
	res, body = h.page("GET", fmt.Sprintf("/units/%d", h.ids["207"]), c, nil)
	if res.StatusCode != 200 || !strings.Contains(body, text) || !strings.Contains(body, link) {
		t.Errorf("the merging unit's page: %d; want %q and %q", res.StatusCode, text, link)
	}
	if !strings.Contains(body, "Sẽ kết thúc hoạt động sau ngày 30/06/2099") || strings.Contains(body, "Đã kết thúc") {
		t.Errorf("the merging unit's page says it has ended, or not that it will end on 30/06/2099")
	}
	res, body = h.page("GET", fmt.Sprintf("/units/%d", h.ids["207"]), coto, nil)
	_, notice, _ := strings.Cut(body, text)
	notice, _, _ = strings.Cut(notice, "</p>")
	if res.StatusCode != 200 || !strings.Contains(notice, "Thành ủy Hạ Long") || strings.Contains(notice, "<a ") {
		t.Errorf("for a user of 207 alone: %d, %q; want the successor named but not linked", res.StatusCode, notice)
	}
	// The API's unit record says the same.
	for user, want := range map[string]string{
		"staff": fmt.Sprintf(`"heir":{"id":%d,"name":"Thành ủy Hạ Long","day":"2099-07-01","registers":true}`, h.ids["193"]),
		"coto":  `"heir":{"name":"Thành ủy Hạ Long","day":"2099-07-01","registers":true}`,
	} {
		res, body := h.api("GET", fmt.Sprintf("/api/v1/units/%d", h.ids["207"]), user, "", "")
		if res.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("GET /api/v1/units/207 as %s: %d %s; want %s", user, res.StatusCode, body, want)
		}
	}
}
