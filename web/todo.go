package web

import (
	"net/http"
	"sort"

	"partyworks"
)

// dueHorizon is how far ahead the "what needs doing" page looks.
const dueHorizonDays = 30

// todo gathers what a unit's subtree has to do, soonest first.
func (s *Server) todo(r *http.Request, unitID int64) ([]partyworks.DueItem, error) {
	until := s.today().AddDate(0, 0, dueHorizonDays)
	var items []partyworks.DueItem
	for _, src := range s.Due {
		got, err := src.FindDue(r.Context(), unitID, until)
		if err != nil {
			return nil, err
		}
		items = append(items, got...)
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].Due.Before(items[j].Due) })
	return items, nil
}

type todoPage struct {
	Page
	Unit  *partyworks.Unit
	Items []partyworks.DueItem
}

// Overdue reports whether an item is late today.
func (p *todoPage) Overdue(d partyworks.DueItem) bool { return d.Overdue(p.Today) }

func (s *Server) htmlTodo(w http.ResponseWriter, r *http.Request) {
	p := &todoPage{Page: s.page(r, "todo.title")}
	p.Nav = "tree"
	u, err := s.Units.FindUnitByID(r.Context(), pathID(r), partyworks.Date{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Unit = u
	if p.Items, err = s.todo(r, u.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "todo.html", p)
}

type apiDue struct {
	partyworks.DueItem
	Due     string `json:"due"`
	Overdue bool   `json:"overdue"`
}

func (s *Server) apiTodo(w http.ResponseWriter, r *http.Request) {
	items, err := s.todo(r, pathID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]apiDue, len(items))
	for i, it := range items {
		out[i] = apiDue{DueItem: it, Due: partyworks.FormatDate(it.Due), Overdue: it.Overdue(s.today())}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
}
