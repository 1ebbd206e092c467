package sqldb_test

// Benchmarks for the figures of docs/PERFORMANCE.md: the national import,
// the national restructuring, and the store calls behind a unit page, at
// national scale. Run them one at a time on a quiet machine, e.g.
//
//	go test -run '^$' -bench BenchmarkRestructureNational -benchtime 3x ./sqldb
//
// PostgreSQL sub-benchmarks skip unless PARTYWORKS_TEST_PG is set.

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	mrand "math/rand/v2"
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
)

// nationalUnits is the number of units in units-2025-03.csv.
const nationalUnits = 63 + 696 + 10047

// benchBackend opens a fresh, empty database and returns it with the
// function that closes and removes it, so that a benchmark can take a new
// database every iteration without piling up open pools.
type benchBackend struct {
	name string
	open func(b *testing.B) (*sqldb.DB, func())
}

var benchBackends = []benchBackend{
	{"sqlite", func(b *testing.B) (*sqldb.DB, func()) {
		dir, err := os.MkdirTemp(b.TempDir(), "db")
		if err != nil {
			b.Fatal(err)
		}
		db, err := sqldb.Open(context.Background(), dir+"/bench.db")
		if err != nil {
			b.Fatal(err)
		}
		return db, func() { db.Close(); os.RemoveAll(dir) }
	}},
	{"postgres", func(b *testing.B) (*sqldb.DB, func()) {
		url := sqldbtest.PostgresURL(b)
		admin, err := sql.Open("pgx", url)
		if err != nil {
			b.Fatal(err)
		}
		r := make([]byte, 6)
		rand.Read(r)
		schema := "bench_" + hex.EncodeToString(r)
		if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
			admin.Close()
			b.Fatalf("postgres: %v", err)
		}
		sep := "?"
		if strings.Contains(url, "?") {
			sep = "&"
		}
		db, err := sqldb.Open(context.Background(), url+sep+"search_path="+schema)
		if err != nil {
			admin.Close()
			b.Fatal(err)
		}
		return db, func() {
			db.Close()
			admin.Exec("DROP SCHEMA " + schema + " CASCADE")
			admin.Close()
		}
	}},
}

// eachBackend runs fn as one sub-benchmark per database; the PostgreSQL
// one skips without PARTYWORKS_TEST_PG.
func eachBackend(b *testing.B, fn func(b *testing.B, be benchBackend)) {
	for _, be := range benchBackends {
		b.Run(be.name, func(b *testing.B) {
			if be.name == "postgres" {
				sqldbtest.PostgresURL(b)
			}
			fn(b, be)
		})
	}
}

// BenchmarkImportNationalUnits imports the real national tree of March
// 2025 (10,806 units) into a fresh database each iteration: parse the CSV,
// validate the rows, insert them. Opening and migrating the database is
// not timed. Target (SQLite): under 2 s.
func BenchmarkImportNationalUnits(b *testing.B) {
	data, err := os.ReadFile("../demo/data/units-2025-03.csv")
	if err != nil {
		b.Fatal(err)
	}
	eachBackend(b, func(b *testing.B, be benchBackend) {
		ctx := context.Background()
		var total, cpu time.Duration
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			db, done := be.open(b)
			units := sqldb.NewUnitService(db)
			b.StartTimer()
			start, cpu0 := time.Now(), cpuTime()
			tab, err := sheet.Read(bytes.NewReader(data), "units-2025-03.csv")
			if err != nil {
				b.Fatal(err)
			}
			rows, err := partyworks.UnitRowsFromTable(tab)
			if err != nil {
				b.Fatal(err)
			}
			res, err := units.ImportUnits(ctx, partyworks.UnitImport{Rows: rows, Effective: day("2020-01-01")})
			if err != nil {
				b.Fatal(err)
			}
			total, cpu = total+time.Since(start), cpu+cpuTime()-cpu0
			b.StopTimer()
			if res.Created != nationalUnits {
				b.Fatalf("created %d units", res.Created)
			}
			done()
			b.StartTimer()
		}
		b.ReportMetric(float64(nationalUnits*b.N)/total.Seconds(), "units/s")
		b.ReportMetric(cpuMS(cpu, b.N), "cpu-ms/op")
	})
}

