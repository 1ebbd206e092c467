package web

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"partyworks"
)

type membersPage struct {
	Page
	Unit    *partyworks.Unit
	Filter  partyworks.MemberFilter
	Status  string
	Members []*partyworks.Member
	Total   int
	Next    string
	Query   string // the filter as a query string, for paging and exports
	// Incoming are the members in transfer to the subtree, sent and not
	// yet received: listed at the receiving unit too (first page, today).
	Incoming []*partyworks.Member
}

// Statuses are the choices of the status filter.
func (p *membersPage) Statuses() []partyworks.MemberStatus { return partyworks.MemberStatuses }

// Fields are the form's text fields, in order.
func (p *memberFormPage) Fields() []string {
	return []string{"full_name", "citizen_id", "birth_date", "ethnicity", "religion", "education", "professional", "theory",
		"occupation", "birthplace", "hometown", "address", "card_number", "record_number", "admitted", "ceremony"}
}

// More reports whether the total was capped.
func (p *membersPage) More() bool { return p.Total > 10000 }

// Counted reports whether the search counted its members (a broad name in
// a subtree is not: see sqldb FindMembers).
func (p *membersPage) Counted() bool { return p.Total >= 0 }

// StatusName names a status in the page's language.
func (p *Page) StatusName(s partyworks.MemberStatus) string { return p.T("status." + string(s)) }

