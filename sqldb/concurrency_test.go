package sqldb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

// TestConcurrentEditsLoseNothing sends many conflicting renames of one unit
// at once, each with the version its editor read. Exactly the edits made
// against the current version win; every other one gets a conflict; no
// write is lost or doubled; and on PostgreSQL two app nodes (two pools)
// share the work.
func TestConcurrentEditsLoseNothing(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		nodes := []*sqldb.UnitService{sqldb.NewUnitService(db)}
		if db.Postgres() {
			other, err := sqldb.Open(ctx, db.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			nodes = append(nodes, sqldb.NewUnitService(other))
		}
		units := nodes[0]
		mustImport(t, units, "2020-01-01", [4]string{"22", "Tỉnh ủy Quảng Ninh", "province", ""}, [4]string{"193", "Thành ủy Hạ Long", "provincial_city", "22"})
		hl := mustCode(t, units, "193", "2021-01-01")
		const editors, rounds = 20, 5
		var mu sync.Mutex
		won, conflicts := 0, 0
		for round := 0; round < rounds; round++ {
			u, err := units.FindUnitByID(ctx, hl.ID, partyworks.Date{})
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for i := 0; i < editors; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					_, err := nodes[i%len(nodes)].ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventRename,
						Effective: day("2021-01-01").AddDate(0, round, 0), Decision: "1-QĐ/TU", Unit: hl.ID,
						Name: fmt.Sprintf("Thành ủy Hạ Long %d-%d", round, i), Version: u.Version})
					mu.Lock()
					defer mu.Unlock()
					switch partyworks.ErrorCode(err) {
					case "":
						won++
					case partyworks.ECONFLICT:
						conflicts++
					default:
						t.Errorf("editor %d: %v", i, err)
					}
				}(i)
			}
			wg.Wait()
		}
		if won != rounds || conflicts != rounds*(editors-1) {
			t.Errorf("%d edits won and %d got a conflict; want %d and %d", won, conflicts, rounds, rounds*(editors-1))
		}
		events, _ := units.FindUnitEvents(ctx, hl.ID)
		renames := 0
		for _, e := range events {
			if e.Type == partyworks.EventRename {
				renames++
			}
		}
		if renames != won {
			t.Errorf("%d renames recorded for %d winning edits", renames, won)
		}
	})
}
