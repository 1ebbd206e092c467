package sqldb_test

// Benchmarks for the figures of issue 4 (docs/PERFORMANCE.md, "Directives
// and tasks"). Run them one at a time, e.g.
//
//	go test -run '^$' -bench BenchmarkTaskCascade -benchtime 3x ./sqldb
//	go test -run '^$' -bench 'BenchmarkTaskRollup|BenchmarkTaskDue' -benchtime 200x ./sqldb

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"testing"
	"time"

	"partyworks"
	"partyworks/sqldb"
)

// taskFixture is the national tree of March 2025 with generated grassroots
// organizations below its communes, to reach the ~55,000 commune-level
// committees and grassroots organizations of the country.
type taskFixture struct {
	db       *sqldb.DB
	units    *sqldb.UnitService
	tasks    *sqldb.TaskService
	root     []*partyworks.Unit // provinces
	all      []*partyworks.Unit // every unit, to draw subtrees from
	communes []*partyworks.Unit
	targets  int // communes + grassroots
	dir      *partyworks.Directive
}

var cascadeKinds = []partyworks.UnitKind{partyworks.KindCommune, partyworks.KindWard, partyworks.KindTownship, partyworks.KindGrassroots}

func loadTaskFixture(b *testing.B, be benchBackend) (*taskFixture, func()) {
	b.Helper()
	ctx := context.Background()
	db, done := be.open(b)
	db.Now = func() time.Time { return day("2025-03-01").Add(5 * time.Hour) }
	f := &taskFixture{db: db, units: sqldb.NewUnitService(db)}
	f.tasks = sqldb.NewTaskService(db, b.TempDir())
	importNational(b, f.units)
	all := allUnits(b, f.units, day("2025-03-01"))
	var rows []partyworks.UnitRow
	for i, u := range all {
		switch u.Kind {
		case partyworks.KindCommune, partyworks.KindWard, partyworks.KindTownship:
			f.communes = append(f.communes, u)
			n := 4
			if i%10 < 4 {
				n = 5
			}
			for j := 1; j <= n; j++ {
				rows = append(rows, partyworks.UnitRow{Line: len(rows) + 2, Code: fmt.Sprintf("%s.G%d", u.Code, j),
					Name: fmt.Sprintf("Đảng bộ cơ sở %d %s", j, u.Name), Kind: partyworks.KindGrassroots, ParentCode: u.Code})
			}
		case partyworks.KindProvince, partyworks.KindCity:
			f.root = append(f.root, u)
		}
	}
	if _, err := f.units.ImportUnits(ctx, partyworks.UnitImport{Rows: rows, Effective: day("2021-01-01")}); err != nil {
		b.Fatal(err)
	}
	f.targets = len(f.communes) + len(rows)
	f.all = allUnits(b, f.units, day("2025-03-01"))
	return f, done
}

// directive registers a directive owned by the first root (a cascade
// reaches inside its owner's subtree only, so the national cascade is
// given by a national root unit).
func (f *taskFixture) directive(b *testing.B, owner int64) *partyworks.Directive {
	d := &partyworks.Directive{OwnerID: owner, Symbol: "35-CT/TW", Title: "Đại hội đảng bộ các cấp", Issued: day("2024-06-14"), Rule: partyworks.RuleWeighted}
	d.Symbol = fmt.Sprintf("%d-CT/TW", mrand.IntN(1_000_000)+1)
	if err := f.tasks.CreateDirective(context.Background(), d); err != nil {
		b.Fatal(err)
	}
	return d
}

// national adds a root above the provinces so that one unit holds the
// whole country, as the Central Committee does.
func (f *taskFixture) national(b *testing.B) *partyworks.Unit {
	ctx := context.Background()
	if _, err := f.units.ImportUnits(ctx, partyworks.UnitImport{Effective: day("2021-01-01"),
		Rows: []partyworks.UnitRow{{Line: 2, Code: "TW", Name: "Ban Chấp hành Trung ương", Kind: partyworks.KindCentral}}}); err != nil {
		b.Fatal(err)
	}
	tw := mustCode(b, f.units, "TW", "2025-03-01")
	for _, p := range f.root {
		if _, err := f.units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventReparent, Effective: day("2021-01-01"), Decision: "1-QĐ/TW", Unit: p.ID, Parent: tw.ID}); err != nil {
			b.Fatal(err)
		}
	}
	return tw
}

