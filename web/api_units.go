package web

import (
	"net/http"
	"strconv"

	"partyworks"
)

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, userFrom(r))
}

// apiUnits finds units on a day by code, parent, subtree or name. Without
// a parent or subtree, the search covers only what the caller may read, so
// neither the items nor the total reveal units outside it.
func (s *Server) apiUnits(w http.ResponseWriter, r *http.Request) {
	at, err := s.atDate(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := partyworks.UnitFilter{At: at, Query: q.Get("q"), After: q.Get("after"), Limit: atoiDefault(q.Get("limit"), 50)}
	if v := q.Get("parent"); v != "" {
		id, _ := strconv.ParseInt(v, 10, 64)
		f.ParentID = &id
	} else if v := q.Get("under"); v != "" {
		id, _ := strconv.ParseInt(v, 10, 64)
		f.Under = &id
	} else {
		f.Within = readablePaths(userFrom(r))
	}
	if v := q.Get("code"); v != "" {
		f.Code = &v
	}
	if v := q.Get("kind"); v != "" {
		f.Kinds = []partyworks.UnitKind{partyworks.UnitKind(v)}
	}
	s.writeUnitList(w, r, f)
}

func (s *Server) writeUnitList(w http.ResponseWriter, r *http.Request, f partyworks.UnitFilter) {
	us, total, err := s.Units.FindUnits(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := unitList{At: partyworks.FormatDate(f.At), Total: total, Items: toAPIUnits(us)}
	if f.Limit > 0 && len(us) == f.Limit {
		l.Next = us[len(us)-1].Code
	}
	writeJSON(w, http.StatusOK, l)
}

func atoiDefault(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return def
	}
	return min(n, 500)
}

func pathID(r *http.Request) int64 {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id
}

func (s *Server) apiUnit(w http.ResponseWriter, r *http.Request) {
	at, err := s.atDate(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.Units.FindUnitByID(r.Context(), pathID(r), at)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a := toAPIUnit(u)
	if u.Ended() {
		h, err := s.Units.FindUnitHeir(r.Context(), u.ID)
		if err != nil && partyworks.ErrorCode(err) != partyworks.ENOTFOUND {
			s.fail(w, r, err)
			return
		}
		if h != nil {
			a.Heir = &apiHeir{Name: h.Unit.Name, Day: partyworks.FormatDate(h.Day), Registers: h.Registers}
			if userFrom(r).Can(partyworks.ActUnitRead, h.Unit.Path) {
				a.Heir.ID = h.Unit.ID
			}
		}
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) apiChildren(w http.ResponseWriter, r *http.Request) {
	at, err := s.atDate(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id := pathID(r)
	if _, err := s.Units.FindUnitByID(r.Context(), id, at); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	s.writeUnitList(w, r, partyworks.UnitFilter{At: at, ParentID: &id, Query: q.Get("q"), After: q.Get("after"), Limit: atoiDefault(q.Get("limit"), 50)})
}

func (s *Server) apiAncestors(w http.ResponseWriter, r *http.Request) {
	at, err := s.atDate(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.Units.FindUnitByID(r.Context(), pathID(r), at)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	anc, err := s.Units.Ancestors(r.Context(), u, at)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"at": partyworks.FormatDate(at), "items": toAPIUnits(anc)})
}

func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request) {
	es, err := s.Units.FindUnitEvents(r.Context(), pathID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": toAPIEvents(es)})
}

// eventRequest is the body of POST /api/v1/units/{id}/events.
type eventRequest struct {
	Type      partyworks.UnitEventType `json:"type"`
	Effective string                   `json:"effective"`
	Decision  string                   `json:"decision"`
	Note      string                   `json:"note,omitempty"`
	Parent    int64                    `json:"parent,omitempty"`
	Code      string                   `json:"code,omitempty"`
	Name      string                   `json:"name,omitempty"`
	Kind      partyworks.UnitKind      `json:"kind,omitempty"`
	Sources   []int64                  `json:"sources,omitempty"`
	Targets   []int64                  `json:"targets,omitempty"`
	Assign    map[string]int64         `json:"assign,omitempty"` // child id → new parent id
	Version   int64                    `json:"version,omitempty"`
}

func (s *Server) apiEventCreate(w http.ResponseWriter, r *http.Request) {
	var req eventRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	eff, err := partyworks.ParseDate(req.Effective)
	if err != nil {
		s.fail(w, r, &partyworks.Error{Code: partyworks.EINVALID, Field: "effective", Message: partyworks.ErrorMessage(err)})
		return
	}
	c := partyworks.UnitChange{Type: req.Type, Effective: eff, Decision: req.Decision, Note: req.Note, Parent: req.Parent,
		Code: req.Code, Name: req.Name, Kind: req.Kind, Sources: req.Sources, Targets: req.Targets, Version: req.Version}
	for k, v := range req.Assign {
		child, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			s.fail(w, r, partyworks.FieldErrorf("assign", "%q is not a unit id", k))
			return
		}
		if c.Assign == nil {
			c.Assign = map[int64]int64{}
		}
		c.Assign[child] = v
	}
	ev, err := s.applyChange(r, pathID(r), c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, apiEvent{UnitEvent: ev, Effective: partyworks.FormatDate(ev.Effective)})
}

func (s *Server) apiImport(w http.ResponseWriter, r *http.Request) {
	imp, err := s.importRequest(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.Units.ImportUnits(r.Context(), imp)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// apiRestructure previews or applies a plan, by the path.
func (s *Server) apiRestructure(w http.ResponseWriter, r *http.Request) {
	plan, _, err := s.planRequest(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var pv *partyworks.PlanPreview
	if r.URL.Path == "/api/v1/restructure/apply" {
		pv, err = s.Units.ApplyRestructure(r.Context(), plan)
	} else {
		pv, err = s.Units.PreviewRestructure(r.Context(), plan)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pv)
}
