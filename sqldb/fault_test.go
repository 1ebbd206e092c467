package sqldb_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/mattn/go-sqlite3"

	"partyworks"
	"partyworks/sqldb"
)

// Fault injection: the Nth database operation (begin, prepare, exec,
// query, commit) fails, for every N from 1 to the end of a representative
// operation. Each time an error must come back, nothing may panic, and the
// database must be exactly as it was before: nothing half-written.

var errInjected = errors.New("injected fault")

// faults counts operations and fails the one numbered failAt (0: none).
type faults struct {
	ops, failAt atomic.Int64
	failed      atomic.Value // the statement the fault hit
}

func (f *faults) step(what ...string) error {
	if n := f.ops.Add(1); n == f.failAt.Load() {
		f.failed.Store(fmt.Sprint(what))
		return errInjected
	}
	return nil
}

var injector = &faults{}

func init() { sql.Register("sqlite3-faults", faultDriver{}) }

type faultDriver struct{}

func (faultDriver) Open(dsn string) (driver.Conn, error) {
	c, err := (&sqlite3.SQLiteDriver{}).Open(dsn)
	if err != nil {
		return nil, err
	}
	return &faultConn{c.(*sqlite3.SQLiteConn)}, nil
}

type faultConn struct{ *sqlite3.SQLiteConn }

func (c *faultConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := injector.step(); err != nil {
		return nil, err
	}
	tx, err := c.SQLiteConn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return faultTx{tx}, nil
}

func (c *faultConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	if err := injector.step(q); err != nil {
		return nil, err
	}
	st, err := c.SQLiteConn.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	return &faultStmt{st.(*sqlite3.SQLiteStmt)}, nil
}

func (c *faultConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	if err := injector.step(q); err != nil {
		return nil, err
	}
	return c.SQLiteConn.ExecContext(ctx, q, args)
}

func (c *faultConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	if err := injector.step(q); err != nil {
		return nil, err
	}
	return c.SQLiteConn.QueryContext(ctx, q, args)
}

type faultTx struct{ driver.Tx }

func (t faultTx) Commit() error {
	if err := injector.step(); err != nil {
		t.Tx.Rollback()
		return err
	}
	return t.Tx.Commit()
}

type faultStmt struct{ *sqlite3.SQLiteStmt }

func (s *faultStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if err := injector.step(); err != nil {
		return nil, err
	}
	return s.SQLiteStmt.ExecContext(ctx, args)
}

func (s *faultStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if err := injector.step(); err != nil {
		return nil, err
	}
	return s.SQLiteStmt.QueryContext(ctx, args)
}

