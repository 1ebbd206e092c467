package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"partyworks"
)

// foldMembers moves the members of a unit that folds: a whole merge moves
// them all to f.To on the day; a divided unit moves each to the unit the
// plan assigns them (Plan.AssignMembers), by default to f.To (which is
// f.From itself when the divided unit carries on), and lists them all in
// the preview for a person to confirm.
func foldMembers(tx *Tx, f Fold) error {
	lock := ""
	if f.Ended && tx.db.Postgres() {
		// Two writers may follow one unit at once (the tree's lock is
		// shared): the second waits for the first, and a member the first
		// moved no longer matches.
		lock = " FOR UPDATE OF m"
	}
	// Members placed after the day are for a merge recorded late (below);
	// a follow-on of an ended unit (Ended) leaves them, as they were.
	q, args := `SELECT `+memberCols+` FROM members m WHERE m.unit_id = ?`, []any{f.From}
	if f.Ended {
		q, args = q+` AND m.since <= ?`, append(args, f.Day)
	}
	rows, err := tx.Query(q+` ORDER BY m.id`+lock, args...)
	if err != nil {
		return fmt.Errorf("fold members: %w", err)
	}
	var ms []*partyworks.Member
	for rows.Next() {
		m, _, err := scanMember(rows)
		if err != nil {
			rows.Close()
			return err
		}
		ms = append(ms, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Transfers on their way to the unit now go to its successor.
	if f.To != f.From {
		if _, err := tx.Exec(`UPDATE members SET transfer_to = ? WHERE transfer_to = ?`, f.To, f.From); err != nil {
			return err
		}
	}
	if len(ms) == 0 {
		return nil
	}
	valid := map[int64]bool{f.To: true}
	for _, o := range f.Options {
		valid[o] = true
	}
	names := map[int64]partyworks.PlanUnit{}
	unitRef := func(id int64) partyworks.PlanUnit {
		if u, ok := names[id]; ok {
			return u
		}
		u := partyworks.PlanUnit{ID: id}
		if v, err := tx.versionAt(id, f.Day); err == nil {
			u.Code, u.Name = v.code, v.name
		} else if v, err := tx.versionAt(id, fmtDate(parseDate(f.Day).AddDate(0, 0, -1))); err == nil {
			u.Code, u.Name = v.code, v.name
		}
		names[id] = u
		return u
	}
	var options []partyworks.PlanUnit
	for _, o := range f.Options {
		options = append(options, unitRef(o))
	}
	st := newStatBuf()
	tops := map[int64]int64{} // the units' roots (topOf)
	for _, m := range ms {
		to := f.To
		if f.Plan != nil {
			if code, ok := f.Plan.AssignMembers[m.ID]; ok {
				id, err := tx.unitByCode(code, f.Day)
				if err != nil || !valid[id] {
					return partyworks.FieldErrorf("assign_members", "%s may only go to one of the units %s was divided into", m.FullName, unitRef(f.From).Name)
				}
				to = id
			}
		}
		// A member placed in the unit after the fold's day (recorded into
		// it before a merge recorded late, with an earlier date) goes to the
		// successor from her own day, with no history in the ended unit.
		// She stays where she was put when the successor does not stand on
		// that day, or when a period of hers in the unit already runs past
		// the fold's day (a step dated after it): moving those is not done.
		day := f.Day
		late := fmtDate(m.Since) > f.Day
		if late {
			day = fmtDate(m.Since)
			if _, err := tx.versionAt(to, day); err != nil {
				continue
			}
			var past int
			if err := tx.QueryRow(`SELECT COUNT(*) FROM member_history WHERE member_id = ? AND unit_id = ? AND valid_to > ?`, m.ID, f.From, f.Day).Scan(&past); err != nil {
				return err
			} else if past > 0 {
				continue
			}
		}
		if f.Options != nil && f.Preview != nil {
			f.Preview.MemberReview = append(f.Preview.MemberReview, partyworks.PlanMemberReview{
				MemberID: m.ID, Name: m.FullName, From: unitRef(f.From), To: unitRef(to), Options: options})
		}
		if to == m.UnitID {
			continue
		}
		if !f.Ended {
			if err := st.member(tx, m, m.UnitID, day, -1); err != nil {
				return err
			}
		}
		if err := st.member(tx, m, to, day, 1); err != nil {
			return err
		}
		if !late {
			if _, err := tx.Exec(`INSERT INTO member_history (member_id, unit_id, status, valid_from, valid_to) VALUES (?, ?, ?, ?, ?)`,
				m.ID, m.UnitID, m.Status, fmtDate(m.Since), f.Day); err != nil {
				return err
			}
		}
		top, ok := tops[to]
		if !ok {
			var err error
			if top, err = tx.topOf(to); err != nil {
				return err
			}
			tops[to] = top
		}
		if _, err := tx.Exec(`UPDATE members SET unit_id = ?, top_id = ?, since = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			to, top, day, fmtTime(tx.now), m.ID); err != nil {
			return err
		}
	}
	if err := st.flush(tx); err != nil {
		return err
	}
	return tx.audit("member.fold", fmt.Sprintf("unit:%d", f.From), nil, map[string]any{"to": f.To, "day": f.Day, "members": len(ms)})
}

// followFolds moves the members left in units that ended before they were
// written there: a fold moves the members it finds when it is recorded,
// so a member recorded afterwards into the ended unit, on a day before its
// end (a merge recorded ahead of its day, a record entered late), would
// stay in a unit that no longer stands, in no list or search from that day.
// Each such unit's fold is run again (foldMembers moves the members still
// there, with their history and statistics) and followed through its heir's
// own end. units may repeat.
// It returns how many folds it ran.
func (tx *Tx) followFolds(units []int64) (int, error) {
	return tx.followHeirs(units, []FoldHook{foldMembers}, "")
}

// followTasks is followFolds for open tasks given to units that ended
// before them (foldTasks).
func (tx *Tx) followTasks(units []int64) error {
	_, err := tx.followHeirs(units, []FoldHook{foldTasks}, "")
	return err
}

// followHeirs runs hooks again for each of units that has an heir, and on
// through the heir's own end. With until set, only ends on or before that
// day are followed (the hand-over of what goes on the day). It returns how
// many folds it ran.
func (tx *Tx) followHeirs(units []int64, hooks []FoldHook, until string) (int, error) {
	seen := map[int64]bool{}
	folds := 0
	for len(units) > 0 {
		u := units[0]
		units = units[1:]
		if seen[u] {
			continue
		}
		seen[u] = true
		h, ok, err := tx.heirOf(u)
		if err != nil {
			return folds, err
		} else if !ok || until != "" && h.day > until {
			continue
		}
		f := Fold{From: u, To: h.unit, Day: h.day, Ended: true, RegistersTo: h.registers}
		for _, hook := range hooks {
			if err := hook(tx, f); err != nil {
				return folds, err
			}
		}
		folds++
		units = append(units, h.unit)
	}
	return folds, nil
}

type heir struct {
	unit int64
	day  string
	// registers is the unit the ended unit's registers go to: its heir,
	// or the unit of the chain that keeps its own (a unit divided the
	// same day), or the ended unit itself when it keeps them.
	registers int64
}

// heirOf is the unit that takes over from u (unit_heirs) on the day u
// ends: its heir, or, when the heir ends that same day too (a commune
// merged into a district committee dissolved on the same day), the heir's
// heir, and so on. ok is false when u has no heir, or when the heir ended
// before that day (a tree recorded so): nothing to follow.
func (tx *Tx) heirOf(u int64) (heir, bool, error) {
	var h heir
	var registers int
	err := tx.QueryRow(`SELECT heir_id, day, registers FROM unit_heirs WHERE unit_id = ?`, u).Scan(&h.unit, &h.day, &registers)
	if errors.Is(err, sql.ErrNoRows) {
		return h, false, nil
	} else if err != nil {
		return h, false, fmt.Errorf("follow folds: %w", err)
	}
	h.registers = u
	if registers == 1 {
		h.registers = h.unit
	}
	for range 64 {
		if _, err := tx.versionAt(h.unit, h.day); err == nil {
			return h, true, nil
		}
		var next int64
		var day string
		err := tx.QueryRow(`SELECT heir_id, day, registers FROM unit_heirs WHERE unit_id = ?`, h.unit).Scan(&next, &day, &registers)
		if errors.Is(err, sql.ErrNoRows) || err == nil && day != h.day {
			return h, false, nil
		} else if err != nil {
			return h, false, fmt.Errorf("follow folds: %w", err)
		}
		if h.registers == h.unit && registers == 1 {
			h.registers = next // registers go on; a divided unit keeps them
		}
		h.unit = next
	}
	return h, false, nil
}

// followImported runs followFolds for those of an import batch's units
// (the keys of tops) that have an heir.
func (tx *Tx) followImported(tops map[int64]int64) error {
	ids := make([]any, 0, len(tops))
	for u := range tops {
		ids = append(ids, u)
	}
	var ended []int64
	err := queryIn(tx.Query, `SELECT unit_id FROM unit_heirs WHERE unit_id IN ({ids})`, ids, nil, func(s scanner) error {
		u, err := scanID(s)
		ended = append(ended, u)
		return err
	})
	if err != nil {
		return fmt.Errorf("follow folds: %w", err)
	}
	_, err = tx.followFolds(ended)
	return err
}

// FollowLeftMembers moves on the members still placed in units that have
// ended: every unit with an heir (unit_heirs) that holds members placed
// on or before its end has its fold run again (followFolds), with the
// members' history and statistics, through the heir's own end. They are
// members written into an ended unit by a version before 0019 (which did
// not follow folds): a one-off repair after an upgrade (partyworks members
// follow). It returns how many such members there were before and are
// after (members of a unit whose heir ended before the unit's end stay:
// heirOf finds no unit to follow to).
func (s *MemberService) FollowLeftMembers(ctx context.Context) (before, after int, err error) {
	const left = `FROM members m JOIN unit_heirs h ON h.unit_id = m.unit_id WHERE m.since <= h.day`
	err = s.db.update(ctx, func(tx *Tx) error {
		// The tree's lock, exclusive: a step (under the shared lock)
		// reads a record unlocked and writes it back whole, so beside a
		// repair moving the same member it would put her back.
		if err := tx.lockTree(); err != nil {
			return err
		}
		if err := tx.QueryRow(`SELECT COUNT(*) ` + left).Scan(&before); err != nil {
			return fmt.Errorf("follow: %w", err)
		}
		if before == 0 {
			return nil
		}
		rows, err := tx.Query(`SELECT DISTINCT h.unit_id ` + left + ` ORDER BY h.unit_id`)
		if err != nil {
			return fmt.Errorf("follow: %w", err)
		}
		units, err := collect(rows, scanID)
		if err != nil {
			return fmt.Errorf("follow: %w", err)
		}
		if _, err := tx.followFolds(units); err != nil {
			return err
		}
		if err := tx.QueryRow(`SELECT COUNT(*) ` + left).Scan(&after); err != nil {
			return fmt.Errorf("follow: %w", err)
		}
		return nil
	})
	return before, after, err
}

// unitByCode finds the unit that carries a code on a day.
func (tx *Tx) unitByCode(code, d string) (int64, error) {
	var id int64
	err := tx.QueryRow(`SELECT unit_id FROM unit_versions WHERE code = ? AND valid_from <= ? AND ? < valid_to`, code, d, d).Scan(&id)
	return id, err
}
