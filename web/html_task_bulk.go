package web

import (
	"net/http"
	"strconv"
	"strings"

	"partyworks"
	"partyworks/sheet"
)

// Bulk work: progress imported from a spreadsheet, a roll-up exported to
// XLSX, and the study campaigns.

type taskImportPage struct {
	taskHelpers
	Unit    *partyworks.Unit
	Written int
	Done    bool
	Rows    partyworks.RowErrors
}

func (s *Server) htmlTaskImportForm(w http.ResponseWriter, r *http.Request) {
	if !s.needTasks(w, r) {
		return
	}
	u, err := s.Units.FindUnitByID(r.Context(), pathID(r), partyworks.Date{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "task_import.html", &taskImportPage{taskHelpers: taskHelpers{s.page(r, "task.import")}, Unit: u})
}

// importProgress applies a progress file: each row's task must belong to
// a unit the caller may report for (task.write), else the row is refused.
func (s *Server) importProgress(w http.ResponseWriter, r *http.Request) (int, partyworks.RowErrors, error) {
	if s.Tasks == nil {
		return 0, nil, partyworks.Errorf(partyworks.ENOTFOUND, "tasks are not served here")
	}
	up, err := s.readUpload(w, r)
	if err != nil {
		return 0, nil, err
	}
	t, err := up.table()
	if err != nil {
		return 0, nil, err
	}
	u := userFrom(r)
	return s.Tasks.ImportProgress(r.Context(), t, func(path string) bool { return u.Can(partyworks.ActTaskWrite, path) })
}

func (s *Server) htmlTaskImport(w http.ResponseWriter, r *http.Request) {
	if !s.needTasks(w, r) {
		return
	}
	u, err := s.Units.FindUnitByID(r.Context(), pathID(r), partyworks.Date{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &taskImportPage{taskHelpers: taskHelpers{s.page(r, "task.import")}, Unit: u}
	p.Written, p.Rows, err = s.importProgress(w, r)
	if err != nil {
		p.Error = partyworks.ErrorMessage(err)
		s.render(w, r, statusOf(err), "task_import.html", p)
		return
	}
	p.Done = true
	s.render(w, r, http.StatusOK, "task_import.html", p)
}

func (s *Server) apiTaskImport(w http.ResponseWriter, r *http.Request) {
	n, bad, err := s.importProgress(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if bad == nil {
		bad = partyworks.RowErrors{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"written": n, "rejected": bad})
}

// htmlRollupExport writes the roll-up of a directive over a subtree, and
// each unit just below, to XLSX, with the formula of every figure.
func (s *Server) htmlRollupExport(w http.ResponseWriter, r *http.Request) {
	u, d, err := s.directiveAt(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ro, err := s.Tasks.Rollup(r.Context(), d.ID, u.ID, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	header := []string{"unit_id", "unit", "rule", "tasks", "done", "done_on_time", "accepted", "overdue", "progress_%", "progress_how", "on_time_%", "on_time_how"}
	row := func(x *partyworks.Rollup) []string {
		f := func(v partyworks.Figure) string {
			if !v.Known {
				return ""
			}
			return strconv.FormatFloat(v.Value, 'f', 1, 64)
		}
		c := x.Counts
		return []string{itoa(x.UnitID), x.UnitName, string(x.Rule), strconv.Itoa(c.Tasks), strconv.Itoa(c.Done), strconv.Itoa(c.DoneOnTime),
			strconv.Itoa(c.Accepted), strconv.Itoa(c.Overdue), f(x.Progress), x.Progress.Explain(), f(x.OnTime), x.OnTime.Explain()}
	}
	rows := [][]string{row(ro)}
	for _, c := range ro.Children {
		rows = append(rows, row(c))
	}
	name := "rollup-" + strings.NewReplacer("/", "_", " ", "_").Replace(d.Symbol) + "-" + itoa(u.ID) + ".xlsx"
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	if err := sheet.WriteXLSX(w, "rollup", header, rows); err != nil {
		s.log.Error("rollup export", "err", err)
	}
}

type campaignPage struct {
	taskHelpers
	Unit     *partyworks.Unit
	Campaign *partyworks.StudyCampaign
	Coverage *partyworks.StudyCoverage
	Sessions []*partyworks.StudySession
	CanWrite bool
	// Roster: the unit's party members today, to tick who attended (shown
	// to those who may record a session and read the members).
	Roster []*partyworks.Member
}

func (s *Server) htmlCampaign(w http.ResponseWriter, r *http.Request) {
	u, c, err := s.campaignAt(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &campaignPage{taskHelpers: taskHelpers{s.page(r, "study.title")}, Unit: u, Campaign: c}
	p.Nav = "tree"
	if p.Coverage, p.Sessions, err = s.Tasks.Coverage(r.Context(), c.ID, u.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	p.CanWrite = p.Allowed(string(partyworks.ActTaskWrite), u.Path)
	if p.CanWrite && s.Members != nil && p.Allowed(string(partyworks.ActMemberRead), u.Path) {
		statuses := []partyworks.MemberStatus{}
		for _, st := range partyworks.MemberStatuses {
			if st.Member() {
				statuses = append(statuses, st)
			}
		}
		if p.Roster, _, err = s.Members.FindMembers(r.Context(), partyworks.MemberFilter{Under: u.ID, Statuses: statuses, Limit: 500}); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "campaign.html", p)
}

func campaignFrom(get func(string) string, kinds []string) (*partyworks.StudyCampaign, error) {
	c := &partyworks.StudyCampaign{Title: get("title")}
	for _, f := range []struct {
		name string
		to   *partyworks.Date
	}{{"start", &c.Start}, {"end", &c.End}} {
		if v := get(f.name); v != "" {
			d, err := partyworks.ParseDate(v)
			if err != nil {
				return nil, &partyworks.Error{Code: partyworks.EINVALID, Field: f.name, Message: partyworks.ErrorMessage(err)}
			}
			*f.to = d
		}
	}
	for _, k := range kinds {
		c.Kinds = append(c.Kinds, partyworks.UnitKind(k))
	}
	return c, nil
}

func (s *Server) createCampaign(r *http.Request, get func(string) string, kinds []string) (*partyworks.StudyCampaign, error) {
	u, d, err := s.directiveAt(r)
	if err != nil {
		return nil, err
	}
	c, err := campaignFrom(get, kinds)
	if err != nil {
		return nil, err
	}
	c.DirectiveID, c.OwnerID = d.ID, u.ID
	return c, s.Tasks.CreateCampaign(r.Context(), c)
}

func (s *Server) htmlCampaignCreate(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	c, err := s.createCampaign(r, func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }, splitList(r.PostForm["kinds"]))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/units/"+itoa(pathID(r))+"/campaigns/"+itoa(c.ID), http.StatusSeeOther)
}

func studySessionFrom(get func(string) string) (*partyworks.StudySession, error) {
	ss := &partyworks.StudySession{Note: get("note")}
	var err error
	if v := get("held"); v != "" {
		if ss.Held, err = partyworks.ParseDate(v); err != nil {
			return nil, &partyworks.Error{Code: partyworks.EINVALID, Field: "held", Message: partyworks.ErrorMessage(err)}
		}
	}
	for _, f := range []struct {
		name string
		to   *int
	}{{"attended", &ss.Attended}, {"expected", &ss.Expected}} {
		if v := get(f.name); v != "" {
			if *f.to, err = strconv.Atoi(v); err != nil {
				return nil, partyworks.FieldErrorf(f.name, "%q is not a whole number", v)
			}
		}
	}
	return ss, nil
}

// recordSession records a session of the unit {id} (the unit records its
// own sessions: task.write on it).
func (s *Server) recordSession(r *http.Request, get func(string) string, members []int64) (*partyworks.StudySession, error) {
	u, c, err := s.campaignAt(r)
	if err != nil {
		return nil, err
	}
	ss, err := studySessionFrom(get)
	if err != nil {
		return nil, err
	}
	ss.CampaignID, ss.UnitID, ss.Members = c.ID, u.ID, members
	return ss, s.Tasks.RecordSession(r.Context(), ss)
}

func (s *Server) htmlSessionCreate(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	var members []int64
	for _, v := range r.PostForm["member"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			s.fail(w, r, partyworks.FieldErrorf("members", "%q is not a member", v))
			return
		}
		members = append(members, id)
	}
	if _, err := s.recordSession(r, func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }, members); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/units/"+itoa(pathID(r))+"/campaigns/"+r.PathValue("cid"), http.StatusSeeOther)
}
