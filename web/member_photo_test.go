package web_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"partyworks"
)

// pngBytes makes a small real PNG.
func pngBytes(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 30, 40))
	img.Set(3, 4, color.RGBA{200, 10, 10, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestMemberPhoto: staff upload a photo through the record's form and
// through the API; the type is read from the content (a script named
// photo.png is refused), the size is capped, a leader cannot upload.
func TestMemberPhoto(t *testing.T) {
	h := sqlite(t)
	h.user("staff", partyworks.RoleStaff, "193")
	h.user("leader", partyworks.RoleLeader, "193")
	staff, leader := h.login("staff"), h.login("leader")
	m := addMember(t, h, "Hà Thị Ảnh", "CB1")
	page := fmt.Sprintf("/members/%d", m.ID)
	upload := func(c *http.Cookie, name string, data []byte) *http.Response {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("photo", name)
		fw.Write(data)
		mw.Close()
		req, _ := http.NewRequest("POST", h.srv.URL+page+"/photo", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.AddCookie(c)
		res, _ := h.do(req)
		return res
	}
	if _, body := h.page("GET", page, staff, nil); !strings.Contains(body, `action="`+page+`/photo"`) {
		t.Error("no photo form for staff")
	}
	if res := upload(staff, "photo.png", []byte("<script>alert(1)</script>")); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a script named photo.png: %d", res.StatusCode)
	}
	if res := upload(staff, "big.png", append(pngBytes(t), make([]byte, 2<<20)...)); res.StatusCode < 400 || res.StatusCode >= 500 {
		t.Errorf("a photo over 2 MiB: %d", res.StatusCode)
	}
	if res := upload(leader, "photo.png", pngBytes(t)); res.StatusCode != http.StatusForbidden {
		t.Errorf("a leader uploaded a photo: %d", res.StatusCode)
	}
	if _, body := h.page("GET", page, staff, nil); strings.Contains(body, `src="`+page+`/photo"`) {
		t.Error("a refused upload left a photo")
	}
	if res := upload(staff, "anh.png", pngBytes(t)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", res.StatusCode)
	}
	res, body := h.page("GET", page+"/photo", staff, nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || !bytes.Equal([]byte(body), pngBytes(t)) {
		t.Errorf("the photo served: %d %s, %d bytes", res.StatusCode, res.Header.Get("Content-Type"), len(body))
	}
	if _, body := h.page("GET", page, staff, nil); !strings.Contains(body, `src="`+page+`/photo"`) {
		t.Error("the record does not show its photo")
	}
	// The API takes the image as the body.
	h.user("api", partyworks.RoleStaff, "193")
	if res, body := h.api("POST", "/api/v1"+page+"/photo", "api", string(pngBytes(t)), "image/png"); res.StatusCode != 200 || !strings.Contains(body, `"image/png"`) {
		t.Errorf("API upload: %d %s", res.StatusCode, body)
	}
	if res, _ := h.api("POST", "/api/v1"+page+"/photo", "api", "GIF89a not really", "image/png"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("API upload of a non-image: %d", res.StatusCode)
	}
}
