package sqldb

import (
	"fmt"
	"strings"
)

// rekeyChunk is how many members one UPDATE of rekeyMembers rewrites.
const rekeyChunk = 500

// rekeyMembers rewrites every member's sort key (migration 0024: the keys
// written before were the collation's whole key) and builds again the
// indexes that carry it, which the migration's SQL dropped. Members are
// read a page at a time by id and rewritten rekeyChunk to an UPDATE.
func rekeyMembers(tx *Tx) error {
	keys := newSortKeys()
	row := "(CAST(? AS BIGINT), ?)"
	for after := int64(0); ; {
		rows, err := tx.Query(`SELECT id, full_name FROM members WHERE id > ? ORDER BY id LIMIT 20000`, after)
		if err != nil {
			return err
		}
		type member struct {
			id   int64
			name string
		}
		page, err := collect(rows, func(s scanner) (member, error) {
			var m member
			err := s.Scan(&m.id, &m.name)
			return m, err
		})
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		for start := 0; start < len(page); start += rekeyChunk {
			part := page[start:min(start+rekeyChunk, len(page))]
			args := make([]any, 0, 2*len(part))
			for _, m := range part {
				args = append(args, m.id, keys.key(m.name))
			}
			q := `UPDATE members SET sort_key = v.column2 FROM (VALUES ` + strings.Repeat(row+", ", len(part)-1) + row + `) AS v WHERE members.id = v.column1`
			if _, err := tx.Exec(q, args...); err != nil {
				return fmt.Errorf("rekey members: %w", err)
			}
		}
		after = page[len(page)-1].id
	}
	for _, ix := range memberIndexSQL {
		cols := ix[1]
		if tx.db.Postgres() && ix[2] != "" {
			cols = ix[2]
		}
		if strings.Contains(cols, "sort_key") {
			if _, err := tx.Exec("CREATE INDEX IF NOT EXISTS " + ix[0] + " ON " + cols); err != nil {
				return fmt.Errorf("rekey members: %w", err)
			}
		}
	}
	return nil
}
