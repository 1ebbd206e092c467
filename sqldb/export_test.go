package sqldb

import (
	"context"
	"database/sql"
	"strings"

	"partyworks"
)

// SetNamePlan forces the plan of s's name searches: "index", "walk",
// "merge", "subtree" ("" chooses by cost).
func SetNamePlan(s *MemberService, plan string) { s.plan = plan }

// SetPendingCap sets how many later unit versions a province's search
// checks (pendingCap) and returns a function that restores it.
func SetPendingCap(n int) func() {
	old := pendingCap
	pendingCap = n
	return func() { pendingCap = old }
}

// Remigrate runs migration version's SQL and Go step again, in one
// transaction, on data a test wrote as an older version would have.
func Remigrate(ctx context.Context, db *DB, version string) error {
	if pre := preMigrations[version]; pre != nil && !db.Postgres() {
		if err := pre(ctx, db); err != nil {
			return err
		}
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := db.runMigration(ctx, tx, version); err != nil {
		return err
	}
	return tx.Commit()
}

// SearchTokens are the search tokens of normalized document text.
func SearchTokens(norm string) string { return strings.Join(tokens(norm), " ") }

// QueryRowRaw runs a one-row read on db.
func QueryRowRaw(ctx context.Context, db *DB, q string, args ...any) *sql.Row {
	return db.queryRow(ctx, q, args...)
}

// TopOf reads a unit's root as a member's writer does (topsOf).
func TopOf(tx *Tx, unit int64) (int64, error) { return tx.topOf(unit) }

// SQLiteConfigured is what sqlite3_config said at start, and
// SQLiteMemoryUsed SQLite's count of its memory (0 with statistics off).
var (
	SQLiteConfigured = func() int { return sqliteConfigured }
	SQLiteMemoryUsed = sqliteMemoryUsed
)

// FollowFoldsHeld runs followFolds(units) in a write transaction under the
// tree's shared lock, calls held before committing.
func FollowFoldsHeld(ctx context.Context, db *DB, units []int64, held func()) error {
	tx, err := db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.lockTreeShared(); err != nil {
		return err
	}
	if _, err := tx.followFolds(units); err != nil {
		return err
	}
	if held != nil {
		held()
	}
	return tx.Commit()
}

// AssignHeld runs Assign's transaction and calls held before committing.
func AssignHeld(ctx context.Context, db *DB, a partyworks.TaskAssign, held func()) (int, error) {
	tx, err := db.BeginTx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	n, err := tx.assign(&a)
	if err != nil {
		return 0, err
	}
	if held != nil {
		held()
	}
	return n, tx.Commit()
}

// HandOverHeld runs the hourly hand-over in a write transaction and calls
// held before committing.
func HandOverHeld(ctx context.Context, db *DB, held func()) (int, error) {
	tx, err := db.BeginTx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	n, err := tx.handOverDue()
	if err != nil {
		return 0, err
	}
	if held != nil {
		held()
	}
	return n, tx.Commit()
}

// NoRetries makes the jobs' transactions fail on a deadlock instead of
// running again (updateRetrying), so that a test sees the deadlock.
func NoRetries(db *DB) { db.tries = 1 }

// MemberHistoryRaw lists a member's history rows (unit, from, to).
func MemberHistoryRaw(ctx context.Context, db *DB, member int64) ([][3]string, error) {
	rows, err := db.write.QueryContext(ctx, db.rebind(`SELECT CAST(unit_id AS TEXT), valid_from, valid_to FROM member_history WHERE member_id = ? ORDER BY valid_from, valid_to`), member)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][3]string
	for rows.Next() {
		var r [3]string
		if err := rows.Scan(&r[0], &r[1], &r[2]); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// LockTreeHeld takes the tree's lock exclusive in a write transaction,
// calls held, and rolls back.
func LockTreeHeld(ctx context.Context, db *DB, held func()) error {
	tx, err := db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.lockTree(); err != nil {
		return err
	}
	if held != nil {
		held()
	}
	return nil
}
