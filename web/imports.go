package web

import (
	"net/http"
	"strconv"

	"partyworks"
)

// importRequest reads and checks an import of units: the rows, the unit
// they go under (from the path, if any), the day and the decision. Every
// existing unit the rows hang from must lie in the caller's import scope;
// rows with no parent and no unit above them make new roots, which only a
// national administrator may add.
func (s *Server) importRequest(w http.ResponseWriter, r *http.Request) (partyworks.UnitImport, error) {
	var imp partyworks.UnitImport
	up, err := s.readUpload(w, r)
	if err != nil {
		return imp, err
	}
	t, err := up.table()
	if err != nil {
		return imp, err
	}
	if imp.Rows, err = partyworks.UnitRowsFromTable(t); err != nil {
		return imp, err
	}
	if imp.Effective, err = optionalDate("effective", param(r, "effective")); err != nil {
		return imp, err
	}
	if imp.Effective.IsZero() {
		imp.Effective = s.today()
	}
	imp.Decision = param(r, "decision")
	if id := r.PathValue("id"); id != "" {
		imp.Under, _ = strconv.ParseInt(id, 10, 64)
	}
	inFile := map[string]bool{}
	for _, row := range imp.Rows {
		inFile[row.Code] = true
	}
	checked := map[string]bool{}
	for _, row := range imp.Rows {
		switch {
		case row.ParentCode == "" && imp.Under == 0:
			if err := s.check(r, partyworks.ActUnitImport, target{Any: []string{""}}); err != nil {
				return imp, err
			}
		case row.ParentCode != "" && !inFile[row.ParentCode] && !checked[row.ParentCode]:
			checked[row.ParentCode] = true
			p, err := s.Units.FindUnitByCode(r.Context(), row.ParentCode, imp.Effective)
			if err != nil {
				return imp, partyworks.RowErrors{{Line: row.Line, Column: "parent_code", Reason: partyworks.ErrorMessage(err)}}
			}
			if err := s.check(r, partyworks.ActUnitImport, target{Any: []string{p.Path}}); err != nil {
				return imp, err
			}
		}
	}
	return imp, nil
}

// planRequest reads and checks a restructuring plan: every unit it names,
// old or new parent, must lie in the caller's scope. A national
// administrator is checked once for the whole tree.
func (s *Server) planRequest(w http.ResponseWriter, r *http.Request) (*partyworks.Plan, *upload, error) {
	up, err := s.readUpload(w, r)
	if err != nil {
		return nil, nil, err
	}
	t, err := up.table()
	if err != nil {
		return nil, up, err
	}
	p := &partyworks.Plan{Decision: param(r, "decision")}
	if p.Effective, err = optionalDate("effective", param(r, "effective")); err != nil {
		return nil, up, err
	}
	if p.Effective.IsZero() {
		return nil, up, partyworks.FieldErrorf("effective", "the effective date is required")
	}
	if p.Rows, err = partyworks.PlanFromTable(t); err != nil {
		return nil, up, err
	}
	if r.Form != nil {
		for key, vals := range r.Form {
			if id, ok := cutPrefixID(key, "assign_"); ok && len(vals) > 0 && vals[0] != "" {
				if p.Assign == nil {
					p.Assign = map[int64]string{}
				}
				p.Assign[id] = vals[0]
			}
		}
	}
	u := userFrom(r)
	if u.Can(partyworks.ActRestructure, "") {
		return p, up, nil
	}
	seen := map[string]bool{}
	var assigned []string
	for _, code := range p.Assign {
		assigned = append(assigned, code)
	}
	for i, row := range p.Rows {
		codes := []string{row.OldCode, row.NewParentCode}
		if i == 0 {
			codes = append(codes, assigned...)
		}
		for _, code := range codes {
			if code == "" || seen[code] {
				continue
			}
			seen[code] = true
			unit, err := s.Units.FindUnitByCode(r.Context(), code, p.Effective.AddDate(0, 0, -1))
			if err != nil {
				continue // a new unit of the plan, or an unknown code the plan will report
			}
			if err := s.check(r, partyworks.ActRestructure, target{Any: []string{unit.Path}}); err != nil {
				return nil, up, err
			}
		}
		if row.NewParentCode == "" {
			if err := s.check(r, partyworks.ActRestructure, target{Any: []string{""}}); err != nil {
				return nil, up, err
			}
		}
	}
	return p, up, nil
}

func cutPrefixID(s, prefix string) (int64, bool) {
	if len(s) <= len(prefix) || s[:len(prefix)] != prefix {
		return 0, false
	}
	id, err := strconv.ParseInt(s[len(prefix):], 10, 64)
	return id, err == nil
}
