package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"partyworks"
	"partyworks/sheet"
	"partyworks/sqldb"
	"partyworks/web"
)

const (
	chromiumPath = "/usr/bin/chromium"
	password     = "a long e2e password"
	// stepTimeout bounds one browser step: a hung page fails the test in
	// seconds instead of at the go test deadline.
	stepTimeout = 20 * time.Second
)

// TestBrowser walks the application as a user does, in Debian's Chromium:
// log in, open the tree, open the Quảng Ninh Provincial Committee, change
// the day to the eve of the July 2025 reorganization and see the 13
// district-level committees come back, open one and see that it ended,
// switch to English, and find a ward by a name typed without diacritics.
// With PARTYWORKS_SCREENSHOTS=DIR it also saves full-page PNGs of the
// main pages to DIR.
func TestBrowser(t *testing.T) {
	chrome := findChromium(t)
	start := time.Now()
	a := startApp(t)
	t.Logf("app with the national tree ready in %v", time.Since(start).Round(time.Millisecond))
	s := newSession(t, chrome, a.url)
	qn := a.unit("22")

	t.Run("login", func(t *testing.T) {
		s.t = t
		s.open("/", http.StatusOK)
		if p := s.path(); !strings.HasPrefix(p, "/login") {
			t.Fatalf("an anonymous visit landed on %s, want the login form", p)
		}
		s.shot("01-login")
		s.do("fill the login form",
			chromedp.SendKeys(chromedp.CSS("#username"), "admin"),
			chromedp.SendKeys(chromedp.CSS("#password"), password))
		s.follow("log in", chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)), http.StatusOK)
		if p := s.path(); p != "/" {
			t.Fatalf("after login: %s, want /", p)
		}
		s.checkSessionCookie()
		if got := s.text("h1"); got != "Cây tổ chức đảng" {
			t.Errorf("home h1 %q: the interface should be Vietnamese", got)
		}
		if n := s.count("ul.tree > li"); n != 34 {
			t.Errorf("home lists %d top units today, want the 34 provinces and cities", n)
		}
		s.shot("02-home")
	})

	t.Run("tree through time", func(t *testing.T) {
		s.t = t
		s.follow("open Quảng Ninh", chromedp.Click(chromedp.Search(`//ul[@class="tree"]//a[normalize-space()="Tỉnh ủy Quảng Ninh"]`)), http.StatusOK)
		if p := s.path(); p != fmt.Sprintf("/units/%d", qn.ID) {
			t.Fatalf("the tree link led to %s", p)
		}
		if got := s.text("h1"); got != "Tỉnh ủy Quảng Ninh" {
			t.Fatalf("h1 %q", got)
		}
		if n := s.childTotal(); n != 54 {
			t.Errorf("Quảng Ninh today: %d children, want the 54 commune-level committees", n)
		}
		if n := s.count(childRows); n != 50 {
			t.Errorf("the first page of children has %d rows, want 50", n)
		}
		s.shot("03-unit-today")

		s.typeDate("form.datebar input[name=at]", "30/06/2025")
		s.follow("submit the date form", chromedp.Click(chromedp.CSS("form.datebar button")), http.StatusOK)
		if q := s.query(); q.Get("at") != "30/06/2025" {
			t.Fatalf("the date form sent at=%q", q.Get("at"))
		}
		if got := s.text("form.datebar .past"); !strings.Contains(got, "30/06/2025") {
			t.Errorf("the date bar says %q, want it to name 30/06/2025", got)
		}
		if n := s.childTotal(); n != 13 {
			t.Errorf("Quảng Ninh on 30/06/2025: %d children, want the 13 district-level committees", n)
		}
		if n := s.count(childRows); n != 13 {
			t.Errorf("%d rows on 30/06/2025, want 13", n)
		}
		if got := s.text(childTable); !strings.Contains(got, "Thành ủy Hạ Long") || !strings.Contains(got, "Huyện ủy Cô Tô") {
			t.Errorf("the children on 30/06/2025 do not list Thành ủy Hạ Long and Huyện ủy Cô Tô:\n%s", got)
		}
		s.shot("04-unit-2025-06-30")
	})

	t.Run("district ended", func(t *testing.T) {
		s.t = t
		s.follow("open Hạ Long", chromedp.Click(chromedp.Search(`//section[@aria-labelledby="children"]//a[normalize-space()="Thành ủy Hạ Long"]`)), http.StatusOK)
		if got := s.text("h1"); got != "Thành ủy Hạ Long" {
			t.Fatalf("h1 %q", got)
		}
		if q := s.query(); q.Get("at") != "2025-06-30" {
			t.Errorf("the child link lost the day: at=%q", q.Get("at"))
		}
		if v := s.eval(`document.querySelector("form.datebar input[name=at]").value`); v != "30/06/2025" {
			t.Errorf("the date field shows %q, want 30/06/2025", v)
		}
		if got := s.text(".page-head .badge-ended"); !strings.Contains(got, "30/06/2025") {
			t.Errorf("the unit's head says %q, want that it ended on 30/06/2025", got)
		}
		if n := s.count(childRows); n == 0 {
			t.Error("Hạ Long on 30/06/2025 lists no wards")
		}
		s.shot("05-district-2025-06-30")

		s.follow("back to today", chromedp.Click(chromedp.CSS("form.datebar a")), http.StatusOK)
		if got := s.text(".flash-info"); !strings.Contains(got, "30/06/2025") {
			t.Errorf("today the page says %q, want it to say the unit ended on 30/06/2025", got)
		}
		if n := s.count(childRows); n != 0 {
			t.Errorf("an ended unit lists %d children today", n)
		}
		s.shot("06-district-today")
	})

	t.Run("english", func(t *testing.T) {
		s.t = t
		s.follow("switch to English", chromedp.Click(chromedp.CSS(`.lang button[value="en"]`)), http.StatusOK)
		if lang := s.eval(`document.documentElement.lang`); lang != "en" {
			t.Fatalf("html lang=%q after choosing English", lang)
		}
		if got := s.text(`.nav a[aria-current="page"]`); got != "Organization tree" {
			t.Errorf("the current menu entry reads %q, want Organization tree", got)
		}
		if p := s.path(); p != fmt.Sprintf("/units/%d", a.unit("193").ID) {
			t.Errorf("the language switch came back to %s", p)
		}
		s.shot("07-district-today-en")
	})

	t.Run("search without diacritics", func(t *testing.T) {
		s.t = t
		s.follow("go home", chromedp.Click(chromedp.CSS(`.nav a[aria-current="page"]`)), http.StatusOK)
		// Hà Khánh was merged into Cao Xanh on 01/07/2025: look on the eve.
		s.typeDate("form.datebar input[name=at]", "30/06/2025")
		s.follow("submit the date form", chromedp.Click(chromedp.CSS("form.datebar button")), http.StatusOK)
		s.do("type the query", chromedp.SendKeys(chromedp.CSS("#q"), "ha khanh"))
		s.follow("search", chromedp.Click(chromedp.CSS(`form[role="search"] button`)), http.StatusOK)
		if q := s.query(); q.Get("q") != "ha khanh" || q.Get("at") != "2025-06-30" {
			t.Errorf("the search sent %v", q)
		}
		if got := s.text("#results"); !strings.Contains(got, "Đảng ủy phường Hà Khánh") {
			t.Errorf("searching “ha khanh” on 30/06/2025 did not find Đảng ủy phường Hà Khánh:\n%s", got)
		}
		s.shot("08-search-en")
		s.follow("back to Vietnamese", chromedp.Click(chromedp.CSS(`.lang button[value="vi"]`)), http.StatusOK)
		if lang := s.eval(`document.documentElement.lang`); lang != "vi" {
			t.Fatalf("html lang=%q after choosing Tiếng Việt", lang)
		}
	})

	t.Run("pages", func(t *testing.T) {
		s.t = t
		s.open("/?q=ha+khanh", http.StatusOK)
		s.shot("09-search-today")
		s.open(fmt.Sprintf("/units/%d/events/new", qn.ID), http.StatusOK)
		if got := s.text("h1"); got != "Ghi nhận thay đổi tổ chức" {
			t.Errorf("event form h1 %q", got)
		}
		s.shot("10-event-form")
		// Choosing a kind of change shows only its fields (CSS :has).
		s.do("choose rename", chromedp.Click(chromedp.CSS(`input[name="type"][value="rename"]`)))
		if d := s.eval(`getComputedStyle(document.querySelector("#parent_code").closest(".field")).display`); d != "none" {
			t.Errorf("with rename chosen the new-parent field is shown (display %s)", d)
		}
		if d := s.eval(`getComputedStyle(document.querySelector("#name").closest(".field")).display`); d == "none" {
			t.Error("with rename chosen the new-name field is hidden")
		}
		s.shot("11-event-form-rename")
		s.open("/restructure", http.StatusOK)
		s.shot("12-restructure-form")
		s.previewPlan(a.planFile(t))
		s.shot("13-restructure-preview")
		s.open("/users", http.StatusOK)
		if got := s.text("table.list"); !strings.Contains(got, "tochuc.qn") {
			t.Errorf("the users page does not list tochuc.qn:\n%s", got)
		}
		s.shot("14-users")
		s.open(fmt.Sprintf("/users/%d", a.staff.ID), http.StatusOK)
		s.shot("15-user")
		s.open("/audit", http.StatusOK)
		if got := s.text("table.list"); !strings.Contains(got, "auth.login") {
			t.Errorf("the audit trail does not show the login:\n%s", got)
		}
		s.shot("16-audit")
		s.open("/units/987654321", http.StatusNotFound)
		s.shot("17-error-not-found")
		s.open("/account", http.StatusOK)
		s.shot("18-account")
		s.open(fmt.Sprintf("/units/%d/todo", qn.ID), http.StatusOK)
		s.shot("19-todo")
	})

	t.Run("phone", func(t *testing.T) {
		s.t = t
		s.do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
		s.open(fmt.Sprintf("/units/%d?at=2025-06-30", qn.ID), http.StatusOK)
		if w := s.eval(`String(document.documentElement.scrollWidth)`); w != "390" {
			t.Errorf("the unit page is %spx wide on a 390px phone: something overflows", w)
		}
		s.shot("20-phone-unit")
		s.open("/", http.StatusOK)
		s.shot("21-phone-home")
		s.do("desktop viewport", chromedp.ResetViewport())
	})

	s.t = t
	s.checkConsole()
	t.Logf("browser test done in %v", time.Since(start).Round(time.Millisecond))
}

