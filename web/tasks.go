package web

import (
	"net/http"
	"strconv"
	"strings"

	"partyworks"
)

// The targets of the task routes. A task is read by its unit and by the
// unit that assigned it; progress is the business of its unit alone, a
// review of the assigning unit alone; a directive's tasks are given by the
// directive's unit.

func pathInt(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, partyworks.Errorf(partyworks.ENOTFOUND, "no such %s", name)
	}
	return id, nil
}

func (s *Server) pathTask(r *http.Request) (*partyworks.Task, error) {
	if s.Tasks == nil {
		return nil, partyworks.Errorf(partyworks.ENOTFOUND, "tasks are not served here")
	}
	id, err := pathInt(r, "tid")
	if err != nil {
		return nil, err
	}
	return s.Tasks.FindTaskByID(r.Context(), id)
}

// taskScope targets a task's unit and its assigning unit (either suffices).
func taskScope(s *Server, r *http.Request) (target, bool, error) {
	t, err := s.pathTask(r)
	if err != nil {
		return target{}, false, err
	}
	return target{Any: []string{t.UnitPath, t.AssignerPath}}, true, nil
}

// taskUnit targets the task's own unit only.
func taskUnit(s *Server, r *http.Request) (target, bool, error) {
	t, err := s.pathTask(r)
	if err != nil {
		return target{}, false, err
	}
	return target{Any: []string{t.UnitPath}}, true, nil
}

// taskAssigner targets the unit that assigned the task.
func taskAssigner(s *Server, r *http.Request) (target, bool, error) {
	t, err := s.pathTask(r)
	if err != nil {
		return target{}, false, err
	}
	return target{Any: []string{t.AssignerPath}}, true, nil
}

// directiveOwner targets the unit that registered the directive ({did}).
func directiveOwner(s *Server, r *http.Request) (target, bool, error) {
	if s.Tasks == nil {
		return target{}, false, partyworks.Errorf(partyworks.ENOTFOUND, "tasks are not served here")
	}
	id, err := pathInt(r, "did")
	if err != nil {
		return target{}, false, err
	}
	d, err := s.Tasks.FindDirectiveByID(r.Context(), id)
	if err != nil {
		return target{}, false, err
	}
	return target{Any: []string{d.OwnerPath}}, true, nil
}

// related reports whether two units lie on one branch: one is inside the
// other's subtree (or they are the same).
func related(a, b string) bool { return strings.HasPrefix(a, b) || strings.HasPrefix(b, a) }

// directiveAt finds the directive {did} as seen from the unit {id}: it
// must have been registered on the unit's branch (above it, by it or
// inside it); any other is "not found", so its title does not leak.
func (s *Server) directiveAt(r *http.Request) (*partyworks.Unit, *partyworks.Directive, error) {
	if s.Tasks == nil {
		return nil, nil, partyworks.Errorf(partyworks.ENOTFOUND, "tasks are not served here")
	}
	u, err := s.Units.FindUnitByID(r.Context(), pathID(r), partyworks.Date{})
	if err != nil {
		return nil, nil, err
	}
	id, err := pathInt(r, "did")
	if err != nil {
		return nil, nil, err
	}
	d, err := s.Tasks.FindDirectiveByID(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	if !related(u.Path, d.OwnerPath) {
		return nil, nil, partyworks.Errorf(partyworks.ENOTFOUND, "directive %d does not exist", id)
	}
	return u, d, nil
}

// campaignAt finds the campaign {cid} as seen from the unit {id}.
func (s *Server) campaignAt(r *http.Request) (*partyworks.Unit, *partyworks.StudyCampaign, error) {
	if s.Tasks == nil {
		return nil, nil, partyworks.Errorf(partyworks.ENOTFOUND, "tasks are not served here")
	}
	u, err := s.Units.FindUnitByID(r.Context(), pathID(r), partyworks.Date{})
	if err != nil {
		return nil, nil, err
	}
	id, err := pathInt(r, "cid")
	if err != nil {
		return nil, nil, err
	}
	c, err := s.Tasks.FindCampaignByID(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	owner, err := s.Units.FindUnitByID(r.Context(), c.OwnerID, partyworks.Date{})
	if err != nil {
		return nil, nil, err
	}
	if !related(u.Path, owner.Path) {
		return nil, nil, partyworks.Errorf(partyworks.ENOTFOUND, "study campaign %d does not exist", id)
	}
	return u, c, nil
}

// assignFrom reads an assignment from a form or JSON-like values: units by
// code (as they stood on the day), or a cascade under a unit by kinds.
func (s *Server) assignFrom(r *http.Request, get func(string) string, list func(string) []string) (partyworks.TaskAssign, error) {
	var a partyworks.TaskAssign
	var err error
	a.Title, a.Detail = get("title"), get("detail")
	for _, f := range []struct {
		name string
		to   *partyworks.Date
	}{{"start", &a.Start}, {"deadline", &a.Deadline}, {"at", &a.At}} {
		if v := get(f.name); v != "" {
			if *f.to, err = partyworks.ParseDate(v); err != nil {
				return a, &partyworks.Error{Code: partyworks.EINVALID, Field: f.name, Message: partyworks.ErrorMessage(err)}
			}
		}
	}
	for _, f := range []struct {
		name string
		to   *int
	}{{"weight", &a.Weight}, {"milestones", &a.Milestones}} {
		if v := get(f.name); v != "" {
			if *f.to, err = strconv.Atoi(v); err != nil {
				return a, partyworks.FieldErrorf(f.name, "%q is not a whole number", v)
			}
		}
	}
	at := a.At
	if at.IsZero() {
		at = a.Start
	}
	if at.IsZero() {
		at = s.today()
	}
	for _, code := range list("units") {
		u, err := s.Units.FindUnitByCode(r.Context(), code, at)
		if err != nil {
			return a, &partyworks.Error{Code: partyworks.EINVALID, Field: "units", Message: partyworks.ErrorMessage(err)}
		}
		a.Units = append(a.Units, u.ID)
	}
	if code := get("under"); code != "" {
		u, err := s.Units.FindUnitByCode(r.Context(), code, at)
		if err != nil {
			return a, &partyworks.Error{Code: partyworks.EINVALID, Field: "under", Message: partyworks.ErrorMessage(err)}
		}
		a.Under = u.ID
		for _, k := range list("kinds") {
			a.Kinds = append(a.Kinds, partyworks.UnitKind(k))
		}
	}
	return a, nil
}

// splitList splits "a, b; c" into its items.
func splitList(vs []string) []string {
	var out []string
	for _, v := range vs {
		out = append(out, strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' })...)
	}
	return out
}
