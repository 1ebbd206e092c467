package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"partyworks"
	"partyworks/vntext"
)

const forever = "9999-12-31"

// version is one row of unit_versions, as the writers handle it.
type version struct {
	id, unitID int64
	code, name string
	kind       partyworks.UnitKind
	parentID   int64
	path       string
	depth      int
	from, to   string
}

func (v *version) ref() partyworks.EventUnit {
	return partyworks.EventUnit{ID: v.unitID, Code: v.code, Name: v.name}
}

// versionAt returns the version of a unit that stood on day d.
func (tx *Tx) versionAt(unitID int64, d string) (*version, error) {
	var v version
	var parent sql.NullInt64
	err := tx.QueryRow(`SELECT id, unit_id, code, name, kind, parent_id, path, depth, valid_from, valid_to
		FROM unit_versions WHERE unit_id = ? AND valid_from <= ? AND valid_to > ?`, unitID, d, d).
		Scan(&v.id, &v.unitID, &v.code, &v.name, &v.kind, &parent, &v.path, &v.depth, &v.from, &v.to)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tx.standingError(unitID, d)
	} else if err != nil {
		return nil, fmt.Errorf("unit %d on %s: %w", unitID, d, err)
	}
	v.parentID = parent.Int64
	return &v, nil
}

// standingError explains why a unit did not stand on day d.
func (tx *Tx) standingError(unitID int64, d string) error {
	var from, to sql.NullString
	var code sql.NullString
	tx.QueryRow(`SELECT MIN(valid_from), MAX(valid_to), MAX(code) FROM unit_versions WHERE unit_id = ?`, unitID).Scan(&from, &to, &code)
	day := partyworks.FormatDateVN(parseDate(d))
	switch {
	case !from.Valid:
		return partyworks.Errorf(partyworks.ENOTFOUND, "unit %d does not exist", unitID)
	case d < from.String:
		return partyworks.Errorf(partyworks.EINVALID, "unit %s did not exist yet on %s: it was established on %s", code.String, day, partyworks.FormatDateVN(parseDate(from.String)))
	default:
		return partyworks.Errorf(partyworks.EINVALID, "unit %s no longer stood on %s: it ended%s", code.String, day, untilText(parseDate(to.String)))
	}
}

// editable returns the version of a unit standing on d that an event may
// change: the unit's last. History is written in date order: a unit whose
// later change is already recorded cannot be changed at an earlier date.
func (tx *Tx) editable(unitID int64, d string) (*version, error) {
	v, err := tx.versionAt(unitID, d)
	if err != nil {
		return nil, err
	}
	if v.to != forever {
		var next sql.NullString
		if err := tx.QueryRow(`SELECT MIN(valid_from) FROM unit_versions WHERE unit_id = ? AND valid_from > ?`, unitID, d).Scan(&next); err != nil {
			return nil, err
		}
		if next.Valid {
			return nil, partyworks.Errorf(partyworks.ECONFLICT, "%s (%s) already has a change recorded on %s; record its changes in date order",
				v.name, v.code, partyworks.FormatDateVN(parseDate(next.String)))
		}
		return nil, partyworks.Errorf(partyworks.EINVALID, "%s (%s) ends on %s; it cannot change after that",
			v.name, v.code, partyworks.FormatDateVN(parseDate(v.to).AddDate(0, 0, -1)))
	}
	return v, nil
}

