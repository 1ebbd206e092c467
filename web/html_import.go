package web

import (
	"net/http"
	"strconv"

	"partyworks"
)

type importPage struct {
	Page
	Under     *partyworks.Unit
	Effective string
	Decision  string
	Result    *partyworks.ImportResult
	Rows      []partyworks.RowError
}

func (s *Server) importPageFor(r *http.Request) *importPage {
	p := &importPage{Page: s.page(r, "import.title"), Effective: partyworks.FormatDate(s.today())}
	p.Nav = "import"
	if id, err := strconv.ParseInt(r.PathValue("id"), 10, 64); err == nil {
		p.Under, _ = s.Units.FindUnitByID(r.Context(), id, partyworks.Date{})
	}
	return p
}

func (s *Server) htmlImportForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "import.html", s.importPageFor(r))
}

func (s *Server) htmlImport(w http.ResponseWriter, r *http.Request) {
	p := s.importPageFor(r)
	imp, err := s.importRequest(w, r)
	if err == nil {
		p.Result, err = s.Units.ImportUnits(r.Context(), imp)
	}
	p.Effective, p.Decision = param(r, "effective"), param(r, "decision")
	status := http.StatusOK
	if err != nil {
		if code := partyworks.ErrorCode(err); code != partyworks.EINVALID && code != partyworks.ECONFLICT && code != partyworks.ENOTFOUND {
			s.fail(w, r, err)
			return
		}
		status = statusOf(err)
		if rows, ok := err.(partyworks.RowErrors); ok {
			p.Rows = rows
			p.Error = p.T("import.rejected")
		} else {
			p.Error = partyworks.ErrorMessage(err)
		}
	} else {
		p.Flash = p.T("import.done", p.Result.Created, p.Result.Skipped)
	}
	s.render(w, r, status, "import.html", p)
}

type restructurePage struct {
	Page
	Effective string
	Decision  string
	Preview   *partyworks.PlanPreview
	Plan      string // the uploaded plan, base64, sent back to apply it
	PlanName  string
	Rows      []partyworks.RowError
	Limit     int
}

// Show returns at most the page's limit of a list's entries.
func (p *restructurePage) Show(n int) int { return min(n, p.Limit) }

func (s *Server) htmlRestructureForm(w http.ResponseWriter, r *http.Request) {
	p := &restructurePage{Page: s.page(r, "plan.title"), Limit: 100}
	p.Nav = "restructure"
	s.render(w, r, http.StatusOK, "restructure.html", p)
}

// htmlRestructure previews a plan (the first submission) or applies it
// (the preview page's confirmation, which sends the same plan back with
// the reviewer's assignments).
func (s *Server) htmlRestructure(w http.ResponseWriter, r *http.Request) {
	p := &restructurePage{Page: s.page(r, "plan.title"), Limit: 100}
	p.Nav = "restructure"
	plan, up, err := s.planRequest(w, r)
	p.Effective, p.Decision = param(r, "effective"), param(r, "decision")
	if err == nil {
		if r.FormValue("apply") == "1" {
			p.Preview, err = s.Units.ApplyRestructure(r.Context(), plan)
		} else {
			p.Preview, err = s.Units.PreviewRestructure(r.Context(), plan)
		}
	}
	if err != nil {
		if code := partyworks.ErrorCode(err); code != partyworks.EINVALID && code != partyworks.ECONFLICT && code != partyworks.ENOTFOUND {
			s.fail(w, r, err)
			return
		}
		if rows, ok := err.(partyworks.RowErrors); ok {
			p.Rows = rows
			p.Error = p.T("import.rejected")
		} else {
			p.Error = partyworks.ErrorMessage(err)
		}
		s.render(w, r, statusOf(err), "restructure.html", p)
		return
	}
	if p.Preview.Applied {
		p.Flash = p.T("plan.applied")
	} else {
		p.Plan, p.PlanName = up.base64(), up.Name
	}
	s.render(w, r, http.StatusOK, "restructure.html", p)
}
