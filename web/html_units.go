package web

import (
	"net/http"
	"strconv"

	"partyworks"
)

// pageSize is how many units a list shows: a province may have thousands
// of children, so lists are paged by code and searchable.
const pageSize = 50

type homePage struct {
	Page
	Roots   []*partyworks.Unit
	Query   string
	Results []*partyworks.Unit
	Total   int
}

// htmlHome shows where the user can start: the roots of the tree for a
// national user, their own units otherwise; and a search over everything
// they may read.
func (s *Server) htmlHome(w http.ResponseWriter, r *http.Request) {
	if _, err := s.atDate(r); err != nil {
		s.fail(w, r, err)
		return
	}
	p := &homePage{Page: s.page(r, "tree.title"), Query: r.URL.Query().Get("q")}
	p.Nav = "tree"
	u := userFrom(r)
	ctx := r.Context()
	paths := readablePaths(u)
	if paths == nil {
		root := int64(0)
		roots, _, err := s.Units.FindUnits(ctx, partyworks.UnitFilter{At: p.At, ParentID: &root, Limit: 200})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Roots = roots
	} else {
		for _, g := range u.Grants {
			if g.UnitID == 0 {
				continue
			}
			if unit, err := s.Units.FindUnitByID(ctx, g.UnitID, p.At); err == nil {
				p.Roots = append(p.Roots, unit)
			} else if unit, err := s.Units.FindUnitByID(ctx, g.UnitID, partyworks.Date{}); err == nil {
				p.Roots = append(p.Roots, unit)
			}
		}
	}
	if p.Query != "" && (paths == nil || len(paths) > 0) {
		res, total, err := s.Units.FindUnits(ctx, partyworks.UnitFilter{At: p.At, Query: p.Query, Within: paths, Limit: pageSize})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Results, p.Total = res, total
	}
	s.render(w, r, http.StatusOK, "home.html", p)
}

type unitPage struct {
	Page
	Unit      *partyworks.Unit
	Missing   string // why the unit is not shown on the day asked
	Ancestors []crumb
	Parent    *crumb
	Children  []*partyworks.Unit
	Total     int
	Query     string
	After     string
	Next      string
	Events    []*partyworks.UnitEvent
	// Heir: the unit that takes over this unit's open tasks (and
	// registers) when its end, recorded ahead, comes; HeirLink: the user
	// may read it.
	Heir     *partyworks.UnitHeir
	HeirLink bool
	// The unit's own end (not its version's: a rename or a move ends a
	// version): EndsAhead while it is still ahead, Over once it has come;
	// EndDay is its last day, LastVersion whether the version shown is the
	// one that ends with it.
	EndsAhead, Over, LastVersion bool
	EndDay                       partyworks.Date
}

// crumb is an ancestor in the breadcrumb: linked only if the user may
// read it.
type crumb struct {
	Unit *partyworks.Unit
	Link bool
}

func (s *Server) htmlUnit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	p := &unitPage{Page: s.page(r, "unit.name"), Query: r.URL.Query().Get("q"), After: r.URL.Query().Get("after")}
	p.Nav = "tree"
	unit, err := s.Units.FindUnitByID(ctx, id, p.At)
	if partyworks.ErrorCode(err) == partyworks.ENOTFOUND && partyworks.ErrorField(err) == "at" {
		// It did not stand that day: show it as it last stood, and say so.
		p.Missing = partyworks.ErrorMessage(err)
		unit, err = s.Units.FindUnitByID(ctx, id, partyworks.Date{})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Unit, p.Title = unit, unit.Name
	day := p.At
	if p.Missing != "" {
		day = unit.ValidFrom
	}
	anc, err := s.Units.Ancestors(ctx, unit, day)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, a := range anc {
		p.Ancestors = append(p.Ancestors, crumb{Unit: a, Link: p.User.Can(partyworks.ActUnitRead, a.Path)})
	}
	if len(p.Ancestors) > 0 {
		p.Parent = &p.Ancestors[len(p.Ancestors)-1]
	}
	if p.Missing == "" {
		kids, total, err := s.Units.FindUnits(ctx, partyworks.UnitFilter{At: p.At, ParentID: &unit.ID, Query: p.Query, After: p.After, Limit: pageSize})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Children, p.Total = kids, total
		if len(kids) == pageSize {
			p.Next = kids[len(kids)-1].Code
		}
	}
	if p.Events, err = s.Units.FindUnitEvents(ctx, unit.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	last := unit
	if unit.Ended() {
		if last, err = s.Units.FindUnitByID(ctx, unit.ID, partyworks.Date{}); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if last.Ended() {
		p.EndsAhead, p.EndDay = s.today().Before(last.ValidTo), last.LastDay()
		p.Over, p.LastVersion = !p.EndsAhead, unit.ValidTo.Equal(last.ValidTo)
	}
	if p.EndsAhead {
		heir, err := s.Units.FindUnitHeir(ctx, unit.ID)
		if err != nil && partyworks.ErrorCode(err) != partyworks.ENOTFOUND {
			s.fail(w, r, err)
			return
		}
		if heir != nil {
			p.Heir, p.HeirLink = heir, p.User.Can(partyworks.ActUnitRead, heir.Unit.Path)
		}
	}
	s.render(w, r, http.StatusOK, "unit.html", p)
}

// EventName names an event type.
func (p *Page) EventName(t partyworks.UnitEventType) string { return p.T("event." + string(t)) }
