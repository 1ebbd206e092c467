package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"partyworks"
)

// multipartFiles builds a multipart body with the given files in "files".
func multipartFiles(t *testing.T, files map[string][]byte) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for name, data := range files {
		fw, err := mw.CreateFormFile("files", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	return buf.String(), mw.FormDataContentType()
}

// TestDirectiveFilesOverHTTP attaches files to a directive through the
// registering unit's page and API, downloads them as attachments from a
// unit below, and refuses the wrong content, another unit and an outsider.
func TestDirectiveFilesOverHTTP(t *testing.T) {
	h := sqlite(t)
	h.user("city", partyworks.RoleStaff, "193")
	h.user("ward", partyworks.RoleStaff, "06661")
	h.user("hanoi", partyworks.RoleAdmin, "01")
	city, ward := h.ids["193"], h.ids["06661"]
	d := &partyworks.Directive{OwnerID: city, Symbol: "35-CT/TW", Title: "Đại hội", Issued: mustDay("2024-06-14")}
	if err := harnessTasks(t, h.db).CreateDirective(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")
	api := fmt.Sprintf("/api/v1/units/%d/directives/%d/files", city, d.ID)

	body, ct := multipartFiles(t, map[string][]byte{"chỉ thị.pdf": []byte("plain text, not a PDF")})
	if res, out := h.api("POST", api, "city", body, ct); res.StatusCode != 422 || !strings.Contains(out, "files") {
		t.Fatalf("content not matching: %d %s", res.StatusCode, out)
	}
	body, ct = multipartFiles(t, map[string][]byte{"chỉ thị 35.pdf": pdf})
	res, out := h.api("POST", api, "city", body, ct)
	if res.StatusCode != 201 {
		t.Fatalf("attach: %d %s", res.StatusCode, out)
	}
	var got struct{ Files []partyworks.EvidenceMeta }
	decodeBody(t, out, &got)
	if len(got.Files) != 1 {
		t.Fatalf("attach: %s", out)
	}
	fid := got.Files[0].ID
	// A unit below reads it through its own view of the directive.
	wardURL := fmt.Sprintf("/api/v1/units/%d/directives/%d/files/%d", ward, d.ID, fid)
	res, out = h.api("GET", wardURL, "ward", "", "")
	if res.StatusCode != 200 || out != string(pdf) || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") ||
		res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("download: %d %q %q", res.StatusCode, res.Header.Get("Content-Disposition"), out)
	}
	// Not through another directive's URL, not by an outsider, not attached by a unit below.
	if res, _ := h.api("GET", fmt.Sprintf("/api/v1/units/%d/directives/%d/files/%d", ward, d.ID, fid+1), "ward", "", ""); res.StatusCode != 404 {
		t.Fatalf("another file id: %d", res.StatusCode)
	}
	if res, _ := h.api("GET", wardURL, "hanoi", "", ""); res.StatusCode != 403 {
		t.Fatalf("outsider: %d", res.StatusCode)
	}
	body, ct = multipartFiles(t, map[string][]byte{"x.pdf": pdf})
	if res, out := h.api("POST", fmt.Sprintf("/api/v1/units/%d/directives/%d/files", ward, d.ID), "ward", body, ct); res.StatusCode != 403 {
		t.Fatalf("a unit below attached: %d %s", res.StatusCode, out)
	}

	// The page lists the file and, for the registering unit, the form.
	cookie := h.login("city")
	res, out = h.page("GET", fmt.Sprintf("/units/%d/directives/%d", city, d.ID), cookie, nil)
	if res.StatusCode != 200 || !strings.Contains(out, fmt.Sprintf("/units/%d/directives/%d/files/%d", city, d.ID, fid)) || !strings.Contains(out, `enctype="multipart/form-data"`) {
		t.Fatalf("page: %d %s", res.StatusCode, out)
	}
	body, ct = multipartFiles(t, map[string][]byte{"kế hoạch.txt": []byte("Kế hoạch triển khai\n")})
	req, _ := http.NewRequest("POST", h.srv.URL+fmt.Sprintf("/units/%d/directives/%d/files", city, d.ID), strings.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.AddCookie(cookie)
	if res, out := h.do(req); res.StatusCode != 303 {
		t.Fatalf("form attach: %d %s", res.StatusCode, out)
	}
	if _, out = h.page("GET", fmt.Sprintf("/units/%d/directives/%d", ward, d.ID), h.login("ward"), nil); !strings.Contains(out, "kế hoạch.txt") || strings.Contains(out, `enctype="multipart/form-data"`) {
		t.Fatalf("ward's view: %s", out)
	}
}
