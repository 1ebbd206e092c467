package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"partyworks"
	"partyworks/sheet"
)

// TestDocumentExport: a register exported as CSV or XLSX holds what the
// user may see of it, nothing more: the classified line only with the
// clearance, nothing at all outside the scope.
func TestDocumentExport(t *testing.T) {
	h := sqlite(t)
	ctx := context.Background()
	h.user("staff", partyworks.RoleStaff, "193")
	cleared := h.user("cleared", partyworks.RoleStaff, "193")
	h.user("coto", partyworks.RoleStaff, "207")
	if err := h.server.Documents.SetClearance(ctx, cleared.ID, partyworks.Secret); err != nil {
		t.Fatal(err)
	}
	h.incoming("193", "35-CT/TW", "Chỉ thị về tổ chức đại hội đảng bộ các cấp", 0)
	h.incoming("193", "36-HD/VPTW", "Danh sách nhân sự dự kiến", partyworks.Secret)
	path := fmt.Sprintf("/units/%d/documents/export?dir=in", h.ids["193"])
	for _, c := range []struct {
		user   string
		status int
		secret bool
	}{{"staff", 200, false}, {"cleared", 200, true}, {"coto", 403, false}} {
		res, body := h.page("GET", path, h.login(c.user), nil)
		if res.StatusCode != c.status {
			t.Fatalf("%s: %d %s", c.user, res.StatusCode, body)
		}
		if c.status != 200 {
			continue
		}
		if !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			t.Errorf("%s: headers %v", c.user, res.Header)
		}
		if !strings.Contains(body, "35-CT/TW") || !strings.Contains(body, "05/12/2024") {
			t.Errorf("%s: open line missing: %s", c.user, body)
		}
		if got := strings.Contains(body, "nhân sự"); got != c.secret {
			t.Errorf("%s: classified line present %v: %s", c.user, got, body)
		}
	}
	// XLSX: a workbook that reads back with the header and the one line.
	res, body := h.page("GET", path+"&format=xlsx", h.login("staff"), nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("xlsx: %d", res.StatusCode)
	}
	tbl, err := sheet.Read(strings.NewReader(body), "so.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if len(tbl.Rows) != 1 || !strings.Contains(strings.Join(tbl.Rows[0], "|"), "Chỉ thị về tổ chức") {
		t.Errorf("xlsx rows: %+v", tbl.Rows)
	}
	classified, _ := h.audit.FindAuditEntries(ctx, partyworks.AuditFilter{Action: "document.list", Limit: 10})
	if len(classified) == 0 {
		t.Errorf("the cleared user's export of a classified line was not audited")
	}
}
