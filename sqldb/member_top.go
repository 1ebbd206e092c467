package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
)

// A member's top_id is the root of the tree (the province) under which
// the member's unit stands in its last version: a province-wide name
// search walks that province's members in sort order (members_top)
// instead of the country's, keeping those of the province (FindMembers).
// It describes the last version, so a province's search uses it only
// while no unit standing in the province has a version starting after
// today (topFor); then the last version of each of them is today's.
//
// Every write that changes it keeps it: a member created, imported, moved
// by a lifecycle step or by a unit's fold (members.unit_id), and a unit
// moved under another root (moveTops, a Move hook).
// TestProvinceSearchFollowsMoves holds province searches to the name
// index's answers across each of them.

// rootOf is the root's id in a unit path ("/22/193/" → 22; 0 for none).
func rootOf(path string) int64 {
	first, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	id, _ := strconv.ParseInt(first, 10, 64)
	return id
}

// topOf is the root of unitID's last version (0 if it has none).
func (tx *Tx) topOf(unitID int64) (int64, error) {
	var path string
	err := tx.QueryRow(`SELECT path FROM unit_versions WHERE unit_id = ? ORDER BY valid_from DESC LIMIT 1`, unitID).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return rootOf(path), err
}

// moveTops gives the members of a subtree moved under another root that
// root: the units whose last version lies under the new path.
func moveTops(tx *Tx, mv Move) error {
	to := rootOf(mv.NewPath)
	if rootOf(mv.OldPath) == to {
		return nil
	}
	lo, hi := subtreeRange(mv.NewPath)
	_, err := tx.Exec(`UPDATE members SET top_id = ? WHERE top_id <> ? AND unit_id IN (SELECT v.unit_id FROM unit_versions v
		WHERE v.path >= ? AND v.path < ? AND NOT EXISTS (SELECT 1 FROM unit_versions w WHERE w.unit_id = v.unit_id AND w.valid_from > v.valid_from))`,
		to, to, lo, hi)
	return err
}

// lastRoots maps every unit to the root of its last version (topOf for
// all units, for an import).
func (s *MemberService) lastRoots(ctx context.Context) (map[int64]int64, error) {
	rows, err := s.db.query(ctx, `SELECT unit_id, path, valid_from FROM unit_versions`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int64{}
	from := map[int64]string{}
	for rows.Next() {
		var id int64
		var path, vf string
		if err := rows.Scan(&id, &path, &vf); err != nil {
			return nil, err
		}
		if f, ok := from[id]; !ok || vf > f {
			from[id], out[id] = vf, rootOf(path)
		}
	}
	return out, rows.Err()
}

// topFor is the root whose top_id a search of today's members under the
// unit of path may use for "in that subtree": the root itself, when the
// path is a root's and no unit standing in its subtree today has a
// version starting after today (0 otherwise: the search keeps its other
// plans). Such a unit's top_id already names the root of its last
// version; a unit without later versions stands today in its last, so
// its members' top_id is the root. (Members of units entering the
// subtree later may carry the root already: the search's join to the
// units' versions of today leaves them out.)
func (s *MemberService) topFor(ctx context.Context, path, today string) (int64, error) {
	id := rootOf(path)
	if path != "/"+strconv.FormatInt(id, 10)+"/" {
		return 0, nil
	}
	lo, hi := subtreeRange(path)
	var later int
	err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM unit_versions f WHERE f.valid_from > ?
		AND EXISTS (SELECT 1 FROM unit_versions t WHERE t.unit_id = f.unit_id AND t.valid_from <= ? AND ? < t.valid_to AND t.path >= ? AND t.path < ?) LIMIT 1) x`,
		today, today, today, lo, hi).Scan(&later)
	if err != nil || later > 0 {
		return 0, err
	}
	return id, nil
}
