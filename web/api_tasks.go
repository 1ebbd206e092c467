package web

import (
	"fmt"
	"net/http"
	"strings"

	"partyworks"
)

// The JSON API of directives and tasks: the same store calls and checks as
// the pages.

type apiTask struct {
	*partyworks.Task
	Start       string                `json:"start"`
	Deadline    string                `json:"deadline"`
	DoneOn      string                `json:"done_on,omitempty"`
	EscalatedOn string                `json:"escalated_on,omitempty"`
	Status      partyworks.TaskStatus `json:"status"`
}

func (s *Server) toAPITask(t *partyworks.Task) apiTask {
	return apiTask{Task: t, Start: partyworks.FormatDate(t.Start), Deadline: partyworks.FormatDate(t.Deadline), DoneOn: partyworks.FormatDate(t.DoneOn),
		EscalatedOn: partyworks.FormatDate(t.EscalatedOn), Status: t.Status(s.today())}
}

func (s *Server) toAPITasks(ts []*partyworks.Task) []apiTask {
	out := make([]apiTask, len(ts))
	for i, t := range ts {
		out[i] = s.toAPITask(t)
	}
	return out
}

func (s *Server) apiTasks(w http.ResponseWriter, r *http.Request) {
	if !s.needTasks(w, r) {
		return
	}
	f := partyworks.TaskFilter{UnitID: pathID(r), Open: r.URL.Query().Get("open") == "true", Limit: 500}
	if r.URL.Query().Get("given") == "true" {
		f.UnitID, f.AssignerID = 0, pathID(r)
	}
	ts, total, err := s.Tasks.FindTasks(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"tasks": s.toAPITasks(ts), "total": total})
}

type apiDirective struct {
	*partyworks.Directive
	Issued string `json:"issued"`
}

func (s *Server) apiDirectives(w http.ResponseWriter, r *http.Request) {
	if !s.needTasks(w, r) {
		return
	}
	ds, err := s.Tasks.FindDirectives(r.Context(), pathID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]apiDirective, len(ds))
	for i, d := range ds {
		out[i] = apiDirective{d, partyworks.FormatDate(d.Issued)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"directives": out})
}

func (s *Server) apiDirectiveCreate(w http.ResponseWriter, r *http.Request) {
	if !s.needTasks(w, r) {
		return
	}
	var in map[string]string
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := directiveFrom(func(k string) string { return strings.TrimSpace(in[k]) }, pathID(r))
	if err == nil {
		err = s.Tasks.CreateDirective(r.Context(), d)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, apiDirective{d, partyworks.FormatDate(d.Issued)})
}

type apiRollup struct {
	*partyworks.Rollup
	ProgressHow string                   `json:"progress_how"`
	OnTimeHow   string                   `json:"on_time_how"`
	Children    []apiRollup              `json:"children,omitempty"`
	Late        []partyworks.LateUnit    `json:"late,omitempty"`
	History     []partyworks.RollupPoint `json:"history,omitempty"`
}

func toAPIRollup(r *partyworks.Rollup) apiRollup {
	out := apiRollup{Rollup: r, ProgressHow: r.Progress.Explain(), OnTimeHow: r.OnTime.Explain()}
	for _, c := range r.Children {
		out.Children = append(out.Children, toAPIRollup(c))
	}
	return out
}

