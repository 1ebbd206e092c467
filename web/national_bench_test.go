package web_test

// BenchmarkNationalPages times the member pages over a real HTTP server on
// a national database made by "partyworks demo --scale national" (5.6
// million members), for docs/PERFORMANCE.md:
//
//	PARTYWORKS_BENCH_DB=/work/national.db go test -run '^$' -bench BenchmarkNationalPages -benchtime 200x ./web
//
// The database is only read: the national administrator is an in-memory
// user (benchUsers), so no account, grant or session is written to it.

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/vntext"
	"partyworks/web"
)

// benchUsers answers the benchmark's token and session with a national
// administrator held in memory, and passes every other call to the
// database: logging in for real would write a user, a grant and a session
// (and every request would extend it) in a database the benchmark must
// leave as it found it. What the benchmark leaves out is the session's
// own lookup: one indexed read and update per request.
type benchUsers struct {
	partyworks.UserService
	token string
	user  *partyworks.User
}

func (u benchUsers) SessionUser(ctx context.Context, token string) (*partyworks.User, *partyworks.Session, error) {
	if token != u.token {
		return nil, nil, partyworks.Errorf(partyworks.EUNAUTHORIZED, "please log in")
	}
	return u.user, &partyworks.Session{Token: token, UserID: u.user.ID, ExpiresAt: time.Now().Add(time.Hour)}, nil
}

func (u benchUsers) TokenUser(ctx context.Context, token string) (*partyworks.User, error) {
	if token != u.token {
		return nil, partyworks.Errorf(partyworks.EUNAUTHORIZED, "unknown token")
	}
	return u.user, nil
}

// nationalFixture is a real server over the national database, with the
// units to draw from and names to search for.
type nationalFixture struct {
	*pageFixture
	db        *sqldb.DB
	members   *sqldb.MemberService
	provinces []*partyworks.Unit
	communes  []*partyworks.Unit
	cells     []*partyworks.Unit
	names     []string
	maxID     int64
	from      partyworks.Date
	days      int
}

func newNationalFixture(b *testing.B, dsn string) *nationalFixture {
	ctx := context.Background()
	// Open applies no migration to a database already at the current
	// schema: the file is only read.
	requireCurrentSchema(b, dsn)
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	units := sqldb.NewUnitService(db)
	f := &nationalFixture{db: db, members: sqldb.NewMemberService(db), from: mustDay("2025-07-01")}
	today := partyworks.Today(time.Now())
	f.days = int(today.Sub(f.from).Hours()/24) + 1
	byKind := func(kinds ...partyworks.UnitKind) []*partyworks.Unit { return everyUnit(b, units, today, kinds...) }
	f.provinces = byKind(partyworks.KindProvince, partyworks.KindCity)
	f.communes = byKind(partyworks.KindCommune, partyworks.KindWard, partyworks.KindSpecialZone)
	f.cells = byKind(partyworks.KindCell)
	if len(f.provinces) == 0 || len(f.cells) == 0 {
		b.Fatalf("%s is not a national database: %d provinces, %d cells", dsn, len(f.provinces), len(f.cells))
	}
	// Names as users type them: a whole name with or without diacritics,
	// a family name and a given name followed by a middle name.
	for _, p := range []*partyworks.Unit{f.provinces[0], f.provinces[len(f.provinces)/2]} {
		sample, _, err := f.members.FindMembers(ctx, partyworks.MemberFilter{Under: p.ID, Limit: 250})
		if err != nil {
			b.Fatal(err)
		}
		for _, m := range sample {
			parts := strings.Fields(m.FullName)
			f.names = append(f.names, m.FullName, vntext.Fold(m.FullName), vntext.Fold(parts[0]+" "+parts[1]), parts[0]+" "+parts[len(parts)-1])
			f.maxID = max(f.maxID, m.ID)
		}
	}
	st, err := f.members.MemberStats(ctx, 0, today)
	if err != nil {
		b.Fatal(err)
	}
	f.maxID = max(f.maxID, int64(st.Total()))
	b.Logf("%d provinces, %d communes, %d cells, %d members counted today", len(f.provinces), len(f.communes), len(f.cells), st.Total())

	admin := &partyworks.User{ID: 1 << 40, Username: "bench", DisplayName: "Quản trị quốc gia",
		Grants: []partyworks.Grant{{Role: partyworks.RoleAdmin}}} // UnitID 0: the whole tree
	users := benchUsers{UserService: sqldb.NewUserService(db), token: "bench-national-token", user: admin}
	server := web.NewServer(slog.New(slog.DiscardHandler), web.Config{SecureCookies: true, Version: "bench"},
		web.Deps{Units: units, Users: users, Audit: sqldb.NewAuditService(db), Ping: db.Ping, Members: f.members})
	srv := httptest.NewServer(server)
	b.Cleanup(srv.Close)
	f.pageFixture = &pageFixture{srv: srv, token: users.token, cookie: &http.Cookie{Name: "__Host-pw_session", Value: users.token},
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	return f
}

// requireCurrentSchema stops the benchmark before sqldb.Open would
// migrate the database (a write): every migration of this tree must
// already be applied. It reads through a read-only connection.
func requireCurrentSchema(b *testing.B, dsn string) {
	driver, src, dir := "sqlite3", "file:"+dsn+"?mode=ro", "../sqldb/migrations/sqlite"
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		driver, src, dir = "pgx", dsn, "../sqldb/migrations/postgres"
	}
	conn, err := sql.Open(driver, src)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	applied := map[string]bool{}
	rows, err := conn.Query(`SELECT version FROM schema_migrations`)
	if err != nil {
		b.Fatalf("%s: %v", dsn, err)
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			b.Fatal(err)
		}
		applied[v] = true
	}
	files, err := os.ReadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, fi := range files {
		if v := strings.TrimSuffix(fi.Name(), ".sql"); !applied[v] {
			b.Fatalf("%s lacks migration %s: the benchmark would write it; run partyworks migrate on it first (or on a copy)", dsn, v)
		}
	}
}