// successor writes a new version of v from day d, made by mutate: in place
// when v itself starts on d (two changes on one day), else by ending v the
// day before and adding the new version.
func (tx *Tx) successor(v *version, d string, eventID int64, mutate func(n *version)) (*version, error) {
	n := *v
	mutate(&n)
	var parent any
	if n.parentID != 0 {
		parent = n.parentID
	}
	if v.from == d {
		_, err := tx.Exec(`UPDATE unit_versions SET code = ?, name = ?, name_fold = ?, kind = ?, parent_id = ?, path = ?, depth = ?, event_id = ? WHERE id = ?`,
			n.code, n.name, vntext.Fold(n.name), string(n.kind), parent, n.path, n.depth, eventID, v.id)
		return &n, err
	}
	if _, err := tx.Exec(`UPDATE unit_versions SET valid_to = ? WHERE id = ?`, d, v.id); err != nil {
		return nil, err
	}
	n.from = d
	id, err := tx.InsertID(`INSERT INTO unit_versions (unit_id, code, name, name_fold, kind, parent_id, path, depth, valid_from, valid_to, event_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, n.unitID, n.code, n.name, vntext.Fold(n.name), string(n.kind), parent, n.path, n.depth, d, n.to, eventID)
	n.id = id
	return &n, err
}

// repath moves a subtree from one path prefix to another from day d on:
// versions that start on or after d are rewritten in place, versions that
// straddle d end there and continue under the new path. Earlier history
// keeps the old path.
func (tx *Tx) repath(oldPrefix, newPrefix string, delta int, d string, eventID int64) error {
	lo, hi := subtreeRange(oldPrefix)
	cut := len(oldPrefix) + 1
	if _, err := tx.Exec(`UPDATE unit_versions SET path = CAST(? AS TEXT) || substr(path, CAST(? AS INTEGER)), depth = depth + CAST(? AS INTEGER)
		WHERE path >= ? AND path < ? AND valid_from >= ?`, newPrefix, cut, delta, lo, hi, d); err != nil {
		return fmt.Errorf("repath future: %w", err)
	}
	if _, err := tx.Exec(`INSERT INTO unit_versions (unit_id, code, name, name_fold, kind, parent_id, path, depth, valid_from, valid_to, event_id)
		SELECT unit_id, code, name, name_fold, kind, parent_id, CAST(? AS TEXT) || substr(path, CAST(? AS INTEGER)), depth + CAST(? AS INTEGER), ?, valid_to, ?
		FROM unit_versions WHERE path >= ? AND path < ? AND valid_from < ? AND valid_to > ?`,
		newPrefix, cut, delta, d, eventID, lo, hi, d, d); err != nil {
		return fmt.Errorf("repath copy: %w", err)
	}
	if _, err := tx.Exec(`UPDATE unit_versions SET valid_to = ? WHERE path >= ? AND path < ? AND valid_from < ? AND valid_to > ?`, d, lo, hi, d, d); err != nil {
		return fmt.Errorf("repath end: %w", err)
	}
	return nil
}

// reparent places a unit and its subtree under a new parent from day d.
func (tx *Tx) reparent(unitID, parentID int64, d string, eventID int64) (from, to *version, err error) {
	v, err := tx.editable(unitID, d)
	if err != nil {
		return nil, nil, err
	}
	p, err := tx.versionAt(parentID, d)
	if err != nil {
		return nil, nil, err
	}
	if unitID == parentID || len(p.path) >= len(v.path) && p.path[:len(v.path)] == v.path {
		return nil, nil, partyworks.Errorf(partyworks.EINVALID, "%s (%s) cannot be placed under %s (%s): that unit is inside it, which would make a cycle", v.name, v.code, p.name, p.code)
	}
	if v.parentID == parentID {
		return nil, nil, partyworks.Errorf(partyworks.EINVALID, "%s (%s) is already under %s", v.name, v.code, p.name)
	}
	var old *version
	if v.parentID != 0 {
		if old, err = tx.versionAt(v.parentID, d); err != nil {
			return nil, nil, err
		}
	}
	newPath := p.path + strconv.FormatInt(unitID, 10) + "/"
	if err := tx.repath(v.path, newPath, p.depth+1-v.depth, d, eventID); err != nil {
		return nil, nil, err
	}
	if _, err := tx.Exec(`UPDATE unit_versions SET parent_id = ? WHERE unit_id = ? AND valid_from = ?`, parentID, unitID, d); err != nil {
		return nil, nil, err
	}
	if err := tx.moved(Move{Unit: unitID, OldPath: v.path, NewPath: newPath, Day: d}); err != nil {
		return nil, nil, err
	}
	return old, p, tx.touch(unitID)
}

// end closes a unit on day d (its last day is d-1).
func (tx *Tx) end(v *version, d string) error {
	var err error
	if v.from == d {
		_, err = tx.Exec(`DELETE FROM unit_versions WHERE id = ?`, v.id)
	} else {
		_, err = tx.Exec(`UPDATE unit_versions SET valid_to = ? WHERE id = ?`, d, v.id)
	}
	if err != nil {
		return err
	}
	return tx.touch(v.unitID)
}

// children lists the unit ids standing under a unit on day d.
func (tx *Tx) children(unitID int64, d string) ([]int64, error) {
	rows, err := tx.Query(`SELECT unit_id FROM unit_versions WHERE parent_id = ? AND valid_from <= ? AND valid_to > ? ORDER BY code`, unitID, d, d)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func (tx *Tx) touch(unitID int64) error {
	_, err := tx.Exec(`UPDATE units SET version = version + 1 WHERE id = ?`, unitID)
	return err
}

// codeTaken reports the unit other than self that carries code on day d.
func (tx *Tx) codeTaken(code string, d string, self int64) error {
	if tx.skipCodeCheck {
		return nil
	}
	var id int64
	var name string
	err := tx.QueryRow(`SELECT unit_id, name FROM unit_versions WHERE code = ? AND valid_from <= ? AND valid_to > ? AND unit_id <> ? LIMIT 1`, code, d, d, self).Scan(&id, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	return &partyworks.Error{Code: partyworks.ECONFLICT, Field: "code", Message: fmt.Sprintf("the code %s is already used by %s on %s", code, name, partyworks.FormatDateVN(parseDate(d)))}
}

// establish creates a unit under parent (0: a root) from day d.
func (tx *Tx) establish(parentID int64, code, name string, kind partyworks.UnitKind, d string, eventID int64) (*version, error) {
	path, depth := "/", 0
	if parentID != 0 {
		p, err := tx.versionAt(parentID, d)
		if err != nil {
			return nil, err
		}
		path, depth = p.path, p.depth+1
	}
	if err := tx.codeTaken(code, d, 0); err != nil {
		return nil, err
	}
	id, err := tx.InsertID(`INSERT INTO units (created_at) VALUES (?)`, fmtTime(tx.now))
	if err != nil {
		return nil, err
	}
	v := &version{unitID: id, code: code, name: name, kind: kind, parentID: parentID, path: path + strconv.FormatInt(id, 10) + "/", depth: depth, from: d, to: forever}
	var parent any
	if parentID != 0 {
		parent = parentID
	}
	v.id, err = tx.InsertID(`INSERT INTO unit_versions (unit_id, code, name, name_fold, kind, parent_id, path, depth, valid_from, valid_to, event_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, code, name, vntext.Fold(name), string(kind), parent, v.path, depth, d, forever, eventID)
	return v, err
}

// eventRecord collects an event's participants while it is applied.
type eventRecord struct {
	id    int64
	event *partyworks.UnitEvent
}

// newEvent inserts an event row.
func (tx *Tx) newEvent(typ partyworks.UnitEventType, d, decision, note string, planID int64) (*eventRecord, error) {
	var plan any
	if planID != 0 {
		plan = planID
	}
	var by any
	if tx.actor.UserID != 0 {
		by = tx.actor.UserID
	}
	id, err := tx.InsertID(`INSERT INTO unit_events (type, effective, decision, note, plan_id, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		string(typ), d, decision, note, plan, fmtTime(tx.now), by)
	if err != nil {
		return nil, fmt.Errorf("event: %w", err)
	}
	return &eventRecord{id: id, event: &partyworks.UnitEvent{ID: id, Type: typ, Effective: parseDate(d), Decision: decision, Note: note, PlanID: planID, CreatedAt: tx.now, CreatedBy: tx.actor.UserID}}, nil
}

// link records a unit's part in an event, named as it was.
func (tx *Tx) link(e *eventRecord, role string, u partyworks.EventUnit) error {
	if _, err := tx.Exec(`INSERT INTO unit_event_units (event_id, unit_id, role, code, name) VALUES (?, ?, ?, ?, ?)`, e.id, u.ID, role, u.Code, u.Name); err != nil {
		return fmt.Errorf("event unit: %w", err)
	}
	if role == "source" {
		e.event.Sources = append(e.event.Sources, u)
	} else {
		e.event.Targets = append(e.event.Targets, u)
	}
	return nil
}

// ApplyUnitChange records one event on the tree, all or nothing, with its
// audit entry.
func (s *UnitService) ApplyUnitChange(ctx context.Context, c partyworks.UnitChange) (*partyworks.UnitEvent, error) {
	if err := validateChange(&c); err != nil {
		return nil, err
	}
	var ev *partyworks.UnitEvent
	err := s.db.update(ctx, func(tx *Tx) error {
		if err := tx.lockTree(); err != nil {
			return err
		}
		if c.Version != 0 && c.Unit != 0 {
			var cur int64
			if err := tx.QueryRow(`SELECT version FROM units WHERE id = ?`, c.Unit).Scan(&cur); err != nil {
				return tx.standingError(c.Unit, fmtDate(c.Effective))
			}
			if cur != c.Version {
				return partyworks.Errorf(partyworks.ECONFLICT, "unit %d was changed by someone else since you opened it (version %d, now %d); reload and try again", c.Unit, c.Version, cur)
			}
		}
		e, err := tx.applyChange(c)
		if err != nil {
			return err
		}
		ev = e.event
		return tx.audit("unit."+string(c.Type), "unit:"+strconv.FormatInt(firstUnit(c, ev), 10), nil, ev)
	})
	return ev, err
}

func firstUnit(c partyworks.UnitChange, ev *partyworks.UnitEvent) int64 {
	if c.Unit != 0 {
		return c.Unit
	}
	if len(ev.Targets) > 0 {
		return ev.Targets[0].ID
	}
	return 0
}

// validateChange checks what can be checked without the database.
func validateChange(c *partyworks.UnitChange) error {
	if c.Effective.IsZero() {
		return partyworks.FieldErrorf("effective", "the effective date is required")
	}
	if c.Decision == "" {
		return partyworks.FieldErrorf("decision", "the decision that ordered the change is required (a document symbol such as 60-NQ/TW or 1679/NQ-UBTVQH15)")
	}
	if _, err := partyworks.ParseSymbol(c.Decision); err != nil {
		return &partyworks.Error{Code: partyworks.EINVALID, Field: "decision", Message: partyworks.ErrorMessage(err)}
	}
	needsUnit := c.Type != partyworks.EventEstablish && c.Type != partyworks.EventMerge
	if needsUnit && c.Unit == 0 {
		return partyworks.FieldErrorf("unit", "choose the unit to change")
	}
	newUnit := c.Type == partyworks.EventEstablish || (c.Type == partyworks.EventMerge && c.Unit == 0)
	switch {
	case c.Type == partyworks.EventRename && c.Name == "" && c.Code == "" && c.Kind == "":
		return partyworks.FieldErrorf("name", "give the new name, code or kind")
	case c.Type == partyworks.EventReparent && c.Parent == 0:
		return partyworks.FieldErrorf("parent", "choose the new parent unit")
	case c.Type == partyworks.EventMerge && len(c.Sources) == 0:
		return partyworks.FieldErrorf("sources", "choose the units to merge")
	case c.Type == partyworks.EventSplit && len(c.Targets) < 2:
		return partyworks.FieldErrorf("targets", "a split needs at least two units to divide into")
	}
	if newUnit {
		if !partyworks.ValidCode(c.Code) {
			return partyworks.FieldErrorf("code", "the code %q may hold only letters, digits, '.', '-' and '_' (at most 32)", c.Code)
		}
		if c.Name == "" {
			return partyworks.FieldErrorf("name", "the name is required")
		}
		if !c.Kind.Valid() {
			return partyworks.FieldErrorf("kind", "unknown kind %q", c.Kind)
		}
	}
	if c.Code != "" && !partyworks.ValidCode(c.Code) {
		return partyworks.FieldErrorf("code", "the code %q may hold only letters, digits, '.', '-' and '_' (at most 32)", c.Code)
	}
	if c.Kind != "" && !c.Kind.Valid() {
		return partyworks.FieldErrorf("kind", "unknown kind %q", c.Kind)
	}
	for _, id := range c.Sources {
		if id == c.Unit && c.Unit != 0 {
			return partyworks.FieldErrorf("sources", "a unit cannot be merged into itself")
		}
	}
	for _, id := range c.Targets {
		if id == c.Unit {
			return partyworks.FieldErrorf("targets", "a unit cannot be split into itself")
		}
	}
	return nil
}

// applyChange records one event inside tx.
func (tx *Tx) applyChange(c partyworks.UnitChange) (*eventRecord, error) {
	d := fmtDate(c.Effective)
	e, err := tx.newEvent(c.Type, d, c.Decision, c.Note, 0)
	if err != nil {
		return nil, err
	}
	switch c.Type {
	case partyworks.EventEstablish:
		v, err := tx.establish(c.Parent, c.Code, c.Name, c.Kind, d, e.id)
		if err != nil {
			return nil, err
		}
		return e, tx.link(e, "target", v.ref())
	case partyworks.EventRename:
		v, err := tx.editable(c.Unit, d)
		if err != nil {
			return nil, err
		}
		if c.Code != "" && c.Code != v.code {
			if err := tx.codeTaken(c.Code, d, c.Unit); err != nil {
				return nil, err
			}
		}
		n, err := tx.successor(v, d, e.id, func(n *version) {
			if c.Code != "" {
				n.code = c.Code
			}
			if c.Name != "" {
				n.name = c.Name
			}
			if c.Kind != "" {
				n.kind = c.Kind
			}
		})
		if err != nil {
			return nil, err
		}
		if n.code == v.code && n.name == v.name && n.kind == v.kind {
			return nil, partyworks.FieldErrorf("name", "%s already has that name, code and kind", v.name)
		}
		if err := tx.touch(c.Unit); err != nil {
			return nil, err
		}
		if err := tx.link(e, "source", v.ref()); err != nil {
			return nil, err
		}
		return e, tx.link(e, "target", n.ref())
	case partyworks.EventReparent:
		v, err := tx.versionAt(c.Unit, d)
		if err != nil {
			return nil, err
		}
		from, to, err := tx.reparent(c.Unit, c.Parent, d, e.id)
		if err != nil {
			return nil, err
		}
		if from != nil {
			if err := tx.link(e, "source", from.ref()); err != nil {
				return nil, err
			}
		}
		if err := tx.link(e, "source", v.ref()); err != nil {
			return nil, err
		}
		return e, tx.link(e, "target", to.ref())
	case partyworks.EventMerge:
		return e, tx.merge(e, c, d)
	case partyworks.EventSplit:
		return e, tx.split(e, c, d)
	case partyworks.EventDissolve:
		v, err := tx.editable(c.Unit, d)
		if err != nil {
			return nil, err
		}
		kids, err := tx.children(c.Unit, d)
		if err != nil {
			return nil, err
		}
		if len(kids) > 0 {
			return nil, partyworks.Errorf(partyworks.EINVALID, "%s still has %d units under it on %s: move, merge or dissolve them first", v.name, len(kids), partyworks.FormatDateVN(c.Effective))
		}
		if err := tx.foldDissolved(v, d); err != nil { // contents go to the parent
			return nil, err
		}
		if err := tx.end(v, d); err != nil {
			return nil, err
		}
		return e, tx.link(e, "source", v.ref())
	}
	return nil, partyworks.FieldErrorf("type", "unknown event %q", c.Type)
}

// merge folds the sources into the target (existing, or made from c),
// moving the sources' children under it and ending the sources.
func (tx *Tx) merge(e *eventRecord, c partyworks.UnitChange, d string) error {
	var target *version
	var err error
	if c.Unit == 0 {
		target, err = tx.establish(c.Parent, c.Code, c.Name, c.Kind, d, e.id)
	} else {
		target, err = tx.versionAt(c.Unit, d)
	}
	if err != nil {
		return err
	}
	seen := map[int64]bool{}
	for _, sid := range c.Sources {
		if sid == target.unitID {
			return partyworks.FieldErrorf("sources", "a unit cannot be merged into itself")
		}
		if seen[sid] {
			return partyworks.FieldErrorf("sources", "unit %d is named twice", sid)
		}
		seen[sid] = true
		if err := tx.fold(e, sid, target, d, nil, nil); err != nil {
			return err
		}
	}
	return tx.link(e, "target", target.ref())
}

// fold ends source sid on d after moving its children: to assign[child]
// when given, else to target.
func (tx *Tx) fold(e *eventRecord, sid int64, target *version, d string, assign map[int64]int64, options []int64) error {
	src, err := tx.editable(sid, d)
	if err != nil {
		return err
	}
	if len(target.path) > len(src.path) && target.path[:len(src.path)] == src.path {
		return partyworks.Errorf(partyworks.EINVALID, "%s cannot be merged into %s, which is inside it", src.name, target.name)
	}
	kids, err := tx.children(sid, d)
	if err != nil {
		return err
	}
	for _, k := range kids {
		to := target.unitID
		if a, ok := assign[k]; ok {
			to = a
		}
		if _, _, err := tx.reparent(k, to, d, e.id); err != nil {
			return err
		}
	}
	if err := tx.folded(Fold{From: sid, To: target.unitID, Options: options, Day: d}); err != nil {
		return err
	}
	if err := tx.end(src, d); err != nil {
		return err
	}
	return tx.link(e, "source", src.ref())
}

// split divides a unit among existing targets: each child goes where
// c.Assign says, by default to the first target; the unit ends.
func (tx *Tx) split(e *eventRecord, c partyworks.UnitChange, d string) error {
	targets := map[int64]bool{}
	var first *version
	for _, tid := range c.Targets {
		t, err := tx.versionAt(tid, d)
		if err != nil {
			return err
		}
		if first == nil {
			first = t
		}
		targets[tid] = true
		if err := tx.link(e, "target", t.ref()); err != nil {
			return err
		}
	}
	for child, to := range c.Assign {
		if !targets[to] {
			return partyworks.FieldErrorf("assign", "unit %d is assigned to unit %d, which is not one of the split's targets", child, to)
		}
	}
	return tx.fold(e, c.Unit, first, d, c.Assign, c.Targets)
}
