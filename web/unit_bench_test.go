package web_test

// Benchmarks of the unit pages over HTTP at national scale, for
// docs/PERFORMANCE.md. Run them alone on a quiet machine:
//
//	go test -run '^$' -bench BenchmarkUnitPage -benchtime 3s ./web
//
// The PostgreSQL sub-benchmarks skip unless PARTYWORKS_TEST_PG is set.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"partyworks"
	"partyworks/sheet"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
	"partyworks/vntext"
	"partyworks/web"
)

// pageFixture is a real server over the national tree of March 2025 with
// the July 2025 reorganization applied, and a national administrator
// logged in (a session cookie for the HTML, a token for the API).
type pageFixture struct {
	srv     *httptest.Server
	client  *http.Client
	cookie  *http.Cookie
	token   string
	before  []*partyworks.Unit // the tree on every day until 30/06/2025
	after   []*partyworks.Unit // the tree on every day from 01/07/2025
	reorgAt partyworks.Date
}

func readTable(b *testing.B, path string) *partyworks.Table {
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	tab, err := sheet.Read(bytes.NewReader(data), path)
	if err != nil {
		b.Fatal(err)
	}
	return tab
}

func newPageFixture(b *testing.B, db *sqldb.DB) *pageFixture {
	ctx := context.Background()
	units, users := sqldb.NewUnitService(db), sqldb.NewUserService(db)
	rows, err := partyworks.UnitRowsFromTable(readTable(b, "../demo/data/units-2025-03.csv"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := units.ImportUnits(ctx, partyworks.UnitImport{Rows: rows, Effective: mustDay("2020-01-01")}); err != nil {
		b.Fatal(err)
	}
	planRows, err := partyworks.PlanFromTable(readTable(b, "../demo/data/reorg-2025-07.csv"))
	if err != nil {
		b.Fatal(err)
	}
	f := &pageFixture{reorgAt: mustDay("2025-07-01")}
	if _, err := units.ApplyRestructure(ctx, &partyworks.Plan{Effective: f.reorgAt, Decision: "60-NQ/TW", Rows: planRows}); err != nil {
		b.Fatal(err)
	}
	if db.Postgres() {
		// What autovacuum does within a minute of a bulk change.
		if err := db.ExecRaw(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	f.before, f.after = everyUnit(b, units, mustDay("2024-01-01")), everyUnit(b, units, f.reorgAt)

	admin := &partyworks.User{Username: "admin", DisplayName: "Quản trị quốc gia"}
	if err := users.CreateUser(ctx, admin, testPassword); err != nil {
		b.Fatal(err)
	}
	if err := users.AddGrant(ctx, &partyworks.Grant{UserID: admin.ID, Role: partyworks.RoleAdmin}); err != nil {
		b.Fatal(err)
	}
	if f.token, err = users.CreateToken(ctx, admin.ID, "bench"); err != nil {
		b.Fatal(err)
	}
	server := web.NewServer(slog.New(slog.DiscardHandler), web.Config{SecureCookies: true, Version: "bench"},
		web.Deps{Units: units, Users: users, Audit: sqldb.NewAuditService(db), Ping: db.Ping})
	f.srv = httptest.NewServer(server)
	b.Cleanup(f.srv.Close)
	f.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	form := url.Values{"username": {"admin"}, "password": {testPassword}}
	req, _ := http.NewRequest("POST", f.srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := f.client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	for _, c := range res.Cookies() {
		if strings.Contains(c.Name, "session") {
			f.cookie = c
		}
	}
	if res.StatusCode != http.StatusSeeOther || f.cookie == nil {
		b.Fatalf("login: %d, cookie %v", res.StatusCode, f.cookie)
	}
	return f
}

// everyUnit lists the units standing on day at (of the kinds, if any).
func everyUnit(b *testing.B, units *sqldb.UnitService, at partyworks.Date, kinds ...partyworks.UnitKind) []*partyworks.Unit {
	var out []*partyworks.Unit
	after := ""
	for {
		page, _, err := units.FindUnits(context.Background(), partyworks.UnitFilter{At: at, Kinds: kinds, After: after, Limit: 1000})
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, page...)
		if len(page) < 1000 {
			return out
		}
		after = page[len(page)-1].Code
	}
}

var (
	benchFrom = mustDay("2021-01-01")
	benchDays = int(mustDay("2027-01-01").Sub(benchFrom).Hours() / 24) // 2021–2026
)

// sample draws a day in 2021–2026 and a unit that stood that day, of one
// of kinds if any are given.
func (f *pageFixture) sample(r *mrand.Rand, kinds ...partyworks.UnitKind) (*partyworks.Unit, string) {
	at := benchFrom.AddDate(0, 0, r.IntN(benchDays))
	pool := f.before
	if !at.Before(f.reorgAt) {
		pool = f.after
	}
	for {
		u := pool[r.IntN(len(pool))]
		if len(kinds) == 0 || slices.Contains(kinds, u.Kind) {
			return u, partyworks.FormatDate(at)
		}
	}
}

// get fetches a path as the administrator, reads the whole body and
// fails the benchmark on any status but 200.
func (f *pageFixture) get(b *testing.B, path string, api bool) int {
	req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
	if api {
		req.Header.Set("Authorization", "Bearer "+f.token)
	} else {
		req.AddCookie(f.cookie)
	}
	res, err := f.client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		b.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d\n%.500s", path, res.StatusCode, body)
	}
	return len(body)
}

// pageLatencies collects per-request timings and reports percentiles.
type pageLatencies []time.Duration

// cpuTime is the CPU time (user and system) used so far by this process:
// the server and the client of these benchmarks, not PostgreSQL's. Per
// request it varies far less than wall time when others share the machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (l pageLatencies) report(b *testing.B, bytes int, cpu time.Duration) {
	if len(l) == 0 {
		return
	}
	b.ReportMetric(float64(cpu)/1e6/float64(len(l)), "cpu-ms/op")
	slices.Sort(l)
	rank := func(p float64) time.Duration {
		i := int(math.Ceil(p*float64(len(l)))) - 1
		return l[max(0, min(i, len(l)-1))]
	}
	b.ReportMetric(float64(rank(0.50))/1e6, "p50-ms")
	b.ReportMetric(float64(rank(0.99))/1e6, "p99-ms")
	b.ReportMetric(float64(l[len(l)-1])/1e6, "max-ms")
	b.ReportMetric(float64(bytes)/float64(len(l)), "bytes/page")
}

// BenchmarkUnitPage times, over a real HTTP server at national scale, the
// HTML unit page (GET /units/{id}?at=…) and the API children list (GET
// /api/v1/units/{id}/children?at=…) for random units on random days of
// 2021–2026, as a national administrator. Target: p99 under 20 ms.
func BenchmarkUnitPage(b *testing.B) {
	backends := []struct {
		name string
		open func(testing.TB) *sqldb.DB
	}{{"sqlite", sqldbtest.SQLite}, {"postgres", sqldbtest.Postgres}}
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			f := newPageFixture(b, be.open(b))
			cases := []struct {
				name  string
				kinds []partyworks.UnitKind
				path  func(u *partyworks.Unit, at string) string
				api   bool
			}{
				{"html", nil, func(u *partyworks.Unit, at string) string { return fmt.Sprintf("/units/%d?at=%s", u.ID, at) }, false},
				{"api-children", nil, func(u *partyworks.Unit, at string) string {
					return fmt.Sprintf("/api/v1/units/%d/children?at=%s", u.ID, at)
				}, true},
				// Provinces: the longest child lists (up to 166 children, 50 a
				// page) and the largest events.
				{"html-provinces", []partyworks.UnitKind{partyworks.KindProvince, partyworks.KindCity},
					func(u *partyworks.Unit, at string) string { return fmt.Sprintf("/units/%d?at=%s", u.ID, at) }, false},
				{"api-children-provinces", []partyworks.UnitKind{partyworks.KindProvince, partyworks.KindCity}, func(u *partyworks.Unit, at string) string {
					return fmt.Sprintf("/api/v1/units/%d/children?at=%s", u.ID, at)
				}, true},
			}
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) {
					r := mrand.New(mrand.NewPCG(1, 2))
					var l pageLatencies
					n := 0
					var slowest time.Duration
					var slowPath string
					cpu := cpuTime()
					for b.Loop() {
						u, at := f.sample(r, c.kinds...)
						path := c.path(u, at)
						start := time.Now()
						n += f.get(b, path, c.api)
						d := time.Since(start)
						l = append(l, d)
						if d > slowest {
							slowest, slowPath = d, fmt.Sprintf("%s (request %d)", path, len(l))
						}
					}
					l.report(b, n, cpuTime()-cpu)
					b.Logf("slowest: %v %s", slowest, slowPath)
				})
			}
			// The home page's search over the whole tree, as a national
			// user types a place's name, with or without diacritics.
			b.Run("html-search", func(b *testing.B) {
				var names []string
				for _, u := range f.after {
					if parts := strings.Fields(u.Name); u.Kind.Level() == 3 && len(parts) >= 2 {
						names = append(names, strings.Join(parts[len(parts)-2:], " "))
					}
				}
				r := mrand.New(mrand.NewPCG(1, 2))
				var l pageLatencies
				n := 0
				cpu := cpuTime()
				for b.Loop() {
					q := names[r.IntN(len(names))]
					if r.IntN(2) == 0 {
						q = vntext.Fold(q)
					}
					_, at := f.sample(r)
					path := "/?q=" + url.QueryEscape(q) + "&at=" + at
					start := time.Now()
					n += f.get(b, path, false)
					l = append(l, time.Since(start))
				}
				l.report(b, n, cpuTime()-cpu)
			})
		})
	}
}
