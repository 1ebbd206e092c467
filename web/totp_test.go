package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"partyworks"
	"partyworks/web"
)

func code(t *testing.T, secret string, at time.Time) string {
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSecondFactor enrols staff in TOTP through the pages, then logs in
// with it: the password alone gives no session, a code works once, and
// with RequireTOTP staff without a second factor can do nothing else.
func TestSecondFactor(t *testing.T) {
	h := sqlite(t)
	required := httptest.NewServer(web.NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{SecureCookies: true, RequireTOTP: true},
		web.Deps{Units: h.units, Users: h.users, Audit: h.audit}))
	defer required.Close()
	h.srv = required
	h.user("staff", partyworks.RoleStaff, "193")
	c := h.login("staff")
	res, _ := h.page("GET", "/units/"+itoa(h.ids["06661"]), c, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/totp" {
		t.Fatalf("staff without a second factor: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res, _ = h.api("GET", "/api/v1/units/"+itoa(h.ids["06661"]), "staff", "", "")
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("API without a second factor: %d", res.StatusCode)
	}
	_, body := h.page("GET", "/account/totp", c, nil)
	m := regexp.MustCompile(`name="secret" value="([A-Z2-7]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no secret on the enrolment page")
	}
	secret := m[1]
	res, _ = h.page("POST", "/account/totp", c, url.Values{"secret": {secret}, "password": {"wrong password!"}, "code": {code(t, secret, time.Now())}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("enrolment without the right password: %d", res.StatusCode)
	}
	res, _ = h.page("POST", "/account/totp", c, url.Values{"secret": {secret}, "password": {testPassword}, "code": {code(t, secret, time.Now().Add(-30*time.Second))}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("enrolment: %d", res.StatusCode)
	}
	if res, _ := h.page("GET", "/units/"+itoa(h.ids["06661"]), c, nil); res.StatusCode != http.StatusOK {
		t.Errorf("after enrolling: %d", res.StatusCode)
	}

	// Log in again: the password leads to the second step, not a session.
	form := url.Values{"username": {"staff"}, "password": {testPassword}}
	req, _ := http.NewRequest("POST", h.srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, _ = h.do(req)
	var challenge *http.Cookie
	for _, ck := range res.Cookies() {
		if strings.Contains(ck.Name, "session") {
			t.Fatal("a session after the password alone")
		}
		if strings.Contains(ck.Name, "challenge") {
			challenge = ck
		}
	}
	if challenge == nil || !strings.HasPrefix(res.Header.Get("Location"), "/login/totp") {
		t.Fatalf("no second step: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	now := code(t, secret, time.Now())
	finish := func(code string) *http.Response {
		res, _ := h.page("POST", "/login/totp", challenge, url.Values{"code": {code}})
		return res
	}
	if res := finish("000000"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong code: %d", res.StatusCode)
	}
	res = finish(now)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the right code: %d", res.StatusCode)
	}
	// The same code again (a second login within the same 30 seconds) fails.
	req, _ = http.NewRequest("POST", h.srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, _ = h.do(req)
	for _, ck := range res.Cookies() {
		if strings.Contains(ck.Name, "challenge") {
			challenge = ck
		}
	}
	if res := finish(now); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a code used twice: %d", res.StatusCode)
	}
	// An administrator's reset of the password does not remove the factor.
	u, _ := h.users.FindUserByUsername(context.Background(), "staff")
	if err := h.users.SetPassword(context.Background(), u.ID, "another long password"); err != nil {
		t.Fatal(err)
	}
	if u, _ = h.users.FindUserByUsername(context.Background(), "staff"); !u.TOTP {
		t.Error("a password reset removed the second factor")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
