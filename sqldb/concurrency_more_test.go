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

// nodes returns db and, on PostgreSQL, a second app node on the same
// database, so that concurrent editors also race across nodes.
func nodes(t *testing.T, db *sqldb.DB) []*sqldb.DB {
	t.Helper()
	out := []*sqldb.DB{db}
	if db.Postgres() {
		other, err := sqldb.Open(context.Background(), db.DSN)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { other.Close() })
		other.Now = db.Now
		out = append(out, other)
	}
	return out
}

// race runs n editors at once and counts winners and conflicts; any other
// error fails the test.
func race(t *testing.T, n int, edit func(i int) error) (won, conflicts int) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			err := edit(i)
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
	return won, conflicts
}

// TestConcurrentMemberEdits: many editors change the same member
// record, each with the version they read.
// One wins per round, the others get a conflict, and the record's version
// and history count exactly the winning writes.
func TestConcurrentMemberEdits(t *testing.T) {
	const editors, rounds = 16, 3
	ctx := context.Background()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		t.Run("member", func(t *testing.T) {
			f := newMemberFixture(t, db)
			m := f.add(t, "Nguyễn Văn An", partyworks.Male, "1980-05-01", "C1", partyworks.StatusOfficial)
			services := []*sqldb.MemberService{}
			for _, n := range nodes(t, db) {
				services = append(services, sqldb.NewMemberService(n))
			}
			total := 0
			for round := 0; round < rounds; round++ {
				cur, err := f.members.FindMemberByID(ctx, m.ID)
				if err != nil {
					t.Fatal(err)
				}
				won, conflicts := race(t, editors, func(i int) error {
					edit := *cur
					edit.Occupation = fmt.Sprintf("nghề %d-%d", round, i)
					return services[i%len(services)].UpdateMember(ctx, &edit)
				})
				if won != 1 || conflicts != editors-1 {
					t.Errorf("round %d: %d won, %d conflicts", round, won, conflicts)
				}
				total += won
			}
			end, _ := f.members.FindMemberByID(ctx, m.ID)
			if end.Version != m.Version+int64(total) {
				t.Errorf("version %d after %d winning edits from %d", end.Version, total, m.Version)
			}
		})
	})
}

// TestConcurrentTaskReports: the same for progress reports on one task.
func TestConcurrentTaskReports(t *testing.T) {
	const editors, rounds = 16, 3
	ctx := context.Background()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		t.Run("task", func(t *testing.T) {
			_, tasks, ids := taskTree(t, db)
			setToday(db, "2025-01-15")
			d := &partyworks.Directive{OwnerID: ids["P"], Symbol: "77-KH/TU", Title: "Đại hội", Issued: day("2024-06-20")}
			if err := tasks.CreateDirective(ctx, d); err != nil {
				t.Fatal(err)
			}
			if _, err := tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: d.ID, Title: "Đại hội", Units: []int64{ids["C1"]}, Start: day("2025-01-10"), Deadline: day("2025-06-30")}); err != nil {
				t.Fatal(err)
			}
			services := []*sqldb.TaskService{}
			for _, n := range nodes(t, db) {
				services = append(services, sqldb.NewTaskService(n, t.TempDir()))
			}
			for round := 0; round < rounds; round++ {
				cur := onlyTask(t, tasks, ids["C1"])
				won, conflicts := race(t, editors, func(i int) error {
					p := 10*round + i%10
					_, err := services[i%len(services)].ReportProgress(ctx, partyworks.ProgressReport{TaskID: cur.ID, Version: cur.Version, Progress: &p})
					return err
				})
				if won != 1 || conflicts != editors-1 {
					t.Errorf("round %d: %d won, %d conflicts", round, won, conflicts)
				}
			}
		})
	})
}
