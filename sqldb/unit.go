package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"partyworks"
	"partyworks/vntext"
)

var _ partyworks.UnitService = (*UnitService)(nil)

// UnitService keeps the organization tree through time.
type UnitService struct{ db *DB }

// NewUnitService returns the unit service on db.
func NewUnitService(db *DB) *UnitService { return &UnitService{db: db} }

// unitColumns are read by scanUnit, in this order; v is unit_versions, u units.
const unitColumns = `v.unit_id, v.code, v.name, v.kind, COALESCE(v.parent_id, 0), v.path, v.depth, v.valid_from, v.valid_to, u.version`

type scanner interface{ Scan(...any) error }

func scanUnit(s scanner) (*partyworks.Unit, error) {
	var u partyworks.Unit
	var from, to, kind string
	if err := s.Scan(&u.ID, &u.Code, &u.Name, &kind, &u.ParentID, &u.Path, &u.Depth, &from, &to, &u.Version); err != nil {
		return nil, err
	}
	u.Kind = partyworks.UnitKind(kind)
	u.ValidFrom, u.ValidTo = parseDate(from), parseDate(to)
	return &u, nil
}

// FindUnitByID returns the unit as it stood on the day at. A zero at
// returns its latest version. A unit that did not stand that day is "not
// found", with a message saying when it did.
func (s *UnitService) FindUnitByID(ctx context.Context, id int64, at partyworks.Date) (*partyworks.Unit, error) {
	var row *sql.Row
	if at.IsZero() {
		row = s.db.queryRow(ctx, `SELECT `+unitColumns+` FROM unit_versions v JOIN units u ON u.id = v.unit_id
			WHERE v.unit_id = ? ORDER BY v.valid_from DESC LIMIT 1`, id)
	} else {
		d := fmtDate(at)
		row = s.db.queryRow(ctx, `SELECT `+unitColumns+` FROM unit_versions v JOIN units u ON u.id = v.unit_id
			WHERE v.unit_id = ? AND v.valid_from <= ? AND v.valid_to > ?`, id, d, d)
	}
	u, err := scanUnit(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, s.notThere(ctx, id, at)
	} else if err != nil {
		return nil, fmt.Errorf("unit %d: %w", id, err)
	}
	if err := s.countChildren(ctx, []*partyworks.Unit{u}, at); err != nil {
		return nil, err
	}
	return u, nil
}

// notThere explains why a unit was not found on a day.
func (s *UnitService) notThere(ctx context.Context, id int64, at partyworks.Date) error {
	var from, to sql.NullString
	s.db.queryRow(ctx, `SELECT MIN(valid_from), MAX(valid_to) FROM unit_versions WHERE unit_id = ?`, id).Scan(&from, &to)
	if !from.Valid {
		return partyworks.Errorf(partyworks.ENOTFOUND, "unit %d does not exist", id)
	}
	return &partyworks.Error{Code: partyworks.ENOTFOUND, Field: "at", Message: fmt.Sprintf(
		"unit %d did not stand on %s: it stood from %s%s", id, partyworks.FormatDateVN(at),
		partyworks.FormatDateVN(parseDate(from.String)), untilText(parseDate(to.String)))}
}

func untilText(to partyworks.Date) string {
	if !to.Before(partyworks.Forever) {
		return ""
	}
	return " to " + partyworks.FormatDateVN(to.AddDate(0, 0, -1))
}

// FindUnitPaths returns the unit's path on the day at ("" if it did not
// stand then) and its latest path.
func (s *UnitService) FindUnitPaths(ctx context.Context, id int64, at partyworks.Date) (string, string, error) {
	rows, err := s.db.query(ctx, `SELECT path, valid_from, valid_to FROM unit_versions WHERE unit_id = ? ORDER BY valid_from DESC`, id)
	if err != nil {
		return "", "", fmt.Errorf("unit %d: %w", id, err)
	}
	defer rows.Close()
	d := fmtDate(at)
	var atPath, last string
	found := false
	for rows.Next() {
		var path, from, to string
		if err := rows.Scan(&path, &from, &to); err != nil {
			return "", "", fmt.Errorf("unit %d: %w", id, err)
		}
		if !found {
			last, found = path, true
		}
		if from <= d && d < to {
			atPath = path
		}
	}
	if err := rows.Err(); err != nil {
		return "", "", fmt.Errorf("unit %d: %w", id, err)
	}
	if !found {
		return "", "", partyworks.Errorf(partyworks.ENOTFOUND, "unit %d does not exist", id)
	}
	return atPath, last, nil
}

// FindUnitByCode returns the unit that carried the code on the day.
func (s *UnitService) FindUnitByCode(ctx context.Context, code string, at partyworks.Date) (*partyworks.Unit, error) {
	us, _, err := s.FindUnits(ctx, partyworks.UnitFilter{At: at, Code: &code, Limit: 1})
	if err != nil {
		return nil, err
	} else if len(us) == 0 {
		return nil, partyworks.Errorf(partyworks.ENOTFOUND, "no unit has the code %s on %s", code, partyworks.FormatDateVN(at))
	}
	return us[0], nil
}