// findChromium returns the browser, or skips the test without one; under
// CI a missing browser fails it.
func findChromium(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s: %v (under CI the browser test must run: apt-get install chromium)", chromiumPath, err)
		}
		t.Skipf("no %s: the browser test needs Debian's chromium", chromiumPath)
	}
	return chromiumPath
}

// app is the application running in-process on a real SQLite database
// holding the national tree of March 2025 with the July 2025
// reorganization applied.
type app struct {
	url   string
	units *sqldb.UnitService
	staff *partyworks.User
}

func startApp(t *testing.T) *app {
	t.Helper()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "e2e.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a := &app{units: sqldb.NewUnitService(db)}
	users, audit := sqldb.NewUserService(db), sqldb.NewAuditService(db)

	rows, err := partyworks.UnitRowsFromTable(readSheet(t, "../demo/data/units-2025-03.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.units.ImportUnits(ctx, partyworks.UnitImport{Rows: rows, Effective: day("2020-10-01")}); err != nil {
		t.Fatal(err)
	}
	plan, err := partyworks.PlanFromTable(readSheet(t, "../demo/data/reorg-2025-07.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.units.ApplyRestructure(ctx, &partyworks.Plan{Effective: day("2025-07-01"), Decision: "60-NQ/TW", Rows: plan}); err != nil {
		t.Fatal(err)
	}

	// Accounts, with fictional names: the administrator the test logs in
	// as, and a few others so that the users page looks like a real one.
	qn := a.unit("22").ID
	for _, u := range []struct {
		name, display string
		role          partyworks.Role
		unit          int64
	}{
		{"admin", "Nguyễn Văn Quản", partyworks.RoleAdmin, 0},
		{"tochuc.qn", "Trần Thị Thu Hà", partyworks.RoleStaff, qn},
		{"lanhdao.qn", "Lê Minh Đức", partyworks.RoleLeader, qn},
		{"dangvien.cx", "Phạm Văn Hùng", partyworks.RoleMember, a.unit("06658").ID},
	} {
		user := &partyworks.User{Username: u.name, DisplayName: u.display}
		if err := users.CreateUser(ctx, user, password); err != nil {
			t.Fatal(err)
		}
		if err := users.AddGrant(ctx, &partyworks.Grant{UserID: user.ID, Role: u.role, UnitID: u.unit}); err != nil {
			t.Fatal(err)
		}
		if u.role == partyworks.RoleStaff {
			a.staff = user
		}
	}

	log := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := httptest.NewServer(web.NewServer(log, web.Config{SecureCookies: true, Version: "e2e"},
		web.Deps{Units: a.units, Users: users, Audit: audit, Ping: db.Ping}))
	t.Cleanup(srv.Close)
	a.url = srv.URL
	return a
}

// unit finds a unit by code as it stands today, or as it last stood.
func (a *app) unit(code string) *partyworks.Unit {
	ctx := context.Background()
	u, err := a.units.FindUnitByCode(ctx, code, partyworks.Today(time.Now()))
	if err != nil {
		u, err = a.units.FindUnitByCode(ctx, code, day("2025-06-30"))
	}
	if err != nil {
		panic(fmt.Sprintf("unit %s: %v", code, err))
	}
	return u
}

// planFile writes a small plan over today's Quảng Ninh: two wards of
// Hạ Long merged into a new one, for the preview page.
func (a *app) planFile(t *testing.T) string {
	t.Helper()
	csv := "new_level,new_code,new_name,new_parent_code,old_code,part\n" +
		"2,99001,Phường Cao Xanh - Việt Hưng,22,06658,full\n" +
		"2,99001,Phường Cao Xanh - Việt Hưng,22,06661,full\n"
	path := filepath.Join(t.TempDir(), "phuong-an-sap-nhap.csv")
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readSheet(t *testing.T, path string) *partyworks.Table {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tab, err := sheet.Read(f, filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func day(s string) partyworks.Date {
	d, err := partyworks.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// session is one browser tab on the application.
type session struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string // the folder for screenshots, "" for none

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

func newSession(t *testing.T, chrome, base string) *session {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		// A Vietnamese browser: the interface's default language, and
		// dates in the date fields as dd/mm/yyyy.
		chromedp.Flag("lang", "vi-VN"),
		chromedp.Flag("accept-lang", "vi-VN,vi"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	s := &session{t: t, ctx: ctx, base: base, shots: os.Getenv("PARTYWORKS_SCREENSHOTS")}
	if err := chromedp.Do(ctx); err != nil { // start the browser, with no time limit of a step
		t.Fatalf("start %s: %v", chrome, err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			s.mu.Lock()
			s.console = append(s.console, m)
			s.mu.Unlock()
		}
	}()
	if s.shots != "" {
		if err := os.MkdirAll(s.shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func (s *session) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(s.ctx, stepTimeout)
}

// do runs steps that navigate nowhere.
func (s *session) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		s.t.Fatalf("%s: %v", what, err)
	}
}

// open loads a page and checks the status of the page it lands on.
func (s *session) open(path string, want int64) {
	s.t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(s.base+path))
	if err != nil {
		s.t.Fatalf("open %s: %v", path, err)
	}
	if resp.Status != want {
		s.t.Fatalf("open %s: status %d, want %d", path, resp.Status, want)
	}
}

// follow clicks a link or a submit button and waits for the page it
// leads to (after redirects).
func (s *session) follow(what string, click chromedp.Action[chromedp.Void], want int64) {
	s.t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, click)
	if err != nil {
		s.t.Fatalf("%s: %v", what, err)
	}
	if resp.Status != want {
		s.t.Fatalf("%s: %s answered %d, want %d", what, resp.URL, resp.Status, want)
	}
}

// text is the visible text of the first element matching a CSS selector.
func (s *session) text(css string) string {
	s.t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		s.t.Fatalf("text of %s: %v", css, err)
	}
	return strings.TrimSpace(v)
}

// eval evaluates a JavaScript expression that gives a string.
func (s *session) eval(expr string) string {
	s.t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		s.t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// count is the number of elements matching a CSS selector.
func (s *session) count(css string) int {
	s.t.Helper()
	n, _ := strconv.Atoi(s.eval(fmt.Sprintf(`String(document.querySelectorAll(%q).length)`, css)))
	return n
}

const (
	childTable = `section[aria-labelledby="children"] table`
	childRows  = `section[aria-labelledby="children"] tbody tr`
)

var countRE = regexp.MustCompile(`\(([\d.,]+)\)`)

// childTotal reads the number of children from the heading of the list
// ("Đơn vị trực thuộc (54)"): the list itself shows one page.
func (s *session) childTotal() int {
	s.t.Helper()
	h := s.text("#children")
	m := countRE.FindStringSubmatch(h)
	if m == nil {
		s.t.Fatalf("no count in the children heading %q", h)
	}
	n, _ := strconv.Atoi(strings.NewReplacer(".", "", ",", "").Replace(m[1]))
	return n
}

func (s *session) location() *url.URL {
	s.t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		s.t.Fatal(err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		s.t.Fatal(err)
	}
	return u
}

func (s *session) path() string      { return s.location().Path }
func (s *session) query() url.Values { return s.location().Query() }

// checkSessionCookie checks that the browser kept the Secure, HttpOnly
// __Host- session cookie from a plain-http 127.0.0.1 server: Chromium
// treats loopback as a secure context.
func (s *session) checkSessionCookie() {
	s.t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{s.base + "/"}})
	if err != nil {
		s.t.Fatal(err)
	}
	for _, c := range res.Cookies {
		if c.Name == "__Host-pw_session" {
			if !c.Secure || !c.HTTPOnly || c.Path != "/" {
				s.t.Errorf("session cookie: secure=%v httponly=%v path=%q", c.Secure, c.HTTPOnly, c.Path)
			}
			return
		}
	}
	s.t.Errorf("no __Host-pw_session cookie after login; cookies: %+v", res.Cookies)
}

// typeDate types a day into a date field as a user does: dd/mm/yyyy.
func (s *session) typeDate(css, day string) {
	s.t.Helper()
	s.do("type the day "+day, chromedp.Clear(chromedp.CSS(css)), chromedp.SendKeys(chromedp.CSS(css), day))
}

// previewPlan uploads a plan on the restructuring form and waits for the
// preview.
func (s *session) previewPlan(file string) {
	s.t.Helper()
	s.do("fill the plan form",
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}),
		chromedp.Clear(chromedp.CSS("#effective")),
		chromedp.SendKeys(chromedp.CSS("#effective"), "01/12/2026"),
		chromedp.SendKeys(chromedp.CSS("#decision"), "1234/NQ-UBTVQH15"))
	s.follow("preview the plan", chromedp.Click(chromedp.CSS(`form[action="/restructure"] button[type="submit"]`)), http.StatusOK)
	if got := s.text(".stats"); got == "" {
		s.t.Error("the preview shows no figures")
	}
}

// shot saves a full-page PNG when screenshots are asked for.
func (s *session) shot(name string) {
	s.t.Helper()
	if s.shots == "" {
		return
	}
	ctx, cancel := s.step()
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		s.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(s.shots, name+".png"), png, 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// checkConsole fails on any script error or Content-Security-Policy
// violation the pages caused (the 404 page's own status is expected).
func (s *session) checkConsole() {
	s.t.Helper()
	time.Sleep(50 * time.Millisecond) // let the last events arrive
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.console {
		if m.Source == "network" && strings.Contains(m.Text, "404") {
			continue
		}
		if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleWarning {
			s.t.Errorf("browser console: %s (%s)", m, m.URL)
		}
	}
}

// testLog sends the server's warnings and errors to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

var _ io.Writer = testLog{}
