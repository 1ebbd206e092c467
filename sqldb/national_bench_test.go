package sqldb_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/vntext"
)

// BenchmarkNational measures the member reads on a national database made
// by "partyworks demo --scale national" (5.6 million members over some
// 70,000 units): PARTYWORKS_BENCH_DB names it (a SQLite file or a
// postgres:// URL); without it the benchmark is skipped. Each read is at a
// random day since the reorganization; latencies are reported as p50 and
// p99 in ms. Targets: statistics p99 < 20 ms (country, province, commune,
// cell), name search p99 < 100 ms, member record p99 < 20 ms.
func BenchmarkNational(b *testing.B) {
	dsn := os.Getenv("PARTYWORKS_BENCH_DB")
	if dsn == "" {
		b.Skip("PARTYWORKS_BENCH_DB is not set: make one with partyworks demo --scale national")
	}
	ctx := context.Background()
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	units, members := sqldb.NewUnitService(db), sqldb.NewMemberService(db)
	today := partyworks.Today(time.Now())
	byKind := func(kinds ...partyworks.UnitKind) []*partyworks.Unit { return allUnits(b, units, today, kinds...) }
	provinces := byKind(partyworks.KindProvince, partyworks.KindCity)
	communes := byKind(partyworks.KindCommune, partyworks.KindWard, partyworks.KindSpecialZone)
	cells := byKind(partyworks.KindCell)
	b.Logf("%d provinces, %d communes, %d cells", len(provinces), len(communes), len(cells))
	from := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	days := int(today.Sub(from).Hours()/24) + 1
	r := rand.New(rand.NewPCG(1, 2))
	randomDay := func() partyworks.Date { return from.AddDate(0, 0, r.IntN(days)) }
	measure := func(b *testing.B, fn func() error) {
		var l latencies
		for b.Loop() {
			l.time(func() {
				if err := fn(); err != nil {
					b.Fatal(err)
				}
			})
		}
		l.report(b)
	}
	stats := func(pick func() int64) func(b *testing.B) {
		return func(b *testing.B) {
			n := 0
			measure(b, func() error {
				st, err := members.MemberStats(ctx, pick(), randomDay())
				n += st.Total()
				return err
			})
			if n == 0 {
				b.Fatal("nobody counted")
			}
		}
	}
	pick := func(us []*partyworks.Unit) func() int64 { return func() int64 { return us[r.IntN(len(us))].ID } }
	b.Run("stats/country", stats(func() int64 { return 0 }))
	b.Run("stats/province", stats(pick(provinces)))
	b.Run("stats/commune", stats(pick(communes)))
	b.Run("stats/cell", stats(pick(cells)))

	// Names searched: a family name, a given name, a whole name (with or
	// without diacritics), as a user types them.
	// Names of 500 members drawn at random across the country (given
	// names from A to Y: a walk in sort order costs more the later the
	// name).
	var names []string
	var ids []int64
	var sample []*partyworks.Member
	for len(sample) < 500 {
		m, err := members.FindMemberByID(ctx, 1+r.Int64N(5_600_000))
		if err == nil {
			sample = append(sample, m)
		}
	}
	for _, m := range sample {
		parts := strings.Fields(m.FullName)
		names = append(names, m.FullName, vntext.Fold(m.FullName), parts[0], parts[len(parts)-1], vntext.Fold(parts[0]+" "+parts[1]))
		ids = append(ids, m.ID)
	}
	// search searches names across the country or a subtree, half of them
	// on a past day (of today only, when today is true: the load test's
	// searches, which a province's own walk serves).
	search := func(within func() int64, today bool) func(b *testing.B) {
		return func(b *testing.B) {
			found := 0
			var slowest time.Duration
			var slowQ string
			measure(b, func() error {
				f := partyworks.MemberFilter{Query: names[r.IntN(len(names))], Limit: 50}
				if r.IntN(2) == 0 && !today {
					f.At = randomDay()
				}
				if within != nil {
					f.Under = within()
				}
				start := time.Now()
				ms, _, err := members.FindMembers(ctx, f)
				if d := time.Since(start); d > slowest {
					slowest, slowQ = d, fmt.Sprintf("%q at %s under %d", f.Query, partyworks.FormatDate(f.At), f.Under)
				}
				found += len(ms)
				return err
			})
			b.Logf("slowest: %v %s", slowest, slowQ)
			if found == 0 {
				b.Fatal("nothing found")
			}
		}
	}
	// Lists as the members page shows them: today, no name, 50 a page,
	// the list's columns (Brief).
	list := func(pick func() int64) func(b *testing.B) {
		return func(b *testing.B) {
			found := 0
			measure(b, func() error {
				ms, _, err := members.FindMembers(ctx, partyworks.MemberFilter{Under: pick(), Limit: 50, Brief: true})
				found += len(ms)
				return err
			})
			if found == 0 {
				b.Fatal("nothing listed")
			}
		}
	}
	b.Run("list/province", list(pick(provinces)))
	b.Run("list/commune", list(pick(communes)))
	b.Run("list/cell", list(pick(cells)))
	b.Run("search/country", search(nil, false))
	b.Run("search/province", search(pick(provinces), false))
	b.Run("search/province-today", search(pick(provinces), true))
	b.Run("member", func(b *testing.B) {
		// Members across the country: the ids run 1..N.
		var maxID int64
		for _, id := range ids {
			maxID = max(maxID, id)
		}
		st, _ := members.MemberStats(ctx, 0, today)
		n := int64(st.Total())
		measure(b, func() error {
			id := 1 + r.Int64N(max(n, maxID))
			_, err := members.FindMemberByID(ctx, id)
			if partyworks.ErrorCode(err) == partyworks.ENOTFOUND {
				return nil
			}
			if err != nil {
				return err
			}
			// What the member page reads besides the record.
			if _, err := members.FindSteps(ctx, id); err != nil {
				return err
			}
			if _, err := members.Gaps(ctx, id); err != nil {
				return err
			}
			_, err = members.UnitPaths(ctx, id, today)
			return err
		})
	})
}