// subtreeRange returns the bounds of the paths inside a subtree: every
// path that starts with prefix sorts in [prefix, upper). The last byte of
// a path is '/', and '0' is the byte after it.
func subtreeRange(prefix string) (string, string) {
	return prefix, prefix[:len(prefix)-1] + "0"
}

// withinPaths is the condition that col (a unit path) lies in one of the
// subtrees of paths, with its arguments.
func withinPaths(col string, paths []string) (string, []any) {
	or := make([]string, len(paths))
	args := make([]any, 0, 2*len(paths))
	for i, p := range paths {
		lo, hi := subtreeRange(p)
		or[i] = "(" + col + " >= ? AND " + col + " < ?)"
		args = append(args, lo, hi)
	}
	return "(" + strings.Join(or, " OR ") + ")", args
}

// FindUnits lists the units that stood on f.At, ordered by code, with the
// total that match. Pages follow by code (keyset).
func (s *UnitService) FindUnits(ctx context.Context, f partyworks.UnitFilter) ([]*partyworks.Unit, int, error) {
	if f.At.IsZero() {
		f.At = partyworks.Today(s.db.Now())
	}
	d := fmtDate(f.At)
	where := []string{"v.valid_from <= ?", "v.valid_to > ?"}
	args := []any{d, d}
	if f.ParentID != nil {
		if *f.ParentID == 0 {
			where = append(where, "v.parent_id IS NULL")
		} else {
			where, args = append(where, "v.parent_id = ?"), append(args, *f.ParentID)
		}
	}
	if f.Under != nil {
		var path string
		if err := s.db.queryRow(ctx, `SELECT path FROM unit_versions WHERE unit_id = ? AND valid_from <= ? AND valid_to > ?`, *f.Under, d, d).Scan(&path); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil, 0, s.notThere(ctx, *f.Under, f.At)
			}
			return nil, 0, err
		}
		lo, hi := subtreeRange(path)
		where, args = append(where, "v.path > ?", "v.path < ?"), append(args, lo, hi)
	}
	if f.Within != nil {
		if len(f.Within) == 0 {
			return nil, 0, nil
		}
		cond, cargs := withinPaths("v.path", f.Within)
		where, args = append(where, cond), append(args, cargs...)
	}
	if f.Code != nil {
		where, args = append(where, "v.code = ?"), append(args, *f.Code)
	}
	if len(f.Kinds) > 0 {
		ph := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			ph[i] = "?"
			args = append(args, string(k))
		}
		where = append(where, "v.kind IN ("+strings.Join(ph, ", ")+")")
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		where = append(where, `(v.name_fold LIKE ? ESCAPE '\' OR v.code LIKE ? ESCAPE '\')`)
		args = append(args, "%"+escapeLike(vntext.Fold(q))+"%", escapeLike(q)+"%")
	}
	var total int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM unit_versions v WHERE `+strings.Join(where, " AND "), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count units: %w", err)
	}
	if f.After != "" {
		where, args = append(where, "v.code > ?"), append(args, f.After)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 1000)
	rows, err := s.db.query(ctx, `SELECT `+unitColumns+` FROM unit_versions v JOIN units u ON u.id = v.unit_id WHERE `+
		strings.Join(where, " AND ")+` ORDER BY v.code LIMIT `+strconv.Itoa(f.Limit), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find units: %w", err)
	}
	out, err := collect(rows, scanUnit)
	if err != nil {
		return nil, 0, err
	}
	return out, total, s.countChildren(ctx, out, f.At)
}

// countChildren fills Children for a page of units in one query.
func (s *UnitService) countChildren(ctx context.Context, us []*partyworks.Unit, at partyworks.Date) error {
	if len(us) == 0 {
		return nil
	}
	if at.IsZero() {
		at = us[0].ValidFrom
	}
	d := fmtDate(at)
	byID := make(map[int64]*partyworks.Unit, len(us))
	ph := make([]string, 0, len(us))
	args := []any{d, d}
	for _, u := range us {
		byID[u.ID] = u
		ph = append(ph, "?")
		args = append(args, u.ID)
	}
	rows, err := s.db.query(ctx, `SELECT parent_id, COUNT(*) FROM unit_versions WHERE valid_from <= ? AND valid_to > ? AND parent_id IN (`+
		strings.Join(ph, ", ")+`) GROUP BY parent_id`, args...)
	if err != nil {
		return fmt.Errorf("count children: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		byID[id].Children = n
	}
	return rows.Err()
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// pathIDs returns the unit ids in a path, root first.
func pathIDs(path string) []int64 {
	var ids []int64
	for _, p := range strings.Split(strings.Trim(path, "/"), "/") {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// Ancestors returns the units above u on u's day, root first.
func (s *UnitService) Ancestors(ctx context.Context, u *partyworks.Unit, at partyworks.Date) ([]*partyworks.Unit, error) {
	ids := pathIDs(u.Path)
	if len(ids) <= 1 {
		return nil, nil
	}
	ids = ids[:len(ids)-1]
	if at.IsZero() || at.Before(u.ValidFrom) || !at.Before(u.ValidTo) {
		at = u.ValidTo.AddDate(0, 0, -1) // the unit's last day
		if !u.ValidTo.Before(partyworks.Forever) {
			at = u.ValidFrom
		}
	}
	d := fmtDate(at)
	ph := make([]string, len(ids))
	args := []any{d, d}
	for i, id := range ids {
		ph[i] = "?"
		args = append(args, id)
	}
	rows, err := s.db.query(ctx, `SELECT `+unitColumns+` FROM unit_versions v JOIN units u ON u.id = v.unit_id
		WHERE v.valid_from <= ? AND v.valid_to > ? AND v.unit_id IN (`+strings.Join(ph, ", ")+`) ORDER BY v.depth`, args...)
	if err != nil {
		return nil, fmt.Errorf("ancestors: %w", err)
	}
	return collect(rows, scanUnit)
}

// FindUnitHeir returns the unit recorded as taking over from an ended
// unit (unit_heirs), as it stands on that day.
func (s *UnitService) FindUnitHeir(ctx context.Context, unitID int64) (*partyworks.UnitHeir, error) {
	var heir int64
	var day string
	var registers int
	err := s.db.queryRow(ctx, `SELECT heir_id, day, registers FROM unit_heirs WHERE unit_id = ?`, unitID).Scan(&heir, &day, &registers)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, partyworks.Errorf(partyworks.ENOTFOUND, "unit %d has no heir", unitID)
	} else if err != nil {
		return nil, fmt.Errorf("unit heir: %w", err)
	}
	h := &partyworks.UnitHeir{Day: parseDate(day), Registers: registers == 1}
	h.Unit, err = s.FindUnitByID(ctx, heir, h.Day)
	if partyworks.ErrorCode(err) == partyworks.ENOTFOUND {
		h.Unit, err = s.FindUnitByID(ctx, heir, partyworks.Date{}) // as it last stood
	}
	if err != nil {
		return nil, err
	}
	return h, nil
}

// FindUnitEvents returns the events that touched a unit, oldest first,
// with every unit each event touched, named as they were.
func (s *UnitService) FindUnitEvents(ctx context.Context, unitID int64) ([]*partyworks.UnitEvent, error) {
	rows, err := s.db.query(ctx, `SELECT e.id, e.type, e.effective, e.decision, e.note, COALESCE(e.plan_id, 0), e.created_at, COALESCE(e.created_by, 0)
		FROM unit_events e WHERE e.id IN (SELECT event_id FROM unit_event_units WHERE unit_id = ?)
		ORDER BY e.effective, e.id`, unitID)
	if err != nil {
		return nil, fmt.Errorf("unit events: %w", err)
	}
	var events []*partyworks.UnitEvent
	byID := map[int64]*partyworks.UnitEvent{}
	for rows.Next() {
		var e partyworks.UnitEvent
		var typ, eff, created string
		if err := rows.Scan(&e.ID, &typ, &eff, &e.Decision, &e.Note, &e.PlanID, &created, &e.CreatedBy); err != nil {
			rows.Close()
			return nil, err
		}
		e.Type, e.Effective, e.CreatedAt = partyworks.UnitEventType(typ), parseDate(eff), parseTime(created)
		events = append(events, &e)
		byID[e.ID] = &e
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(events) == 0 {
		return events, err
	}
	// The participants. An import event may name thousands of units, so
	// only the unit itself is listed for events with very many.
	// Each event's size is counted only up to 201, so a page costs the
	// same however large the import that made the unit.
	rows, err = s.db.query(ctx, `WITH mine AS (SELECT DISTINCT event_id FROM unit_event_units WHERE unit_id = ?)
		SELECT p.event_id, p.unit_id, p.role, p.code, p.name FROM unit_event_units p WHERE p.unit_id = ?
		UNION ALL
		SELECT p.event_id, p.unit_id, p.role, p.code, p.name
		FROM mine m JOIN unit_event_units p ON p.event_id = m.event_id AND p.unit_id <> ?
		WHERE (SELECT COUNT(*) FROM (SELECT 1 FROM unit_event_units c WHERE c.event_id = m.event_id LIMIT 201) x) <= 200
		ORDER BY 1, 3, 4`, unitID, unitID, unitID)
	if err != nil {
		return nil, fmt.Errorf("unit event units: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var eid int64
		var role string
		var eu partyworks.EventUnit
		if err := rows.Scan(&eid, &eu.ID, &role, &eu.Code, &eu.Name); err != nil {
			return nil, err
		}
		if e := byID[eid]; e != nil {
			if role == "source" {
				e.Sources = append(e.Sources, eu)
			} else {
				e.Targets = append(e.Targets, eu)
			}
		}
	}
	return events, rows.Err()
}