// BenchmarkRestructureNational applies the July 2025 reorganization
// (10,667 plan rows: 63 provinces into 34, 10,047 communes into 3,321, the
// district level ended) to the national tree, effective 1 July 2025, in
// one transaction. Each iteration loads a fresh tree, untimed. Target
// (SQLite): under 5 s; PostgreSQL recorded.
func BenchmarkRestructureNational(b *testing.B) {
	eachBackend(b, func(b *testing.B, be benchBackend) {
		ctx := context.Background()
		planRows := readPlan(b)
		var cpu time.Duration
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			db, done := be.open(b)
			units := sqldb.NewUnitService(db)
			importNational(b, units)
			plan := &partyworks.Plan{Effective: day("2025-07-01"), Decision: "60-NQ/TW", Rows: planRows}
			b.StartTimer()
			cpu0 := cpuTime()
			pv, err := units.ApplyRestructure(ctx, plan)
			cpu += cpuTime() - cpu0
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			if len(pv.Split) != 460 || len(pv.Dissolved) != 7458 {
				b.Fatalf("split %d, dissolved %d", len(pv.Split), len(pv.Dissolved))
			}
			done()
			b.StartTimer()
		}
		b.ReportMetric(float64(len(planRows)*b.N)/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric(cpuMS(cpu, b.N), "cpu-ms/op")
	})
}

