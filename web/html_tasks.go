package web

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"partyworks"
	"partyworks/i18n"
)

// taskHelpers are what the task pages share: statuses, figures, rights.
type taskHelpers struct{ Page }

// Status names a task's status today.
func (p *taskHelpers) Status(t *partyworks.Task) string {
	return p.T("task.status." + string(t.Status(p.Today)))
}

// StatusBadge is the badge class of a task's status.
func (p *taskHelpers) StatusBadge(t *partyworks.Task) string {
	switch t.Status(p.Today) {
	case partyworks.StatusOverdue, partyworks.StatusDoneLate:
		return "badge badge-red"
	case partyworks.StatusDoneOnTime:
		return "badge badge-active"
	}
	return "badge"
}

// Pct writes a figure as a percentage with one decimal in the page's language.
func (p *taskHelpers) Pct(f partyworks.Figure) string {
	if !f.Known {
		return "—"
	}
	s := strconv.FormatFloat(f.Value, 'f', 1, 64)
	if p.Lang == i18n.VI {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + "%"
}

// How writes how a figure was computed, in the page's language.
func (p *taskHelpers) How(f partyworks.Figure) string { return p.T(f.How, f.Args...) }

// Allowed reports whether the user may do an action on a unit path.
func (p *taskHelpers) Allowed(act, path string) bool {
	return p.User != nil && path != "" && p.User.Can(partyworks.Action(act), path)
}

// Kinds are the kinds a cascade may target, for forms.
func (p *taskHelpers) Kinds() []partyworks.UnitKind { return partyworks.UnitKinds }

// Rules are the roll-up rules, for forms.
func (p *taskHelpers) Rules() []partyworks.RollupRule { return partyworks.RollupRules }

// DirKinds are the kinds of source of work, for forms.
func (p *taskHelpers) DirKinds() []partyworks.DirectiveKind { return partyworks.DirectiveKinds }

type tasksPage struct {
	taskHelpers
	Unit       *partyworks.Unit
	Received   []*partyworks.Task
	Given      []*partyworks.Task
	Notes      []*partyworks.Notification
	Directives []*partyworks.Directive
}

func (s *Server) needTasks(w http.ResponseWriter, r *http.Request) bool {
	if s.Tasks == nil {
		s.notFound(w, r)
		return false
	}
	return true
}

// htmlTasks is a unit's tasks: received and given, its notifications and
// the directives on its branch.
func (s *Server) htmlTasks(w http.ResponseWriter, r *http.Request) {
	if !s.needTasks(w, r) {
		return
	}
	ctx := r.Context()
	p := &tasksPage{taskHelpers: taskHelpers{s.page(r, "task.title")}}
	p.Nav = "tree"
	var err error
	if p.Unit, err = s.Units.FindUnitByID(ctx, pathID(r), partyworks.Date{}); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Received, _, err = s.Tasks.FindTasks(ctx, partyworks.TaskFilter{UnitID: p.Unit.ID, Limit: 200}); err == nil {
		if p.Given, _, err = s.Tasks.FindTasks(ctx, partyworks.TaskFilter{AssignerID: p.Unit.ID, Limit: 200}); err == nil {
			if p.Notes, err = s.Tasks.FindNotifications(ctx, p.Unit.ID, 20); err == nil {
				p.Directives, err = s.Tasks.FindDirectives(ctx, p.Unit.ID)
			}
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "tasks.html", p)
}

type directiveFormPage struct {
	taskHelpers
	Unit *partyworks.Unit
	Form map[string]string
}

func (s *Server) htmlDirectiveForm(w http.ResponseWriter, r *http.Request) {
	if !s.needTasks(w, r) {
		return
	}
	u, err := s.Units.FindUnitByID(r.Context(), pathID(r), partyworks.Date{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &directiveFormPage{taskHelpers: taskHelpers{s.page(r, "directive.new")}, Unit: u, Form: map[string]string{"rule": "share"}}
	s.render(w, r, http.StatusOK, "directive_new.html", p)
}

func directiveFrom(get func(string) string, owner int64) (*partyworks.Directive, error) {
	d := &partyworks.Directive{OwnerID: owner, Symbol: get("symbol"), Kind: partyworks.DirectiveKind(get("kind")), Issuer: get("issuer"),
		Title: get("title"), Summary: get("summary"), Rule: partyworks.RollupRule(get("rule"))}
	if v := get("issued"); v != "" {
		day, err := partyworks.ParseDate(v)
		if err != nil {
			return nil, &partyworks.Error{Code: partyworks.EINVALID, Field: "issued", Message: partyworks.ErrorMessage(err)}
		}
		d.Issued = day
	}
	return d, nil
}

func (s *Server) htmlDirectiveCreate(w http.ResponseWriter, r *http.Request) {
	if !s.needTasks(w, r) {
		return
	}
	r.ParseForm()
	id := pathID(r)
	d, err := directiveFrom(func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }, id)
	if err == nil {
		err = s.Tasks.CreateDirective(r.Context(), d)
	}
	if err != nil {
		u, uerr := s.Units.FindUnitByID(r.Context(), id, partyworks.Date{})
		if uerr != nil {
			s.fail(w, r, uerr)
			return
		}
		p := &directiveFormPage{taskHelpers: taskHelpers{s.page(r, "directive.new")}, Unit: u, Form: map[string]string{}}
		for k := range r.PostForm {
			p.Form[k] = r.PostFormValue(k)
		}
		p.Error = partyworks.ErrorMessage(err)
		s.render(w, r, statusOf(err), "directive_new.html", p)
		return
	}
	http.Redirect(w, r, "/units/"+itoa(id)+"/directives/"+itoa(d.ID), http.StatusSeeOther)
}

type directivePage struct {
	taskHelpers
	Unit      *partyworks.Unit
	Directive *partyworks.Directive
	Rollup    *partyworks.Rollup
	Late      []partyworks.LateUnit
	History   []partyworks.RollupPoint
	Campaigns []*partyworks.StudyCampaign
	CanAssign bool
	CanAttach bool // the directive's own unit, seen by one who may assign there
}

// htmlDirective shows a directive from a unit: its roll-up over the unit's
// subtree (with how each number was computed), the units below, the late
// ones, the history, the study campaigns, and the form to give tasks.
func (s *Server) htmlDirective(w http.ResponseWriter, r *http.Request) {
	u, d, err := s.directiveAt(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	p := &directivePage{taskHelpers: taskHelpers{s.page(r, "directive.title")}, Unit: u, Directive: d}
	p.Nav = "tree"
	p.Title = d.Symbol + " " + d.Title
	if p.Rollup, err = s.Tasks.Rollup(ctx, d.ID, u.ID, true); err == nil {
		if p.Late, err = s.Tasks.LateUnits(ctx, d.ID, u.ID, 100); err == nil {
			if p.History, err = s.Tasks.RollupHistory(ctx, d.ID, u.ID); err == nil {
				p.Campaigns, err = s.Tasks.FindCampaigns(ctx, d.ID)
			}
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.CanAssign = p.Allowed(string(partyworks.ActTaskAssign), d.OwnerPath)
	p.CanAttach = p.CanAssign && u.ID == d.OwnerID
	s.render(w, r, http.StatusOK, "directive.html", p)
}

// htmlAssign gives tasks from a directive (units named or a cascade).
func (s *Server) htmlAssign(w http.ResponseWriter, r *http.Request) {
	if !s.needTasks(w, r) {
		return
	}
	r.ParseForm()
	did, _ := pathInt(r, "did")
	d, err := s.Tasks.FindDirectiveByID(r.Context(), did)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.assignFrom(r, func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }, func(k string) []string { return splitList(r.PostForm[k]) })
	if err == nil {
		a.DirectiveID = did
		_, err = s.Tasks.Assign(r.Context(), a)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/units/"+itoa(d.OwnerID)+"/directives/"+itoa(did), http.StatusSeeOther)
}

type taskPage struct {
	taskHelpers
	Task      *partyworks.Task
	Reports   []*partyworks.TaskReport
	Subs      []*partyworks.Task
	CanWrite  bool
	CanReview bool
	CanAssign bool
}

func (s *Server) htmlTask(w http.ResponseWriter, r *http.Request) {
	t, err := s.pathTask(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &taskPage{taskHelpers: taskHelpers{s.page(r, "task.one")}, Task: t}
	p.Nav = "tree"
	p.Title = t.Title
	if p.Reports, err = s.Tasks.FindTaskReports(r.Context(), t.ID); err == nil && t.SubTasks > 0 {
		p.Subs, _, err = s.Tasks.FindTasks(r.Context(), partyworks.TaskFilter{ParentID: t.ID, Limit: 500})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.CanWrite = p.Allowed(string(partyworks.ActTaskWrite), t.UnitPath)
	p.CanReview = p.Allowed(string(partyworks.ActTaskAssign), t.AssignerPath)
	p.CanAssign = p.Allowed(string(partyworks.ActTaskAssign), t.UnitPath)
	s.render(w, r, http.StatusOK, "task.html", p)
}

// progressFrom reads a progress report from a form (with evidence files)
// or JSON.
func (s *Server) progressFrom(w http.ResponseWriter, r *http.Request, taskID int64) (partyworks.ProgressReport, error) {
	p := partyworks.ProgressReport{TaskID: taskID}
	var get func(string) string
	if isJSON(r) {
		var in struct {
			Version  int64  `json:"version"`
			Progress *int   `json:"progress"`
			Reached  *int   `json:"reached"`
			Note     string `json:"note"`
			Day      string `json:"day"`
		}
		if err := decodeJSON(w, r, &in); err != nil {
			return p, err
		}
		p.Version, p.Progress, p.Reached, p.Note = in.Version, in.Progress, in.Reached, in.Note
		get = func(k string) string {
			if k == "day" {
				return in.Day
			}
			return ""
		}
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, 10*(20<<20)+(1<<20))
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
			if err := r.ParseMultipartForm(8 << 20); err != nil {
				return p, partyworks.FieldErrorf("files", "the upload could not be read: %v", tooBig(err, 200<<20))
			}
			for _, fh := range r.MultipartForm.File["files"] {
				f, err := fh.Open()
				if err != nil {
					return p, partyworks.FieldErrorf("files", "the upload could not be read")
				}
				data, err := io.ReadAll(io.LimitReader(f, 20<<20+1))
				f.Close()
				if err != nil {
					return p, partyworks.FieldErrorf("files", "the upload could not be read")
				}
				p.Files = append(p.Files, partyworks.EvidenceFile{Name: fh.Filename, Data: data})
			}
		} else {
			r.ParseForm()
		}
		get = func(k string) string { return strings.TrimSpace(r.FormValue(k)) }
		p.Version, _ = strconv.ParseInt(get("version"), 10, 64)
		p.Note = get("note")
		for _, f := range []struct {
			name string
			to   **int
		}{{"progress", &p.Progress}, {"reached", &p.Reached}} {
			if v := get(f.name); v != "" {
				n, err := strconv.Atoi(strings.TrimSuffix(v, "%"))
				if err != nil {
					return p, partyworks.FieldErrorf(f.name, "%q is not a whole number", v)
				}
				*f.to = &n
			}
		}
	}
	if v := get("day"); v != "" {
		d, err := partyworks.ParseDate(v)
		if err != nil {
			return p, &partyworks.Error{Code: partyworks.EINVALID, Field: "day", Message: partyworks.ErrorMessage(err)}
		}
		p.Day = d
	}
	return p, nil
}

func isJSON(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "application/json")
}

func (s *Server) htmlProgress(w http.ResponseWriter, r *http.Request) {
	id, _ := pathInt(r, "tid")
	p, err := s.progressFrom(w, r, id)
	if err == nil {
		_, err = s.Tasks.ReportProgress(r.Context(), p)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/tasks/"+itoa(id), http.StatusSeeOther)
}

func (s *Server) htmlReview(w http.ResponseWriter, r *http.Request) {
	id, _ := pathInt(r, "tid")
	r.ParseForm()
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	err := reviewDecision(r.PostFormValue("decision"))
	if err == nil {
		_, err = s.Tasks.ReviewTask(r.Context(), id, version, r.PostFormValue("decision") == "accept", r.PostFormValue("reason"))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/tasks/"+itoa(id), http.StatusSeeOther)
}

func reviewDecision(d string) error {
	if d != "accept" && d != "return" {
		return partyworks.FieldErrorf("decision", "accept or return the task")
	}
	return nil
}

func (s *Server) htmlSubtasks(w http.ResponseWriter, r *http.Request) {
	t, err := s.pathTask(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.ParseForm()
	a, err := s.assignFrom(r, func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }, func(k string) []string { return splitList(r.PostForm[k]) })
	if err == nil {
		a.DirectiveID, a.Parent = t.DirectiveID, t.ID
		_, err = s.Tasks.Assign(r.Context(), a)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/tasks/"+itoa(t.ID), http.StatusSeeOther)
}

// htmlEvidence serves an evidence file as an attachment, never inline,
// with its original name encoded (RFC 6266).
func (s *Server) htmlEvidence(w http.ResponseWriter, r *http.Request) {
	tid, _ := pathInt(r, "tid")
	fid, err := pathInt(r, "fid")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m, data, err := s.Tasks.Evidence(r.Context(), tid, fid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", m.Type)
	w.Header().Set("Content-Disposition", "attachment; filename=\"evidence-"+itoa(m.ID)+"\"; filename*=UTF-8''"+url.PathEscape(m.Name))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	w.Write(data)
}

// taskList is a list of tasks with the page that shows it, for the
// "tasklist" template.
type taskList struct {
	P     *taskHelpers
	Tasks []*partyworks.Task
}

// List pairs tasks with the page.
func (p *taskHelpers) List(ts []*partyworks.Task) taskList { return taskList{p, ts} }