// fingerprint hashes every row of every table.
func fingerprint(t *testing.T, path string) string {
	t.Helper()
	conn, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tables, err := conn.Query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		tables.Scan(&n)
		names = append(names, n)
	}
	tables.Close()
	h := sha256.New()
	for _, n := range names {
		rows, err := conn.Query(`SELECT * FROM "` + n + `" ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			fmt.Fprintf(h, "%s%v\n", n, vals)
		}
		rows.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestFaultAtEveryStep(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	base := filepath.Join(dir, "base.db")
	{
		db, err := sqldb.Open(ctx, base)
		if err != nil {
			t.Fatal(err)
		}
		units := sqldb.NewUnitService(db)
		mustImport(t, units, "2020-01-01",
			[4]string{"22", "Tỉnh ủy Quảng Ninh", "province", ""},
			[4]string{"193", "Thành ủy Hạ Long", "provincial_city", "22"},
			[4]string{"06661", "Đảng ủy phường Hà Khánh", "ward", "193"},
			[4]string{"06664", "Đảng ủy phường Hà Phong", "ward", "193"},
			[4]string{"CB1", "Chi bộ khu 1", "cell", "06664"},
			[4]string{"CB2", "Chi bộ khu 2", "cell", "06664"},
		)
		db.Close()
	}
	type op func(ctx context.Context, db *sqldb.DB) error
	ops := map[string]op{
		"merge": func(ctx context.Context, db *sqldb.DB) error {
			units := sqldb.NewUnitService(db)
			hk, err := units.FindUnitByCode(ctx, "06661", day("2021-01-01"))
			if err != nil {
				return err
			}
			hp, err := units.FindUnitByCode(ctx, "06664", day("2021-01-01"))
			if err != nil {
				return err
			}
			_, err = units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2025-07-01"), Decision: "1-QĐ/TU", Unit: hk.ID, Sources: []int64{hp.ID}})
			return err
		},
		"import": func(ctx context.Context, db *sqldb.DB) error {
			_, err := sqldb.NewUnitService(db).ImportUnits(ctx, partyworks.UnitImport{Effective: day("2021-01-01"), Rows: []partyworks.UnitRow{
				{Line: 2, Code: "CB3", Name: "Chi bộ 3", Kind: partyworks.KindCell, ParentCode: "06661"},
				{Line: 3, Code: "CB4", Name: "Chi bộ 4", Kind: partyworks.KindCell, ParentCode: "06661"},
			}})
			return err
		},
		"restructure": func(ctx context.Context, db *sqldb.DB) error {
			_, err := sqldb.NewUnitService(db).ApplyRestructure(ctx, &partyworks.Plan{Effective: day("2025-07-01"), Decision: "60-NQ/TW", Rows: []partyworks.PlanRow{
				{Line: 2, NewCode: "06661", NewName: "Đảng ủy phường Hà Khánh", NewKind: partyworks.KindWard, NewParentCode: "22", OldCode: "06661"},
				{Line: 3, NewCode: "06661", NewName: "Đảng ủy phường Hà Khánh", NewKind: partyworks.KindWard, NewParentCode: "22", OldCode: "06664", Partial: true},
				{Line: 4, NewCode: "N2", NewName: "Đảng ủy phường Mới", NewKind: partyworks.KindWard, NewParentCode: "22", OldCode: "06664", Partial: true},
			}})
			return err
		},
		"create user": func(ctx context.Context, db *sqldb.DB) error {
			return sqldb.NewUserService(db).CreateUser(ctx, &partyworks.User{Username: "lan"}, "a long enough secret")
		},
	}
	want := fingerprint(t, base)
	injected := 0
	for name, run := range ops {
		t.Run(name, func(t *testing.T) {
			// Count the operation's steps once, faults off.
			path := filepath.Join(dir, name+".db")
			copyDB(t, base, path)
			db, err := sqldb.OpenWith(ctx, path, sqldb.Options{SQLiteDriver: "sqlite3-faults"})
			if err != nil {
				t.Fatal(err)
			}
			injector.failAt.Store(0)
			start := injector.ops.Load()
			if err := run(ctx, db); err != nil {
				t.Fatal(err)
			}
			steps := injector.ops.Load() - start
			db.Close()
			for n := int64(1); n <= steps; n++ {
				copyDB(t, base, path)
				db, err := sqldb.OpenWith(ctx, path, sqldb.Options{SQLiteDriver: "sqlite3-faults"})
				if err != nil {
					t.Fatal(err)
				}
				injector.failAt.Store(injector.ops.Load() + n)
				err = run(ctx, db)
				injector.failAt.Store(0)
				db.Close()
				if err == nil {
					t.Errorf("a fault at step %d/%d went unreported: %v", n, steps, injector.failed.Load())
					continue
				}
				injected++
				if got := fingerprint(t, path); got != want {
					t.Errorf("a fault at step %d/%d left the database changed: %v", n, steps, err)
				}
			}
			t.Logf("%s: %d steps, a fault injected at each", name, steps)
		})
	}
	t.Logf("%d faults injected", injected)
}

func copyDB(t *testing.T, from, to string) {
	t.Helper()
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(to + suffix)
	}
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