// BenchmarkPreviewRestructureNational runs the same plan as a preview:
// the whole restructuring in a transaction that is rolled back. This is
// what the restructure page waits for before it shows the preview.
func BenchmarkPreviewRestructureNational(b *testing.B) {
	eachBackend(b, func(b *testing.B, be benchBackend) {
		ctx := context.Background()
		db, done := be.open(b)
		defer done()
		units := sqldb.NewUnitService(db)
		importNational(b, units)
		plan := &partyworks.Plan{Effective: day("2025-07-01"), Decision: "60-NQ/TW", Rows: readPlan(b)}
		for b.Loop() {
			if _, err := units.PreviewRestructure(ctx, plan); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// latencies collects per-iteration timings and reports their percentiles,
// and the CPU time the process spent per iteration (PostgreSQL's own is
// not counted), which varies far less than wall time on a shared machine.
type latencies struct {
	d   []time.Duration
	cpu time.Duration // at the first timing
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func cpuMS(d time.Duration, n int) float64 { return float64(d) / 1e6 / float64(n) }

func (l *latencies) time(fn func()) {
	if l.d == nil {
		l.cpu = cpuTime()
	}
	start := time.Now()
	fn()
	l.d = append(l.d, time.Since(start))
}

// report adds p50-ms and p99-ms (nearest rank), max-ms and cpu-ms/op to
// the benchmark's line.
func (l *latencies) report(b *testing.B) {
	if len(l.d) == 0 {
		return
	}
	b.ReportMetric(cpuMS(cpuTime()-l.cpu, len(l.d)), "cpu-ms/op")
	d := l.d
	slices.Sort(d)
	rank := func(p float64) time.Duration {
		i := int(math.Ceil(p*float64(len(d)))) - 1
		return d[max(0, min(i, len(d)-1))]
	}
	b.ReportMetric(float64(rank(0.50))/1e6, "p50-ms")
	b.ReportMetric(float64(rank(0.99))/1e6, "p99-ms")
	b.ReportMetric(float64(d[len(d)-1])/1e6, "max-ms")
}

// nationalFixture is the national tree with the July 2025 reorganization
// applied, and every unit as it stood before and after, to draw samples.
type nationalFixture struct {
	db     *sqldb.DB
	units  *sqldb.UnitService
	before []*partyworks.Unit // the tree on every day until 30/06/2025
	after  []*partyworks.Unit // the tree on every day from 01/07/2025
}

var (
	reorgDay   = day("2025-07-01")
	sampleFrom = day("2021-01-01")
	sampleDays = int(day("2027-01-01").Sub(sampleFrom).Hours() / 24) // 2021–2026
)

func loadNational(b *testing.B, be benchBackend) (*nationalFixture, func()) {
	b.Helper()
	ctx := context.Background()
	db, done := be.open(b)
	f := &nationalFixture{db: db, units: sqldb.NewUnitService(db)}
	importNational(b, f.units)
	plan := &partyworks.Plan{Effective: reorgDay, Decision: "60-NQ/TW", Rows: readPlan(b)}
	if _, err := f.units.ApplyRestructure(ctx, plan); err != nil {
		b.Fatal(err)
	}
	if db.Postgres() {
		// What autovacuum does within a minute of a bulk change; without
		// statistics the planner's choices right after the load differ.
		if err := db.ExecRaw(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	f.before = allUnits(b, f.units, day("2024-01-01"))
	f.after = allUnits(b, f.units, reorgDay)
	if len(f.before) != nationalUnits || len(f.after) != 34+3321 {
		b.Fatalf("%d units before, %d after", len(f.before), len(f.after))
	}
	return f, done
}

// allUnits lists the units standing on a day (of the kinds given, if any).
func allUnits(b *testing.B, units *sqldb.UnitService, at partyworks.Date, kinds ...partyworks.UnitKind) []*partyworks.Unit {
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

// sample draws a day in 2021–2026 and a unit that stood on it; kinds, if
// given, limits the draw to those kinds.
func (f *nationalFixture) sample(r *mrand.Rand, kinds ...partyworks.UnitKind) (*partyworks.Unit, partyworks.Date) {
	at := sampleFrom.AddDate(0, 0, r.IntN(sampleDays))
	pool := f.before
	if !at.Before(reorgDay) {
		pool = f.after
	}
	for {
		u := pool[r.IntN(len(pool))]
		if len(kinds) == 0 || slices.Contains(kinds, u.Kind) {
			return u, at
		}
	}
}

// BenchmarkUnitStore times the store calls behind one unit page (the unit
// on the day, its first 50 children with their counts, its ancestors, its
// history) and the searches, at national scale, for random units on random
// days of 2021–2026. Target: p99 well under the page's 20 ms.
func BenchmarkUnitStore(b *testing.B) {
	eachBackend(b, func(b *testing.B, be benchBackend) {
		f, done := loadNational(b, be)
		defer done()
		ctx := context.Background()
		page := func(id int64, at partyworks.Date) {
			u, err := f.units.FindUnitByID(ctx, id, at)
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := f.units.FindUnits(ctx, partyworks.UnitFilter{At: at, ParentID: &u.ID, Limit: 50}); err != nil {
				b.Fatal(err)
			}
			if _, err := f.units.Ancestors(ctx, u, at); err != nil {
				b.Fatal(err)
			}
			if _, err := f.units.FindUnitEvents(ctx, u.ID); err != nil {
				b.Fatal(err)
			}
		}
		b.Run("page", func(b *testing.B) {
			r := mrand.New(mrand.NewPCG(1, 2))
			var l latencies
			for b.Loop() {
				u, at := f.sample(r)
				l.time(func() { page(u.ID, at) })
			}
			l.report(b)
		})
		// Provinces: the most children (up to 166 after the reorganization)
		// and the events with the most participants.
		b.Run("page-provinces", func(b *testing.B) {
			r := mrand.New(mrand.NewPCG(1, 2))
			var l latencies
			for b.Loop() {
				u, at := f.sample(r, partyworks.KindProvince, partyworks.KindCity)
				l.time(func() { page(u.ID, at) })
			}
			l.report(b)
		})
		// The parts of a page, on the same draws, to see which one costs.
		for _, part := range []struct {
			name string
			fn   func(u *partyworks.Unit, at partyworks.Date) error
		}{
			{"FindUnitByID", func(u *partyworks.Unit, at partyworks.Date) error {
				_, err := f.units.FindUnitByID(ctx, u.ID, at)
				return err
			}},
			{"FindUnits-children", func(u *partyworks.Unit, at partyworks.Date) error {
				_, _, err := f.units.FindUnits(ctx, partyworks.UnitFilter{At: at, ParentID: &u.ID, Limit: 50})
				return err
			}},
			{"Ancestors", func(u *partyworks.Unit, at partyworks.Date) error {
				_, err := f.units.Ancestors(ctx, u, at)
				return err
			}},
			{"FindUnitEvents", func(u *partyworks.Unit, at partyworks.Date) error {
				_, err := f.units.FindUnitEvents(ctx, u.ID)
				return err
			}},
		} {
			b.Run(part.name, func(b *testing.B) {
				r := mrand.New(mrand.NewPCG(1, 2))
				var l latencies
				for b.Loop() {
					u, at := f.sample(r)
					var err error
					l.time(func() { err = part.fn(u, at) })
					if err != nil {
						b.Fatal(err)
					}
				}
				l.report(b)
			})
		}
		// Search by folded name: over the whole tree, as a national user
		// does from the home page, and inside one province's subtree.
		names := make([]string, 0, len(f.after))
		for _, u := range f.after {
			// "Đảng ủy phường Hà Khánh" → "Hà Khánh", as a user types it.
			if parts := strings.Fields(u.Name); u.Kind.Level() == 3 && len(parts) >= 2 {
				names = append(names, strings.Join(parts[len(parts)-2:], " "))
			}
		}
		// Half the queries with diacritics, half without.
		query := func(r *mrand.Rand) string {
			q := names[r.IntN(len(names))]
			if r.IntN(2) == 0 {
				q = vntext.Fold(q)
			}
			return q
		}
		b.Run("search-national", func(b *testing.B) {
			r := mrand.New(mrand.NewPCG(1, 2))
			var l latencies
			for b.Loop() {
				q := query(r)
				at := sampleFrom.AddDate(0, 0, r.IntN(sampleDays))
				l.time(func() {
					if _, _, err := f.units.FindUnits(ctx, partyworks.UnitFilter{At: at, Query: q, Limit: 50}); err != nil {
						b.Fatal(err)
					}
				})
			}
			l.report(b)
		})
		b.Run("search-in-province", func(b *testing.B) {
			r := mrand.New(mrand.NewPCG(1, 2))
			var l latencies
			for b.Loop() {
				p, at := f.sample(r, partyworks.KindProvince, partyworks.KindCity)
				q := query(r)
				l.time(func() {
					if _, _, err := f.units.FindUnits(ctx, partyworks.UnitFilter{At: at, Under: &p.ID, Query: q, Limit: 50}); err != nil {
						b.Fatal(err)
					}
				})
			}
			l.report(b)
		})
		// A whole province's subtree on a day, counted and first page.
		b.Run("subtree-province", func(b *testing.B) {
			r := mrand.New(mrand.NewPCG(1, 2))
			var l latencies
			for b.Loop() {
				p, at := f.sample(r, partyworks.KindProvince, partyworks.KindCity)
				l.time(func() {
					if _, _, err := f.units.FindUnits(ctx, partyworks.UnitFilter{At: at, Under: &p.ID, Limit: 50}); err != nil {
						b.Fatal(err)
					}
				})
			}
			l.report(b)
		})
	})
}

// cellsPerCommune grows the national tree to the size of a real
// deployment: five party cells under every commune make 61,041 units.
const cellsPerCommune = 5

// nationalRows60k is the national tree with cellsPerCommune cells under
// every commune-level unit.
func nationalRows60k(b *testing.B) []partyworks.UnitRow {
	data, err := os.ReadFile("../demo/data/units-2025-03.csv")
	if err != nil {
		b.Fatal(err)
	}
	tab, err := sheet.Read(bytes.NewReader(data), "units-2025-03.csv")
	if err != nil {
		b.Fatal(err)
	}
	rows, err := partyworks.UnitRowsFromTable(tab)
	if err != nil {
		b.Fatal(err)
	}
	line := len(rows) + 2
	for _, r := range rows[:len(rows):len(rows)] {
		if r.Kind.Level() != 3 {
			continue
		}
		for i := 1; i <= cellsPerCommune; i++ {
			rows = append(rows, partyworks.UnitRow{Line: line, Code: fmt.Sprintf("%s.%d", r.Code, i),
				Name: fmt.Sprintf("Chi bộ thôn %d", i), Kind: partyworks.KindCell, ParentCode: r.Code})
			line++
		}
	}
	return rows
}

// BenchmarkNational60k checks what the figures become at the size of a
// real deployment (61,041 units: the national tree and five cells under
// every commune): the import, the July 2025 reorganization (the cells of
// merged communes follow them), and the store calls of a unit page.
func BenchmarkNational60k(b *testing.B) {
	eachBackend(b, func(b *testing.B, be benchBackend) {
		ctx := context.Background()
		rows := nationalRows60k(b)
		plan := &partyworks.Plan{Effective: reorgDay, Decision: "60-NQ/TW", Rows: readPlan(b)}
		b.Run("import", func(b *testing.B) {
			var cpu time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				db, done := be.open(b)
				b.StartTimer()
				cpu0 := cpuTime()
				res, err := sqldb.NewUnitService(db).ImportUnits(ctx, partyworks.UnitImport{Rows: rows, Effective: day("2020-01-01")})
				cpu += cpuTime() - cpu0
				b.StopTimer()
				if err != nil || res.Created != len(rows) {
					b.Fatalf("%+v %v", res, err)
				}
				done()
				b.StartTimer()
			}
			b.ReportMetric(float64(len(rows)*b.N)/b.Elapsed().Seconds(), "units/s")
			b.ReportMetric(cpuMS(cpu, b.N), "cpu-ms/op")
		})
		load := func() (*sqldb.DB, *sqldb.UnitService, func()) {
			db, done := be.open(b)
			units := sqldb.NewUnitService(db)
			if _, err := units.ImportUnits(ctx, partyworks.UnitImport{Rows: rows, Effective: day("2020-01-01")}); err != nil {
				b.Fatal(err)
			}
			return db, units, done
		}
		b.Run("restructure", func(b *testing.B) {
			var cpu time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				_, units, done := load()
				b.StartTimer()
				cpu0 := cpuTime()
				_, err := units.ApplyRestructure(ctx, plan)
				cpu += cpuTime() - cpu0
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				done()
				b.StartTimer()
			}
			b.ReportMetric(cpuMS(cpu, b.N), "cpu-ms/op")
		})
		db, units, done := load()
		defer done()
		if _, err := units.ApplyRestructure(ctx, plan); err != nil {
			b.Fatal(err)
		}
		if db.Postgres() {
			if err := db.ExecRaw(ctx, "ANALYZE"); err != nil {
				b.Fatal(err)
			}
		}
		f := &nationalFixture{db: db, units: units, before: allUnits(b, units, day("2024-01-01")), after: allUnits(b, units, reorgDay)}
		b.Logf("%d units before the reorganization, %d after", len(f.before), len(f.after))
		b.Run("page", func(b *testing.B) {
			r := mrand.New(mrand.NewPCG(1, 2))
			var l latencies
			for b.Loop() {
				u, at := f.sample(r)
				l.time(func() {
					v, err := units.FindUnitByID(ctx, u.ID, at)
					if err != nil {
						b.Fatal(err)
					}
					if _, _, err := units.FindUnits(ctx, partyworks.UnitFilter{At: at, ParentID: &v.ID, Limit: 50}); err != nil {
						b.Fatal(err)
					}
					if _, err := units.Ancestors(ctx, v, at); err != nil {
						b.Fatal(err)
					}
					if _, err := units.FindUnitEvents(ctx, v.ID); err != nil {
						b.Fatal(err)
					}
				})
			}
			l.report(b)
		})
		b.Run("search-national", func(b *testing.B) {
			r := mrand.New(mrand.NewPCG(1, 2))
			var l latencies
			for b.Loop() {
				u, at := f.sample(r, partyworks.KindCommune, partyworks.KindWard)
				parts := strings.Fields(u.Name)
				q := vntext.Fold(strings.Join(parts[len(parts)-2:], " "))
				l.time(func() {
					if _, _, err := units.FindUnits(ctx, partyworks.UnitFilter{At: at, Query: q, Limit: 50}); err != nil {
						b.Fatal(err)
					}
				})
			}
			l.report(b)
		})
	})
}
