package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
	"partyworks/web"
)

// harness is a real server on a real database with a small tree:
//
//	22 Tỉnh ủy Quảng Ninh
//	├── 193 Thành ủy Hạ Long          ← the grants of the role users
//	│   └── 06661 Đảng ủy phường Hà Khánh
//	│       └── CB1 Chi bộ khu 1
//	└── 207 Huyện ủy Cô Tô            ← a sibling subtree
//	    └── 07171 Đảng ủy thị trấn Cô Tô
//	01 Thành ủy Hà Nội                ← another province
//	└── 001 Quận ủy Ba Đình
type harness struct {
	t      testing.TB
	db     *sqldb.DB
	srv    *httptest.Server
	server *web.Server
	units  *sqldb.UnitService
	users  *sqldb.UserService
	audit  *sqldb.AuditService
	ids    map[string]int64  // unit code → id
	tokens map[string]string // username → API token
}

const testPassword = "a long test password"

func newHarness(t testing.TB, db *sqldb.DB) *harness {
	t.Helper()
	h := &harness{t: t, db: db, units: sqldb.NewUnitService(db), users: sqldb.NewUserService(db), audit: sqldb.NewAuditService(db),
		ids: map[string]int64{}, tokens: map[string]string{}}
	ctx := context.Background()
	rows := []partyworks.UnitRow{
		{Line: 2, Code: "22", Name: "Tỉnh ủy Quảng Ninh", Kind: partyworks.KindProvince},
		{Line: 3, Code: "193", Name: "Thành ủy Hạ Long", Kind: partyworks.KindProvincialCity, ParentCode: "22"},
		{Line: 4, Code: "06661", Name: "Đảng ủy phường Hà Khánh", Kind: partyworks.KindWard, ParentCode: "193"},
		{Line: 5, Code: "CB1", Name: "Chi bộ khu 1", Kind: partyworks.KindCell, ParentCode: "06661"},
		{Line: 6, Code: "207", Name: "Huyện ủy Cô Tô", Kind: partyworks.KindDistrict, ParentCode: "22"},
		{Line: 7, Code: "07171", Name: "Đảng ủy thị trấn Cô Tô", Kind: partyworks.KindTownship, ParentCode: "207"},
		{Line: 8, Code: "01", Name: "Thành ủy Hà Nội", Kind: partyworks.KindCity},
		{Line: 9, Code: "001", Name: "Quận ủy Ba Đình", Kind: partyworks.KindUrbanDistrict, ParentCode: "01"},
	}
	if _, err := h.units.ImportUnits(ctx, partyworks.UnitImport{Rows: rows, Effective: mustDay("2020-01-01")}); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		u, err := h.units.FindUnitByCode(ctx, r.Code, mustDay("2024-01-01"))
		if err != nil {
			t.Fatal(err)
		}
		h.ids[r.Code] = u.ID
	}
	h.server = web.NewServer(slog.New(slog.NewTextHandler(testLog{t}, nil)), web.Config{SecureCookies: true, Version: "test"},
		web.Deps{Units: h.units, Users: h.users, Audit: h.audit, Ping: db.Ping, Documents: harnessDocuments(t, db), Members: sqldb.NewMemberService(db),
			Tasks: harnessTasks(t, db), Due: []partyworks.DueSource{harnessTasks(t, db)}})
	h.srv = httptest.NewServer(h.server)
	t.Cleanup(h.srv.Close)
	return h
}

// user creates a user with one grant (unit "" = the whole tree) and an
// API token.
func (h *harness) user(name string, role partyworks.Role, unit string) *partyworks.User {
	h.t.Helper()
	ctx := context.Background()
	u := &partyworks.User{Username: name, DisplayName: name}
	if err := h.users.CreateUser(ctx, u, testPassword); err != nil {
		h.t.Fatal(err)
	}
	if role != "" {
		if err := h.users.AddGrant(ctx, &partyworks.Grant{UserID: u.ID, Role: role, UnitID: h.ids[unit]}); err != nil {
			h.t.Fatal(err)
		}
	}
	tok, err := h.users.CreateToken(ctx, u.ID, "test")
	if err != nil {
		h.t.Fatal(err)
	}
	h.tokens[name] = tok
	return u
}

// api calls the API as a user ("" for anonymous).
func (h *harness) api(method, path, user, body, contentType string) (*http.Response, string) {
	h.t.Helper()
	req, _ := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+h.tokens[user])
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return h.do(req)
}

func (h *harness) do(req *http.Request) (*http.Response, string) {
	h.t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// login logs a user in through the form and returns the session cookie.
func (h *harness) login(user string) *http.Cookie {
	h.t.Helper()
	form := url.Values{"username": {user}, "password": {testPassword}}
	req, _ := http.NewRequest("POST", h.srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, body := h.do(req)
	if res.StatusCode != http.StatusSeeOther {
		h.t.Fatalf("login %s: %d %s", user, res.StatusCode, body)
	}
	for _, c := range res.Cookies() {
		if strings.Contains(c.Name, "session") {
			return c
		}
	}
	h.t.Fatalf("login %s: no session cookie", user)
	return nil
}

// page fetches or posts a page with a session cookie.
func (h *harness) page(method, path string, c *http.Cookie, form url.Values) (*http.Response, string) {
	h.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, h.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c != nil {
		req.AddCookie(c)
	}
	return h.do(req)
}

func mustDay(s string) partyworks.Date {
	d, err := partyworks.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func sqlite(t *testing.T) *harness { return newHarness(t, sqldbtest.SQLite(t)) }

// testLog sends the server's log lines at warning and above to the test log.
type testLog struct{ t testing.TB }

func (l testLog) Write(b []byte) (int, error) {
	if s := string(b); strings.Contains(s, "level=ERROR") || strings.Contains(s, "level=WARN") {
		l.t.Log(strings.TrimSpace(s))
	}
	return len(b), nil
}