func (s *Server) htmlMembers(w http.ResponseWriter, r *http.Request) {
	ms, err := s.members()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &membersPage{Page: s.page(r, "members.title")}
	p.Nav = "tree"
	// A route without {id} (/members, national grants only) lists the
	// whole country: the filter's subtree is then none.
	if id := pathID(r); id != 0 {
		if p.Unit, err = s.Units.FindUnitByID(r.Context(), id, partyworks.Date{}); err != nil {
			s.fail(w, r, err)
			return
		}
	} else {
		p.Nav = "country"
	}
	if p.Filter, err = s.memberFilter(r); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(p.Filter.Statuses) == 1 {
		p.Status = string(p.Filter.Statuses[0])
	}
	p.Filter.Brief = true // the page shows names, birth days, statuses and units
	if p.Members, p.Total, err = ms.FindMembers(r.Context(), p.Filter); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Unit != nil && p.Filter.After == "" && r.URL.Query().Get("at") == "" {
		if p.Incoming, err = ms.FindIncoming(r.Context(), p.Unit.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	q := r.URL.Query()
	q.Del("after")
	p.Query = q.Encode()
	if len(p.Members) == p.Filter.Limit {
		q.Set("after", p.Members[len(p.Members)-1].Cursor)
		p.Next = q.Encode()
	}
	s.render(w, r, http.StatusOK, "members.html", p)
}

// htmlMembersExport writes the list as filtered (every page of it, up to
// 100,000 rows), limited to the route's subtree like the list.
func (s *Server) htmlMembersExport(w http.ResponseWriter, r *http.Request) {
	ms, err := s.members()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.memberFilter(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f.Limit, f.After = 100000, ""
	list, _, err := ms.FindMembers(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	codes := map[int64]string{}
	rows := make([][]string, len(list))
	for i, m := range list {
		code, ok := codes[m.UnitID]
		if !ok {
			if u, err := s.Units.FindUnitByID(r.Context(), m.UnitID, partyworks.Date{}); err == nil {
				code = u.Code
			}
			codes[m.UnitID] = code
		}
		rows[i] = memberRow(m, code)
	}
	if err := writeSheet(w, "members", r.URL.Query().Get("format"), memberHeader(), rows); err != nil {
		s.fail(w, r, err)
	}
}

type memberStatsPage struct {
	Page
	Unit     *partyworks.Unit // nil: the whole country
	Total    int
	Sections []statSection
	// Provinces are the country page's rows: each root unit on the day.
	Provinces []provinceRow
}

func (s *Server) memberStats(r *http.Request) (*memberStatsPage, error) {
	ms, err := s.members()
	if err != nil {
		return nil, err
	}
	p := &memberStatsPage{Page: s.page(r, "members.stats")}
	p.Nav = "tree"
	if p.Unit, err = s.Units.FindUnitByID(r.Context(), pathID(r), partyworks.Date{}); err != nil {
		return nil, err
	}
	st, err := ms.MemberStats(r.Context(), p.Unit.ID, p.At)
	if err != nil {
		return nil, err
	}
	p.Total = st.Total()
	p.Sections = statSections(st, fmt.Sprintf("/units/%d/members", p.Unit.ID), p.At, func(k string) string { return p.T(k) })
	return p, nil
}

func (s *Server) htmlMemberStats(w http.ResponseWriter, r *http.Request) {
	p, err := s.memberStats(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "member_stats.html", p)
}

func (s *Server) htmlMemberStatsXLSX(w http.ResponseWriter, r *http.Request) {
	p, err := s.memberStats(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeStatsXLSX(w, r, p)
}

// writeStatsXLSX sends a statistics page as a workbook: one row a figure
// (section, label, count), then the country page's provinces.
func (s *Server) writeStatsXLSX(w http.ResponseWriter, r *http.Request, p *memberStatsPage) {
	var rows [][]string
	for _, sec := range p.Sections {
		for _, row := range sec.Rows {
			rows = append(rows, []string{p.T(sec.Key), row.Label, fmt.Sprint(row.Count)})
		}
	}
	for _, pr := range p.Provinces {
		rows = append(rows, []string{p.T("country.provinces"), pr.Unit.Name, fmt.Sprint(pr.Total)})
	}
	header := []string{p.T("members.dimension"), p.T("members.value"), p.T("members.count")}
	if err := writeSheet(w, "member-stats-"+partyworks.FormatDate(p.At), "xlsx", header, rows); err != nil {
		s.fail(w, r, err)
	}
}

type memberFormPage struct {
	Page
	Unit     *partyworks.Unit
	Units    []*partyworks.Unit
	Form     url.Values
	Field    string
	Statuses []partyworks.MemberStatus
}

func (s *Server) htmlMemberForm(w http.ResponseWriter, r *http.Request) {
	s.memberForm(w, r, http.StatusOK, url.Values{}, nil)
}

func (s *Server) memberForm(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) {
	p := &memberFormPage{Page: s.page(r, "members.new"), Form: form, Field: partyworks.ErrorField(ferr),
		Statuses: []partyworks.MemberStatus{partyworks.StatusCandidate, partyworks.StatusProbationary, partyworks.StatusOfficial}}
	p.Nav = "tree"
	if ferr != nil {
		p.Error = partyworks.ErrorMessage(ferr)
	}
	var err error
	if p.Unit, err = s.Units.FindUnitByID(r.Context(), pathID(r), partyworks.Date{}); err != nil {
		s.fail(w, r, err)
		return
	}
	id := p.Unit.ID
	p.Units, _, _ = s.Units.FindUnits(r.Context(), partyworks.UnitFilter{At: s.today(), Under: &id, Limit: 500})
	p.Units = append([]*partyworks.Unit{p.Unit}, p.Units...)
	s.render(w, r, status, "member_form.html", p)
}

func (s *Server) htmlMemberCreate(w http.ResponseWriter, r *http.Request) {
	ms, err := s.members()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, partyworks.Errorf(partyworks.EINVALID, "the form could not be read"))
		return
	}
	m, err := s.memberInput(r, r.PostForm.Get)
	if err == nil {
		err = ms.CreateMember(r.Context(), m)
	}
	if err != nil {
		if c := partyworks.ErrorCode(err); c == partyworks.EINVALID || c == partyworks.ECONFLICT {
			s.memberForm(w, r, http.StatusUnprocessableEntity, r.PostForm, err)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/members/%d", m.ID), http.StatusSeeOther)
}

// memberInput reads a new record; its unit (the form's unit_id, else the
// route's unit) must be one the caller may write to.
func (s *Server) memberInput(r *http.Request, get func(string) string) (*partyworks.Member, error) {
	m, err := memberFromForm(get)
	if err != nil {
		return nil, err
	}
	m.UnitID = pathID(r)
	if v := get("unit_id"); v != "" {
		fmt.Sscan(v, &m.UnitID)
		t, err := s.unitTarget(r, m.UnitID)
		if err != nil {
			return nil, err
		}
		if err := s.check(r, partyworks.ActMemberWrite, t); err != nil {
			return nil, err
		}
	}
	return m, nil
}

type memberImportPage struct {
	Page
	Unit   *partyworks.Unit
	Result *partyworks.MemberImportResult
	// Job is a background import followed on its progress page.
	Job *partyworks.MemberImportJob
	// Stalled: a running import has not moved for two minutes (its
	// server stopped: the same file uploaded again goes on from there).
	Stalled bool
}

// Percent is how far the job has got, 0–100.
func (p *memberImportPage) Percent() int {
	if p.Job == nil || p.Job.Rows == 0 {
		return 0
	}
	return min(p.Job.Done*100/p.Job.Rows, 100) // (Rows is an estimate while a large XLSX is read)
}

func (s *Server) htmlMemberImportForm(w http.ResponseWriter, r *http.Request) {
	p := &memberImportPage{Page: s.page(r, "members.import")}
	p.Nav = "tree"
	var err error
	if p.Unit, err = s.Units.FindUnitByID(r.Context(), pathID(r), partyworks.Date{}); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "member_import.html", p)
}

func (s *Server) htmlMemberTemplate(w http.ResponseWriter, r *http.Request) {
	ex := make([]string, len(partyworks.MemberColumns))
	for i, c := range partyworks.MemberColumns {
		ex[i] = c.Example
	}
	if err := writeSheet(w, "members-template", "xlsx", memberHeader(), [][]string{ex}); err != nil {
		s.fail(w, r, err)
	}
}

// htmlMemberImport imports the upload; with ?errors=xlsx the bad rows come
// back as a workbook to fix and upload again.
func (s *Server) htmlMemberImport(w http.ResponseWriter, r *http.Request) {
	ms, imp, err := s.prepareMemberImport(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if imp.Stream.Expected() > s.cfg.BackgroundImportRows && r.FormValue("errors") != "xlsx" {
		// A large file: imported in the background (the request's values,
		// the actor among them, go with it), followed on its progress
		// page, which any node can serve from the job's record.
		started, failed := make(chan int64, 1), make(chan error, 1)
		imp.Started = func(job int64) { started <- job }
		go func() {
			if _, err := s.runMemberImport(context.WithoutCancel(r.Context()), ms, imp); err != nil {
				s.log.Error("members import", "file", imp.Name, "err", err, "request_id", requestID(r))
				failed <- err
			}
		}()
		select {
		case job := <-started:
			http.Redirect(w, r, fmt.Sprintf("/units/%d/members/import/%d", pathID(r), job), http.StatusSeeOther)
		case err := <-failed:
			s.fail(w, r, err)
		}
		return
	}
	res, err := s.runMemberImport(r.Context(), ms, imp)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.FormValue("errors") == "xlsx" {
		rows := make([][]string, len(res.Errors))
		for i, e := range res.Errors {
			rows[i] = []string{fmt.Sprint(e.Line), e.Column, e.Reason}
		}
		if err := writeSheet(w, "members-errors", "xlsx", []string{"line", "column", "reason"}, rows); err != nil {
			s.fail(w, r, err)
		}
		return
	}
	p := &memberImportPage{Page: s.page(r, "members.import"), Result: res}
	p.Nav = "tree"
	p.Unit, _ = s.Units.FindUnitByID(r.Context(), pathID(r), partyworks.Date{})
	s.render(w, r, http.StatusOK, "member_import.html", p)
}

// htmlMemberImportJob is a background import's progress page: it reloads
// itself every two seconds while the import runs (no script needed), then
// shows what the import did and its row errors.
func (s *Server) htmlMemberImportJob(w http.ResponseWriter, r *http.Request) {
	unit, job, err := s.importJob(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &memberImportPage{Page: s.page(r, "members.import"), Unit: unit, Job: job}
	p.Nav = "tree"
	switch job.Status {
	case "running":
		p.Refresh = 2
		p.Stalled = time.Since(job.Updated) > 2*time.Minute
	case "done":
		p.Result = &partyworks.MemberImportResult{JobID: job.ID, Rows: job.Rows, Inserted: job.Inserted, Existing: job.Existing, Errors: job.Report}
	case "failed":
		p.Error = job.Failure
	}
	s.render(w, r, http.StatusOK, "member_import.html", p)
}

// importJob is the route's import ({job}) with the route's unit, if the
// import was started on that unit (another subtree's is not found here).
func (s *Server) importJob(r *http.Request) (*partyworks.Unit, *partyworks.MemberImportJob, error) {
	ms, err := s.members()
	if err != nil {
		return nil, nil, err
	}
	unit, err := s.Units.FindUnitByID(r.Context(), pathID(r), partyworks.Date{})
	if err != nil {
		return nil, nil, err
	}
	id, err := strconv.ParseInt(r.PathValue("job"), 10, 64)
	var job *partyworks.MemberImportJob
	if err == nil {
		job, err = ms.FindImportJob(r.Context(), id)
	}
	if err != nil || job.Scope != unit.Path {
		return nil, nil, partyworks.Errorf(partyworks.ENOTFOUND, "no such import here")
	}
	return unit, job, nil
}

func (s *Server) apiMemberImportJob(w http.ResponseWriter, r *http.Request) {
	_, job, err := s.importJob(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, job)
}

type memberPage struct {
	Page
	Member   *partyworks.Member
	Unit     *partyworks.Unit
	Steps    []*partyworks.MemberStep
	Next     []partyworks.StepName
	PartyAge int
	Badge    int
	BadgeDue partyworks.Date
	Official partyworks.Date
	Deadline *partyworks.Deadline
	Form     url.Values
	SelfView bool
	Kinds    []partyworks.EntryKind
	// Account is the username of the account linked to the record for
	// self-service ("" if none).
	Account string
}

// YM writes months as years and months in the page's language.
func (p *memberPage) YM(months int) string { return p.T("members.years_months", months/12, months%12) }

func (s *Server) memberPage(r *http.Request, id int64) (*memberPage, error) {
	ms, err := s.members()
	if err != nil {
		return nil, err
	}
	p := &memberPage{Page: s.page(r, "members.record"), Form: url.Values{}, Kinds: partyworks.EntryKinds}
	p.Nav = "tree"
	if p.Member, err = ms.FindMemberByID(r.Context(), id); err != nil {
		return nil, err
	}
	p.Title = p.Member.FullName
	if p.Member.UserID != 0 {
		if u, err := s.Users.FindUserByID(r.Context(), p.Member.UserID); err == nil {
			p.Account = u.Username
		}
	}
	p.Unit, _ = s.Units.FindUnitByID(r.Context(), p.Member.UnitID, partyworks.Date{})
	if p.Steps, err = ms.FindSteps(r.Context(), id); err != nil {
		return nil, err
	}
	p.Next = partyworks.StepsFrom(p.Member.Status)
	gaps, err := ms.Gaps(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if p.Member.Status.Member() {
		p.PartyAge = partyworks.PartyAgeMonths(p.Member.Admitted, gaps, p.Today)
		p.Badge, p.BadgeDue = partyworks.NextBadge(p.Member.Admitted, gaps, p.Today)
		p.Official = partyworks.OfficialDate(p.Member.Ceremony)
	}
	if dl, ok := partyworks.NextDeadline(p.Member, partyworks.VietnamCalendar()); ok {
		p.Deadline = &dl
	}
	return p, nil
}

func (s *Server) htmlMember(w http.ResponseWriter, r *http.Request) {
	p, err := s.memberPage(r, memberID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "member.html", p)
}

// htmlMyMember is the self-service page: the caller's own record, read-only.
func (s *Server) htmlMyMember(w http.ResponseWriter, r *http.Request) {
	ms, err := s.members()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := ms.FindMemberByUser(r.Context(), userFrom(r).ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.memberPage(r, m.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.SelfView, p.Next = true, nil
	s.render(w, r, http.StatusOK, "member.html", p)
}

func (s *Server) htmlMemberPhoto(w http.ResponseWriter, r *http.Request) {
	ms, err := s.members()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ct, data, err := ms.Photo(r.Context(), memberID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	w.Write(data)
}

func (s *Server) htmlMemberStep(w http.ResponseWriter, r *http.Request) {
	if _, err := s.members(); err != nil {
		s.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, partyworks.Errorf(partyworks.EINVALID, "the form could not be read"))
		return
	}
	in, err := stepFromForm(r.PostForm.Get)
	if err == nil {
		_, err = s.recordStep(r, memberID(r), in, r.PostForm.Get("on_behalf") != "")
	}
	s.memberFormDone(w, r, err)
}

// memberFormDone ends a form posted from a member's page: back to the page
// on success; the page again with the form as typed and the reason when
// the input is refused (422); the error page otherwise.
func (s *Server) memberFormDone(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		if c := partyworks.ErrorCode(err); c == partyworks.EINVALID || c == partyworks.ECONFLICT {
			p, perr := s.memberPage(r, memberID(r))
			if perr != nil {
				s.fail(w, r, perr)
				return
			}
			p.Error, p.Form = partyworks.ErrorMessage(err), r.PostForm
			s.render(w, r, http.StatusUnprocessableEntity, "member.html", p)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/members/%d", memberID(r)), http.StatusSeeOther)
}

func (s *Server) htmlMemberEntry(w http.ResponseWriter, r *http.Request) {
	ms, err := s.members()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, partyworks.Errorf(partyworks.EINVALID, "the form could not be read"))
		return
	}
	e := &partyworks.MemberEntry{Kind: partyworks.EntryKind(r.PostForm.Get("kind")), Title: strings.TrimSpace(r.PostForm.Get("title")),
		Detail: strings.TrimSpace(r.PostForm.Get("detail"))}
	for _, d := range []struct {
		key string
		dst *partyworks.Date
	}{{"from", &e.From}, {"to", &e.To}} {
		if v := r.PostForm.Get(d.key); v != "" {
			if *d.dst, err = partyworks.ParseDate(v); err != nil {
				s.fail(w, r, partyworks.FieldErrorf(d.key, "%s", partyworks.ErrorMessage(err)))
				return
			}
		}
	}
	if err := ms.AddEntry(r.Context(), memberID(r), e); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/members/%d", memberID(r)), http.StatusSeeOther)
}

// memberEditPage is the form correcting a record's own fields (its unit
// and status change only by lifecycle steps).
type memberEditPage struct {
	Page
	Member *partyworks.Member
	Form   url.Values
	Field  string
}

// editFields are the text fields of the correction form, in order.
var editFields = []string{"full_name", "citizen_id", "birth_date", "other_names", "ethnicity", "religion", "education", "professional",
	"theory", "foreign_language", "occupation", "birthplace", "hometown", "address", "current_address", "card_number", "record_number",
	"youth_union", "introducers", "notes"}

// Fields are the form's text fields.
func (p *memberEditPage) Fields() []string { return editFields }

// memberValues writes a record as the correction form's values.
func memberValues(m *partyworks.Member) url.Values {
	date := func(d partyworks.Date) string {
		if d.IsZero() {
			return ""
		}
		return partyworks.FormatDateVN(d)
	}
	return url.Values{"full_name": {m.FullName}, "citizen_id": {m.CitizenID}, "birth_date": {date(m.BirthDate)}, "other_names": {m.OtherNames},
		"ethnicity": {m.Ethnicity}, "religion": {m.Religion}, "education": {m.Education}, "professional": {m.Professional}, "theory": {m.Theory},
		"foreign_language": {m.Language}, "occupation": {m.Occupation}, "birthplace": {m.Birthplace}, "hometown": {m.Hometown},
		"address": {m.Address}, "current_address": {m.Current}, "card_number": {m.CardNumber}, "record_number": {m.RecordNumber},
		"youth_union": {date(m.YouthUnion)}, "introducers": {m.Introducers}, "notes": {m.Notes}, "sex": {string(m.Sex)},
		"version": {strconv.FormatInt(m.Version, 10)}}
}

func (s *Server) htmlMemberEditForm(w http.ResponseWriter, r *http.Request) {
	s.memberEdit(w, r, http.StatusOK, nil, nil)
}

// memberEdit renders the correction form: the record's values, or the
// values sent with the error that refused them.
func (s *Server) memberEdit(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) {
	ms, err := s.members()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &memberEditPage{Page: s.page(r, "members.edit"), Form: form, Field: partyworks.ErrorField(ferr)}
	p.Nav = "tree"
	if p.Member, err = ms.FindMemberByID(r.Context(), memberID(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	if form == nil {
		p.Form = memberValues(p.Member)
	}
	if ferr != nil {
		p.Error = partyworks.ErrorMessage(ferr)
	}
	s.render(w, r, status, "member_edit.html", p)
}

// memberCorrection reads a correction of record id: the fields sent, the
// rest as recorded, and the version the caller saw.
func memberCorrection(ms partyworks.MemberService, r *http.Request, id int64, get func(string) string) (*partyworks.Member, error) {
	old, err := ms.FindMemberByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	vals := memberValues(old)
	merged := func(k string) string {
		if v := get(k); v != "" || k == "version" {
			return v
		}
		return vals.Get(k)
	}
	m, err := memberFromForm(merged)
	if err != nil {
		return nil, err
	}
	m.ID, m.OtherNames, m.Language, m.Current = id, merged("other_names"), merged("foreign_language"), merged("current_address")
	m.Introducers, m.Notes = merged("introducers"), merged("notes")
	if m.Version, err = strconv.ParseInt(get("version"), 10, 64); err != nil || m.Version <= 0 {
		return nil, partyworks.FieldErrorf("version", "send the version of the record you corrected (reload it)")
	}
	return m, nil
}

func (s *Server) htmlMemberUpdate(w http.ResponseWriter, r *http.Request) {
	ms, err := s.members()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, partyworks.Errorf(partyworks.EINVALID, "the form could not be read"))
		return
	}
	m, err := memberCorrection(ms, r, memberID(r), r.PostForm.Get)
	if err == nil {
		err = ms.UpdateMember(r.Context(), m)
	}
	if err != nil {
		switch partyworks.ErrorCode(err) {
		case partyworks.EINVALID:
			s.memberEdit(w, r, http.StatusUnprocessableEntity, r.PostForm, err)
		case partyworks.ECONFLICT:
			s.memberEdit(w, r, http.StatusConflict, r.PostForm, err)
		default:
			s.fail(w, r, err)
		}
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/members/%d", m.ID), http.StatusSeeOther)
}

// maxPhoto is the largest photo accepted (the store's limit).
const maxPhoto = 2 << 20

// photoType checks an uploaded photo by its content, not by what the
// client declares: a JPEG or PNG that decodes, or an error for the form.
func photoType(data []byte) (string, error) {
	if len(data) > maxPhoto {
		return "", partyworks.FieldErrorf("photo", "the photo is larger than 2 MiB")
	}
	ct := http.DetectContentType(data)
	if ct != "image/jpeg" && ct != "image/png" {
		return "", partyworks.FieldErrorf("photo", "the photo must be a JPEG or PNG image")
	}
	if _, _, err := image.DecodeConfig(bytes.NewReader(data)); err != nil {
		return "", partyworks.FieldErrorf("photo", "the photo could not be read as an image")
	}
	return ct, nil
}

// linkAccount links the account named username to the record (an empty
// name unlinks it): the member then reads the record at /me/member. A
// disabled account is refused; an account linked elsewhere is a conflict.
func (s *Server) linkAccount(r *http.Request, id int64, username string) error {
	ms, err := s.members()
	if err != nil {
		return err
	}
	var uid int64
	if username = strings.TrimSpace(username); username != "" {
		u, err := s.Users.FindUserByUsername(r.Context(), username)
		if partyworks.ErrorCode(err) == partyworks.ENOTFOUND {
			return partyworks.FieldErrorf("username", "there is no account %q", username)
		} else if err != nil {
			return err
		}
		if u.Disabled {
			return partyworks.FieldErrorf("username", "the account %q is disabled", username)
		}
		uid = u.ID
	}
	return ms.LinkUser(r.Context(), id, uid)
}

func (s *Server) htmlMemberAccount(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, partyworks.Errorf(partyworks.EINVALID, "the form could not be read"))
		return
	}
	s.memberFormDone(w, r, s.linkAccount(r, memberID(r), r.PostForm.Get("username")))
}

func (s *Server) htmlMemberPhotoUpload(w http.ResponseWriter, r *http.Request) {
	ms, err := s.members()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxPhoto+64<<10)
	f, _, err := r.FormFile("photo")
	if err != nil {
		s.fail(w, r, partyworks.FieldErrorf("photo", "choose a photo (JPEG or PNG, at most 2 MiB)"))
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPhoto+1))
	if err != nil {
		s.fail(w, r, partyworks.FieldErrorf("photo", "the photo could not be read"))
		return
	}
	if _, err := setPhoto(r, ms, data); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/members/%d", memberID(r)), http.StatusSeeOther)
}

// setPhoto keeps data as the route's member's photo once its content is
// known to be a JPEG or PNG image, and returns its type.
func setPhoto(r *http.Request, ms partyworks.MemberService, data []byte) (string, error) {
	ct, err := photoType(data)
	if err != nil {
		return "", err
	}
	return ct, ms.SetPhoto(r.Context(), memberID(r), ct, data)
}