func (s *Server) apiRollupGet(w http.ResponseWriter, r *http.Request) {
	u, d, err := s.directiveAt(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ro, err := s.Tasks.Rollup(r.Context(), d.ID, u.ID, r.URL.Query().Get("children") == "true")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := toAPIRollup(ro)
	if out.Late, err = s.Tasks.LateUnits(r.Context(), d.ID, u.ID, 100); err == nil {
		out.History, err = s.Tasks.RollupHistory(r.Context(), d.ID, u.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// apiAssignBody is an assignment in JSON: units by code, or a cascade.
type apiAssignBody struct {
	Units      []string `json:"units"`
	Under      string   `json:"under"`
	Kinds      []string `json:"kinds"`
	At         string   `json:"at"`
	Title      string   `json:"title"`
	Detail     string   `json:"detail"`
	Start      string   `json:"start"`
	Deadline   string   `json:"deadline"`
	Weight     int      `json:"weight"`
	Milestones int      `json:"milestones"`
}

func (s *Server) assignJSON(w http.ResponseWriter, r *http.Request) (partyworks.TaskAssign, error) {
	var in apiAssignBody
	if err := decodeJSON(w, r, &in); err != nil {
		return partyworks.TaskAssign{}, err
	}
	m := map[string]string{"under": in.Under, "at": in.At, "title": in.Title, "detail": in.Detail, "start": in.Start, "deadline": in.Deadline}
	if in.Weight != 0 {
		m["weight"] = fmt.Sprint(in.Weight)
	}
	if in.Milestones != 0 {
		m["milestones"] = fmt.Sprint(in.Milestones)
	}
	return s.assignFrom(r, func(k string) string { return strings.TrimSpace(m[k]) }, func(k string) []string {
		if k == "units" {
			return in.Units
		}
		return in.Kinds
	})
}

func (s *Server) apiAssign(w http.ResponseWriter, r *http.Request) {
	a, err := s.assignJSON(w, r)
	if err == nil {
		a.DirectiveID, _ = pathInt(r, "did")
		var n int
		if n, err = s.Tasks.Assign(r.Context(), a); err == nil {
			writeJSON(w, http.StatusCreated, map[string]any{"tasks": n})
			return
		}
	}
	s.fail(w, r, err)
}

func (s *Server) apiSubtasks(w http.ResponseWriter, r *http.Request) {
	t, err := s.pathTask(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.assignJSON(w, r)
	if err == nil {
		a.DirectiveID, a.Parent = t.DirectiveID, t.ID
		var n int
		if n, err = s.Tasks.Assign(r.Context(), a); err == nil {
			writeJSON(w, http.StatusCreated, map[string]any{"tasks": n})
			return
		}
	}
	s.fail(w, r, err)
}

func (s *Server) apiTask(w http.ResponseWriter, r *http.Request) {
	t, err := s.pathTask(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	reports, err := s.Tasks.FindTaskReports(r.Context(), t.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"task": s.toAPITask(t), "reports": reports})
}

func (s *Server) apiProgress(w http.ResponseWriter, r *http.Request) {
	id, _ := pathInt(r, "tid")
	p, err := s.progressFrom(w, r, id)
	if err == nil {
		var t *partyworks.Task
		if t, err = s.Tasks.ReportProgress(r.Context(), p); err == nil {
			writeJSON(w, http.StatusOK, s.toAPITask(t))
			return
		}
	}
	s.fail(w, r, err)
}

func (s *Server) apiReview(w http.ResponseWriter, r *http.Request) {
	id, _ := pathInt(r, "tid")
	var in struct {
		Version  int64  `json:"version"`
		Decision string `json:"decision"`
		Reason   string `json:"reason"`
	}
	err := decodeJSON(w, r, &in)
	if err == nil {
		err = reviewDecision(in.Decision)
	}
	if err == nil {
		var t *partyworks.Task
		if t, err = s.Tasks.ReviewTask(r.Context(), id, in.Version, in.Decision == "accept", in.Reason); err == nil {
			writeJSON(w, http.StatusOK, s.toAPITask(t))
			return
		}
	}
	s.fail(w, r, err)
}

func (s *Server) apiCampaign(w http.ResponseWriter, r *http.Request) {
	u, c, err := s.campaignAt(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cov, sessions, err := s.Tasks.Coverage(r.Context(), c.ID, u.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"campaign": c, "coverage": cov, "coverage_how": fmt.Sprintf("%v of %v units held a session", cov.Coverage.Args...),
		"sessions": sessions})
}

func (s *Server) apiCampaignCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Title string   `json:"title"`
		Start string   `json:"start"`
		End   string   `json:"end"`
		Kinds []string `json:"kinds"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	m := map[string]string{"title": in.Title, "start": in.Start, "end": in.End}
	c, err := s.createCampaign(r, func(k string) string { return strings.TrimSpace(m[k]) }, in.Kinds)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

func (s *Server) apiSessionCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Held     string  `json:"held"`
		Attended int     `json:"attended"`
		Expected int     `json:"expected"`
		Note     string  `json:"note"`
		Members  []int64 `json:"members"` // who attended; attended is then their number
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	m := map[string]string{"held": in.Held, "attended": fmt.Sprint(in.Attended), "expected": fmt.Sprint(in.Expected), "note": in.Note}
	ss, err := s.recordSession(r, func(k string) string { return strings.TrimSpace(m[k]) }, in.Members)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, ss)
}
