package sqldb

import (
	"context"
	"fmt"
	"strings"
)

// rekeyChunk is how many members one UPDATE of a rekey rewrites on
// PostgreSQL, and rekeyPage how many one page reads (one transaction on
// SQLite).
const (
	rekeyChunk = 500
	rekeyPage  = 20000
)

// rekeyMembers rewrites every member's sort key (migration 0024: the keys
// written before were the collation's whole key) on PostgreSQL, in the
// migration's transaction, without the secondary indexes of members
// (PostgreSQL writes a new version of each row, in every index), which it
// then builds again, all of them (also those a bulk load cut short left
// dropped). On SQLite rekeyMembersInParts has done it, before the
// migration's transaction.
func rekeyMembers(tx *Tx) error {
	if !tx.db.Postgres() {
		return nil
	}
	for _, q := range memberIndexStatements(true, true) {
		if _, err := tx.Exec(q); err != nil {
			return fmt.Errorf("rekey members: %w", err)
		}
	}
	keys := newSortKeys()
	for after, n := int64(0), 1; n > 0; {
		var err error
		if after, n, _, err = tx.rekeyPage(keys, after); err != nil {
			return err
		}
	}
	for _, q := range append(memberIndexStatements(true, false), `ANALYZE members`) {
		if _, err := tx.Exec(q); err != nil {
			return fmt.Errorf("rekey members: %w", err)
		}
	}
	return nil
}

// rekeyMembersInParts is rekeyMembers on SQLite, run before the
// migration's transaction (preMigrations), without the three indexes that
// carry the key, a page of members a transaction (FixSortKeys): one
// transaction of 5.6 million rewritten rows grew a write-ahead log of
// gigabytes, and every page read in it searched the log's index, slower
// as it grew (20 minutes were not enough). Run again, it finds the keys
// rewritten.
func rekeyMembersInParts(ctx context.Context, db *DB) error {
	s := &MemberService{db: db}
	// (SQLite's UPDATE writes only the indexes of the columns it sets.)
	for _, ix := range memberIndexSQL {
		if strings.Contains(ix[1], "sort_key") {
			if err := db.ExecRaw(ctx, "DROP INDEX IF EXISTS "+ix[0]); err != nil {
				return fmt.Errorf("rekey members: %w", err)
			}
		}
	}
	if _, _, err := s.FixSortKeys(ctx); err != nil {
		return err
	}
	return s.memberIndexes(ctx, false)
}

// FixSortKeys rewrites the sort keys that are not SortKey's: every key at
// migration 0024 (rekeyMembersInParts), and later those a node older than
// 0024 wrote after the upgrade (the old form sorts apart from the new). It
// reads the members a page at a time (a transaction each) and reports how
// many it checked and rewrote; run again, it rewrites none.
func (s *MemberService) FixSortKeys(ctx context.Context) (checked, fixed int, err error) {
	keys := newSortKeys()
	for after, n := int64(0), 1; n > 0; {
		var f int
		if err := s.db.update(ctx, func(tx *Tx) (err error) {
			after, n, f, err = tx.rekeyPage(keys, after)
			return err
		}); err != nil {
			return checked, fixed, err
		}
		checked, fixed = checked+n, fixed+f
	}
	return checked, fixed, nil
}

// rekeyPage rewrites the sort keys of the rekeyPage members after id
// after that are not SortKey's, and returns the last id, how many members
// it read and how many keys it rewrote. A member renamed meanwhile keeps
// the key her rename wrote.
func (tx *Tx) rekeyPage(keys *sortKeys, after int64) (last int64, n, fixed int, err error) {
	rows, err := tx.Query(`SELECT id, full_name, sort_key FROM members WHERE id > ? ORDER BY id LIMIT ?`, after, rekeyPage)
	if err != nil {
		return 0, 0, 0, err
	}
	type member struct {
		id        int64
		name, key string
	}
	page, err := collect(rows, func(s scanner) (member, error) {
		var m member
		err := s.Scan(&m.id, &m.name, &m.key)
		return m, err
	})
	if err != nil || len(page) == 0 {
		return after, 0, 0, err
	}
	var stale []member
	for _, m := range page {
		if k := keys.key(m.name); k != m.key {
			stale = append(stale, member{id: m.id, name: m.name, key: k})
		}
	}
	last, n, fixed = page[len(page)-1].id, len(page), len(stale)
	if !tx.db.Postgres() {
		// One statement a member: SQLite, without the indexes that carry
		// the key, planned the UPDATE … FROM below as a scan of the
		// citizen IDs' index for each of its values (0.15 s a statement
		// on the national file).
		st, err := tx.Prepare(`UPDATE members SET sort_key = ? WHERE id = ? AND full_name = ?`)
		if err != nil {
			return 0, 0, 0, err
		}
		defer st.Close()
		for _, m := range stale {
			if _, err := st.Exec(m.key, m.id, m.name); err != nil {
				return 0, 0, 0, fmt.Errorf("rekey members: %w", err)
			}
		}
		return last, n, fixed, nil
	}
	row := "(CAST(? AS BIGINT), ?, ?)"
	for start := 0; start < len(stale); start += rekeyChunk {
		part := stale[start:min(start+rekeyChunk, len(stale))]
		args := make([]any, 0, 3*len(part))
		for _, m := range part {
			args = append(args, m.id, m.key, m.name)
		}
		q := `UPDATE members SET sort_key = v.column2 FROM (VALUES ` + strings.Repeat(row+", ", len(part)-1) + row +
			`) AS v WHERE members.id = v.column1 AND members.full_name = v.column3`
		if _, err := tx.Exec(q, args...); err != nil {
			return 0, 0, 0, fmt.Errorf("rekey members: %w", err)
		}
	}
	return last, n, fixed, nil
}