// BenchmarkTaskCascade gives one task to every commune-level committee
// and grassroots organization of the country (~55,000 units) in one
// transaction. Target (SQLite): under 2 s.
func BenchmarkTaskCascade(b *testing.B) {
	eachBackend(b, func(b *testing.B, be benchBackend) {
		f, done := loadTaskFixture(b, be)
		defer done()
		tw := f.national(b)
		ctx := context.Background()
		var lat latencies
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			d := f.directive(b, tw.ID)
			b.StartTimer()
			var n int
			lat.time(func() {
				var err error
				n, err = f.tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: d.ID, Under: tw.ID, Kinds: cascadeKinds, At: day("2025-03-01"),
					Title: "Tổ chức đại hội nhiệm kỳ 2025–2030", Start: day("2025-03-01"), Deadline: day("2025-06-30")})
				if err != nil {
					b.Fatal(err)
				}
			})
			if n != f.targets || n < 50_000 {
				b.Fatalf("cascaded to %d units, want %d", n, f.targets)
			}
		}
		b.ReportMetric(float64(f.targets), "units")
		lat.report(b)
	})
}

// rollupFixture: one directive with ~108,000 top-level tasks (two
// cascades to every commune and grassroots unit), with varied progress.
func rollupFixture(b *testing.B, be benchBackend) (*taskFixture, func()) {
	f, done := loadTaskFixture(b, be)
	tw := f.national(b)
	ctx := context.Background()
	f.dir = f.directive(b, tw.ID)
	for i, dl := range []string{"2025-02-15", "2025-04-30"} {
		if _, err := f.tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: f.dir.ID, Under: tw.ID, Kinds: cascadeKinds, At: day("2025-03-01"),
			Title: fmt.Sprintf("Nhiệm vụ %d", i+1), Start: day("2025-01-01"), Deadline: day(dl), Weight: i + 1}); err != nil {
			b.Fatal(err)
		}
	}
	// Progress: 60% done (some late), the rest spread over 0–99%.
	if err := f.db.ExecRaw(ctx, `UPDATE tasks SET progress = CASE WHEN id % 10 < 6 THEN 100 ELSE (id * 37) % 100 END,
		done_on = CASE WHEN id % 10 < 5 THEN deadline WHEN id % 10 = 5 THEN '2025-05-20' ELSE NULL END,
		review = CASE WHEN id % 10 < 3 THEN 'accepted' ELSE '' END`); err != nil {
		b.Fatal(err)
	}
	// The update above bypassed the store: recompute the counters.
	if err := f.tasks.RebuildTaskCounts(ctx); err != nil {
		b.Fatal(err)
	}
	if err := f.db.ExecRaw(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	// The first roll-up syncs the paths after the national root was added.
	r, err := f.tasks.Rollup(ctx, f.dir.ID, tw.ID, false)
	if err != nil {
		b.Fatal(err)
	}
	if r.Counts.Tasks != 2*f.targets || r.Counts.Tasks < 100_000 {
		b.Fatalf("%d tasks", r.Counts.Tasks)
	}
	f.all = append(f.all, tw)
	return f, done
}

// BenchmarkTaskRollup computes the directive's roll-up over random
// subtrees: the whole country, provinces, districts, communes. Target:
// p99 under 50 ms. "children" adds the breakdown by the units just below
// (the directive page).
func BenchmarkTaskRollup(b *testing.B) {
	eachBackend(b, func(b *testing.B, be benchBackend) {
		f, done := rollupFixture(b, be)
		defer done()
		ctx := context.Background()
		tw := f.all[len(f.all)-1]
		for _, children := range []bool{false, true} {
			name := "headline"
			if children {
				name = "with-children"
			}
			b.Run(name, func(b *testing.B) {
				r := mrand.New(mrand.NewPCG(4, 4))
				var lat latencies
				for i := 0; i < b.N; i++ {
					u := f.all[r.IntN(len(f.all))]
					if i%10 == 0 {
						u = tw // one in ten: the whole country
					} else if i%10 == 1 {
						u = f.root[r.IntN(len(f.root))]
					}
					lat.time(func() {
						if _, err := f.tasks.Rollup(ctx, f.dir.ID, u.ID, children); err != nil {
							b.Fatal(err)
						}
					})
				}
				lat.report(b)
			})
		}
	})
}

// BenchmarkTaskDue lists what a unit's subtree has to do in the next 30
// days (the "what needs doing" page's task source) for random units;
// one in ten is a province. Target: p99 under 20 ms.
func BenchmarkTaskDue(b *testing.B) {
	eachBackend(b, func(b *testing.B, be benchBackend) {
		f, done := rollupFixture(b, be)
		defer done()
		ctx := context.Background()
		r := mrand.New(mrand.NewPCG(5, 5))
		until := day("2025-03-31")
		var lat latencies
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			u := f.all[r.IntN(len(f.all))]
			if i%10 == 0 {
				u = f.root[r.IntN(len(f.root))]
			}
			lat.time(func() {
				if _, err := f.tasks.FindDue(ctx, u.ID, until); err != nil {
					b.Fatal(err)
				}
			})
		}
		lat.report(b)
	})
}
