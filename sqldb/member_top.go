package sqldb

import (
	"context"
	"strconv"
	"strings"
)

// A member's top_id is the root of the tree (the province) under which
// the member's unit stands in its last version: a province-wide name
// search walks that province's members in sort order (members_top)
// instead of the country's, keeping those of the province (FindMembers).
// It describes the last version, so a province's search uses it only
// while no unit standing in the province on the day searched has a
// version starting after it (topFor); then each of them stands that day
// in its last version.
//
// Every write that changes it keeps it, in its own transaction: a member
// created, moved by a lifecycle step or by a unit's fold
// (members.unit_id), imported (each batch reads its units' roots:
// topsOf), and a unit moved under another root (moveTops, a Move hook
// every database handle registers: storeHooks). On PostgreSQL, whose
// writers run side by side, the reads of a root (topsOf) and the moves
// are kept apart by the tree's lock (lockTree): without it a member
// written by a transaction that read the root before a move committed,
// and committed after the move's update, would keep the old root.
// TestProvinceSearchFollowsMoves and the tests after it hold province
// searches to the name index's answers and to the country's search kept
// to the province across each of them.

// rootOf is the root's id in a unit path ("/22/193/" → 22; 0 for none).
func rootOf(path string) int64 {
	first, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	id, _ := strconv.ParseInt(first, 10, 64)
	return id
}

// topOf is the root of unitID's last version (0 if it has none).
func (tx *Tx) topOf(unitID int64) (int64, error) {
	tops := map[int64]int64{}
	err := tx.topsOf([]any{unitID}, tops)
	return tops[unitID], err
}

// topsOf sets tops[id] to the root of each unit's last version, for the
// units of ids (in one query a few hundred units; a unit without
// versions is left out: 0).
func (tx *Tx) topsOf(ids []any, tops map[int64]int64) error {
	if len(ids) == 0 {
		return nil
	}
	if err := tx.lockTreeShared(); err != nil {
		return err
	}
	from := map[int64]string{}
	return queryIn(tx.Query, `SELECT unit_id, path, valid_from FROM unit_versions WHERE unit_id IN ({ids})`, ids, nil, func(s scanner) error {
		var id int64
		var path, vf string
		if err := s.Scan(&id, &path, &vf); err != nil {
			return err
		}
		if f, ok := from[id]; !ok || vf > f {
			from[id], tops[id] = vf, rootOf(path)
		}
		return nil
	})
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

// topFor is the root whose top_id a search of the members on day d
// (today or later: the members table's state) under the unit of path (its
// path on d) may use for "in that subtree": the root itself, when the
// path is a root's and no unit standing in its subtree on d has a version
// starting after d (0 otherwise: the search keeps its other plans). Such
// a unit's top_id already names the root of its last version; a unit
// without later versions stands on d in its last, so its members' top_id
// is the root. (Members of units entering the subtree later may carry the
// root already: the search's join to the units' versions on d leaves
// them out.) alone says that no version starting after d lies in the
// subtree either: then no unit enters it later, and the members of top_id
// (since d or before) are exactly the subtree's on d, without the join.
func (s *MemberService) topFor(ctx context.Context, path, d string) (top int64, alone bool, err error) {
	id := rootOf(path)
	if path != "/"+strconv.FormatInt(id, 10)+"/" {
		return 0, false, nil
	}
	lo, hi := subtreeRange(path)
	// The versions after d are looked at up to pendingCap of them: a
	// restructuring recorded ahead of its day (thousands of versions)
	// sets the province walks aside without checking each.
	var later, inside, enter int
	err = s.db.queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM unit_versions t
		WHERE t.unit_id = f.unit_id AND t.valid_from <= ? AND ? < t.valid_to AND t.path >= ? AND t.path < ?) THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN f.path >= ? AND f.path < ? THEN 1 ELSE 0 END), 0)
		FROM (SELECT unit_id, path FROM unit_versions WHERE valid_from > ? LIMIT `+strconv.Itoa(pendingCap+1)+`) f`,
		d, d, lo, hi, lo, hi, d).Scan(&later, &inside, &enter)
	if err != nil || later > pendingCap || inside > 0 {
		return 0, false, err
	}
	return id, enter == 0, nil
}

// pendingCap is how many unit versions dated after the day searched
// topFor checks one by one.
var pendingCap = 200

// lockTreeShared takes the tree's lock (lockTree) shared, on PostgreSQL,
// until the transaction ends: every transaction that reads a unit's root
// to write a member's top_id does (topsOf), and every one that folds or
// moves units takes it exclusive before its hooks write anything
// (lockTree, Tx.folded, Tx.moved). A move then waits for the members
// being written to commit, and its update of top_id sees them; a member
// written while a move is pending waits for it and reads the new root.
// SQLite has one writer at a time. Creating a member and a lifecycle
// step take it first, before they read the member or the unit: a fold
// committed between their read and their write would be overwritten,
// and neither side waits for a row the other holds.
func (tx *Tx) lockTreeShared() error { return tx.takeTreeLock(1) }
