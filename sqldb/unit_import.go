package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"partyworks"
	"partyworks/vntext"
)

// treeAt loads every unit standing on day d, keyed by code. The national
// tree is some 60,000 rows: a few tens of milliseconds, and it spares one
// query per imported row.
func (tx *Tx) treeAt(d string) (map[string]*version, error) {
	rows, err := tx.Query(`SELECT id, unit_id, code, name, kind, parent_id, path, depth, valid_from, valid_to
		FROM unit_versions WHERE valid_from <= ? AND valid_to > ?`, d, d)
	if err != nil {
		return nil, fmt.Errorf("tree: %w", err)
	}
	defer rows.Close()
	out := map[string]*version{}
	for rows.Next() {
		var v version
		var parent sql.NullInt64
		if err := rows.Scan(&v.id, &v.unitID, &v.code, &v.name, &v.kind, &parent, &v.path, &v.depth, &v.from, &v.to); err != nil {
			return nil, err
		}
		v.parentID = parent.Int64
		out[v.code] = &v
	}
	return out, rows.Err()
}

// ImportUnits adds a tree, all or nothing. A row whose code already stands
// with the same name, kind and parent is skipped, so importing a file
// twice changes nothing; any other fault is reported with its line and
// nothing is written.
func (s *UnitService) ImportUnits(ctx context.Context, imp partyworks.UnitImport) (*partyworks.ImportResult, error) {
	if imp.Effective.IsZero() {
		return nil, partyworks.FieldErrorf("effective", "the date the units stand from is required")
	}
	if imp.Decision != "" {
		if _, err := partyworks.ParseSymbol(imp.Decision); err != nil {
			return nil, &partyworks.Error{Code: partyworks.EINVALID, Field: "decision", Message: partyworks.ErrorMessage(err)}
		}
	}
	d := fmtDate(imp.Effective)
	res := &partyworks.ImportResult{}
	err := s.db.update(ctx, func(tx *Tx) error {
		if err := tx.lockTree(); err != nil {
			return err
		}
		existing, err := tx.treeAt(d)
		if err != nil {
			return err
		}
		var under *version
		if imp.Under != 0 {
			if under, err = tx.versionAt(imp.Under, d); err != nil {
				return err
			}
		}
		order, errs := importOrder(imp.Rows, existing, res)
		if len(errs) > 0 {
			return errs
		}
		if len(order) == 0 {
			return nil
		}
		e, err := tx.newEvent(partyworks.EventEstablish, d, imp.Decision, "", 0)
		if err != nil {
			return err
		}
		if err := tx.insertTree(order, existing, under, d, e); err != nil {
			return err
		}
		res.Created = len(order)
		return tx.audit("unit.import", "event:"+strconv.FormatInt(e.id, 10), nil, map[string]any{
			"created": res.Created, "skipped": res.Skipped, "effective": d, "decision": imp.Decision, "under": imp.Under})
	})
	if err != nil {
		return nil, err
	}
	if res.Created > 1000 {
		s.db.analyze(ctx)
	}
	return res, nil
}

// importOrder checks the rows against the tree and returns the new ones,
// each after its parent. Skipped rows are counted in res.
func importOrder(rows []partyworks.UnitRow, existing map[string]*version, res *partyworks.ImportResult) ([]*partyworks.UnitRow, partyworks.RowErrors) {
	var errs partyworks.RowErrors
	fresh := map[string]*partyworks.UnitRow{}
	codeOf := make(map[int64]string, len(existing))
	for _, v := range existing {
		codeOf[v.unitID] = v.code
	}
	kids := map[string][]*partyworks.UnitRow{} // parent code → new rows under it
	var order []*partyworks.UnitRow
	for i := range rows {
		r := &rows[i]
		if v, ok := existing[r.Code]; ok {
			if v.name == r.Name && v.kind == r.Kind && codeOf[v.parentID] == r.ParentCode {
				res.Skipped++
				continue
			}
			errs = append(errs, partyworks.RowError{Line: r.Line, Column: "code", Reason: fmt.Sprintf("the code %s is already used by %s", r.Code, v.name)})
			continue
		}
		fresh[r.Code] = r
	}
	for _, r := range fresh {
		if r.ParentCode == "" {
			order = append(order, r)
			continue
		}
		if _, ok := existing[r.ParentCode]; ok {
			order = append(order, r)
			continue
		}
		if _, ok := fresh[r.ParentCode]; !ok {
			errs = append(errs, partyworks.RowError{Line: r.Line, Column: "parent_code", Reason: fmt.Sprintf("no unit has the code %s, in the file or in the tree", r.ParentCode)})
			continue
		}
		kids[r.ParentCode] = append(kids[r.ParentCode], r)
	}
	// Rows whose parents stand already come first, then their descendants,
	// level by level; what is never reached sits on a cycle.
	for i := 0; i < len(order); i++ {
		order = append(order, kids[order[i].Code]...)
		delete(kids, order[i].Code)
	}
	for _, rs := range kids {
		for _, r := range rs {
			errs = append(errs, partyworks.RowError{Line: r.Line, Column: "parent_code", Reason: fmt.Sprintf("the unit %s is its own ancestor through %s: the tree has a cycle", r.Code, r.ParentCode)})
		}
	}
	sortRowErrors(errs)
	return order, errs
}

func sortRowErrors(errs partyworks.RowErrors) {
	for i := 1; i < len(errs); i++ {
		for j := i; j > 0 && errs[j].Line < errs[j-1].Line; j-- {
			errs[j], errs[j-1] = errs[j-1], errs[j]
		}
	}
}

// insertTree writes the ordered rows with prepared statements.
func (tx *Tx) insertTree(order []*partyworks.UnitRow, existing map[string]*version, under *version, d string, e *eventRecord) error {
	insUnit, err := tx.Prepare(`INSERT INTO units (created_at) VALUES (?) RETURNING id`)
	if err != nil {
		return err
	}
	defer insUnit.Close()
	insVersion, err := tx.Prepare(`INSERT INTO unit_versions (unit_id, code, name, name_fold, kind, parent_id, path, depth, valid_from, valid_to, event_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insVersion.Close()
	insLink, err := tx.Prepare(`INSERT INTO unit_event_units (event_id, unit_id, role, code, name) VALUES (?, ?, 'target', ?, ?)`)
	if err != nil {
		return err
	}
	defer insLink.Close()
	now := fmtTime(tx.now)
	for _, r := range order {
		parent := under
		if r.ParentCode != "" {
			parent = existing[r.ParentCode]
		}
		var id int64
		if err := insUnit.QueryRowContext(tx.ctx, now).Scan(&id); err != nil {
			return fmt.Errorf("line %d: %w", r.Line, err)
		}
		v := &version{unitID: id, code: r.Code, name: r.Name, kind: r.Kind, path: "/" + strconv.FormatInt(id, 10) + "/", from: d, to: forever}
		var pid any
		if parent != nil {
			v.parentID, v.path, v.depth = parent.unitID, parent.path+strconv.FormatInt(id, 10)+"/", parent.depth+1
			pid = parent.unitID
		}
		if _, err := insVersion.ExecContext(tx.ctx, id, r.Code, r.Name, vntext.Fold(r.Name), string(r.Kind), pid, v.path, v.depth, d, forever, e.id); err != nil {
			return fmt.Errorf("line %d: %w", r.Line, err)
		}
		if _, err := insLink.ExecContext(tx.ctx, e.id, id, r.Code, r.Name); err != nil {
			return fmt.Errorf("line %d: %w", r.Line, err)
		}
		existing[r.Code] = v
	}
	return nil
}