func (f *nationalFixture) day(r *mrand.Rand) string {
	return partyworks.FormatDate(f.from.AddDate(0, 0, r.IntN(f.days)))
}

// member draws a member id that exists (drawing is not timed).
func (f *nationalFixture) member(b *testing.B, r *mrand.Rand) int64 {
	for {
		id := 1 + r.Int64N(f.maxID)
		if _, err := f.members.FindMemberByID(context.Background(), id); err == nil {
			return id
		} else if partyworks.ErrorCode(err) != partyworks.ENOTFOUND {
			b.Fatal(err)
		}
	}
}

// BenchmarkNationalPages: p50/p99 of the member record page, the
// statistics pages of the country (with its 34 province rows), a
// province, a commune and a cell on random days since 01/07/2025, and the
// member search over the whole country, as a national administrator.
func BenchmarkNationalPages(b *testing.B) {
	dsn := os.Getenv("PARTYWORKS_BENCH_DB")
	if dsn == "" {
		b.Skip("PARTYWORKS_BENCH_DB is not set: make one with partyworks demo --scale national")
	}
	f := newNationalFixture(b, dsn)
	pick := func(us []*partyworks.Unit) func(r *mrand.Rand) int64 {
		return func(r *mrand.Rand) int64 { return us[r.IntN(len(us))].ID }
	}
	stats := func(unit func(*mrand.Rand) int64) func(*testing.B, *mrand.Rand) string {
		return func(_ *testing.B, r *mrand.Rand) string {
			return fmt.Sprintf("/units/%d/members/stats?at=%s", unit(r), f.day(r))
		}
	}
	cases := []struct {
		name string
		path func(*testing.B, *mrand.Rand) string
	}{
		{"member", func(b *testing.B, r *mrand.Rand) string { return fmt.Sprintf("/members/%d", f.member(b, r)) }},
		{"stats-country", func(_ *testing.B, r *mrand.Rand) string { return "/members/stats?at=" + f.day(r) }},
		{"stats-province", stats(pick(f.provinces))},
		{"stats-commune", stats(pick(f.communes))},
		{"stats-cell", stats(pick(f.cells))},
		// The list behind the country's figure of official members.
		{"list-country", func(_ *testing.B, r *mrand.Rand) string { return "/members?status=official&at=" + f.day(r) }},
		{"search-country", func(_ *testing.B, r *mrand.Rand) string {
			q := "/members?q=" + url.QueryEscape(f.names[r.IntN(len(f.names))])
			if r.IntN(2) == 0 {
				q += "&at=" + f.day(r)
			}
			return q
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			r := mrand.New(mrand.NewPCG(1, 2))
			var l pageLatencies
			n := 0
			var slowest time.Duration
			var slowPath string
			var slow []string
			var cpu time.Duration
			for b.Loop() {
				path := c.path(b, r)
				start, cpu0 := time.Now(), cpuTime()
				n += f.get(b, path, false)
				d := time.Since(start)
				cpu += cpuTime() - cpu0
				l = append(l, d)
				if d > slowest {
					slowest, slowPath = d, path
				}
				if d > time.Second && len(slow) < 10 {
					slow = append(slow, fmt.Sprintf("%v %s", d.Round(time.Millisecond), path))
				}
			}
			l.report(b, n, cpu)
			b.Logf("slowest: %v %s", slowest, slowPath)
			if len(slow) > 0 {
				b.Logf("over a second: %s", strings.Join(slow, "; "))
			}
		})
	}
	// The country page's province rows alone: one statistics read per
	// root on the day, straight from the service.
	b.Run("province-rows", func(b *testing.B) {
		ctx := context.Background()
		r := mrand.New(mrand.NewPCG(1, 2))
		var l pageLatencies
		for b.Loop() {
			at := f.from.AddDate(0, 0, r.IntN(f.days))
			start := time.Now()
			for _, p := range f.provinces {
				if _, err := f.members.MemberStats(ctx, p.ID, at); err != nil {
					b.Fatal(err)
				}
			}
			l = append(l, time.Since(start))
		}
		slices.Sort(l)
		b.ReportMetric(float64(l[len(l)/2])/1e6, "p50-ms")
		b.ReportMetric(float64(l[min(len(l)-1, len(l)*99/100)])/1e6, "p99-ms")
		b.ReportMetric(float64(len(f.provinces)), "reads/op")
	})
}
