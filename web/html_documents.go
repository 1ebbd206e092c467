package web

import (
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"partyworks"
)

// docsPage is a unit's register: outgoing or incoming, newest first.
type docsPage struct {
	Page
	Unit      *partyworks.Unit
	Direction partyworks.Direction
	Query     string
	Docs      []*partyworks.Document
	Total     int
	Next      string // query suffix of the next page
}

// SecrecyName names a secrecy mark for display.
func (p *Page) SecrecyName(s partyworks.Secrecy) string { return s.String() }

// UrgencyName names an urgency mark.
func (p *Page) UrgencyName(u partyworks.Urgency) string {
	if !u.Valid() {
		return ""
	}
	return partyworks.UrgencyNames[u]
}

func (s *Server) htmlDocuments(w http.ResponseWriter, r *http.Request) {
	p := &docsPage{Page: s.page(r, "doc.register")}
	p.Nav = "tree"
	u, err := s.Units.FindUnitByID(r.Context(), pathID(r), partyworks.Date{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Unit = u
	p.Direction = partyworks.Direction(r.URL.Query().Get("dir"))
	if !p.Direction.Valid() {
		p.Direction = partyworks.Outgoing
	}
	p.Query = r.URL.Query().Get("q")
	f := partyworks.DocumentFilter{UnitID: u.ID, Direction: p.Direction, Query: p.Query, Limit: 50,
		BeforeIssued: r.URL.Query().Get("before"), BeforeID: formID(r.URL.Query().Get("before_id"))}
	if p.Docs, p.Total, err = s.Documents.FindDocuments(r.Context(), viewer(r), f); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(p.Docs) == f.Limit {
		last := p.Docs[len(p.Docs)-1]
		p.Next = "dir=" + string(p.Direction) + "&q=" + url.QueryEscape(p.Query) + "&before=" + partyworks.FormatDate(last.Issued) + "&before_id=" + itoa(last.ID)
	}
	s.render(w, r, http.StatusOK, "documents.html", p)
}

// docFormPage registers a document.
type docFormPage struct {
	Page
	Unit  *partyworks.Unit
	Form  documentInput
	Field string
	Types []string
}

// SecrecyNames and UrgencyNames are the marks a form offers.
func (p *docFormPage) SecrecyNames() []string { return partyworks.SecrecyNames }

// UrgencyNames are the urgency marks a form offers.
func (p *docFormPage) UrgencyNames() []string { return partyworks.UrgencyNames }

func (s *Server) docForm(r *http.Request, in documentInput) (*docFormPage, error) {
	p := &docFormPage{Page: s.page(r, "doc.new"), Form: in}
	p.Nav = "tree"
	u, err := s.Units.FindUnitByID(r.Context(), pathID(r), partyworks.Date{})
	if err != nil {
		return nil, err
	}
	p.Unit = u
	for t := range partyworks.DocumentTypes {
		p.Types = append(p.Types, t)
	}
	sort.Strings(p.Types)
	if p.Form.Direction == "" {
		p.Form.Direction = string(partyworks.Outgoing)
	}
	if p.Form.Issued == "" {
		p.Form.Issued = p.Today.Format("02/01/2006")
	}
	return p, nil
}

func (s *Server) htmlDocumentForm(w http.ResponseWriter, r *http.Request) {
	p, err := s.docForm(r, documentInput{Direction: r.URL.Query().Get("dir")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "document_new.html", p)
}

func (s *Server) htmlDocumentCreate(w http.ResponseWriter, r *http.Request) {
	in := documentInput{Direction: r.PostFormValue("direction"), Type: r.PostFormValue("type"), Symbol: r.PostFormValue("symbol"),
		Issuer: r.PostFormValue("issuer"), Issued: r.PostFormValue("issued"), Received: r.PostFormValue("received"),
		Summary: r.PostFormValue("summary"), Signer: r.PostFormValue("signer"), Recipients: r.PostFormValue("recipients")}
	in.Secrecy, _ = strconv.Atoi(r.PostFormValue("secrecy"))
	in.Urgency, _ = strconv.Atoi(r.PostFormValue("urgency"))
	d, err := s.registerDocument(r, pathID(r), in)
	if err != nil {
		p, perr := s.docForm(r, in)
		if perr != nil {
			s.fail(w, r, perr)
			return
		}
		p.Error, p.Field = partyworks.ErrorMessage(err), partyworks.ErrorField(err)
		s.render(w, r, statusOf(err), "document_new.html", p)
		return
	}
	http.Redirect(w, r, "/documents/"+itoa(d.ID), http.StatusSeeOther)
}

// registerDocument is what the form and the API share: a refusal of bad
// input is audited there too, so that an attempt leaves a trace even when
// it never reaches the store.
func (s *Server) registerDocument(r *http.Request, unitID int64, in documentInput) (*partyworks.Document, error) {
	d, err := in.document(unitID)
	if err == nil {
		err = s.Documents.RegisterDocument(r.Context(), viewer(r), d)
		return d, err
	}
	s.Audit.RecordAudit(r.Context(), "document.register.refused", "unit:"+itoa(unitID), map[string]string{"symbol": in.Symbol, "reason": partyworks.ErrorMessage(err)})
	return nil, err
}

// docPage is one document with its files and routings.
type docPage struct {
	Page
	Doc *partyworks.Document
	// CanWrite shows the forms (the server checks again).
	CanWrite bool
	Field    string
}

// Bytes writes a file size in the page's language.
func (p *docPage) Bytes(n int64) string {
	switch {
	case n >= 1<<20:
		return p.T("doc.size_mib", strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64))
	case n >= 1<<10:
		return p.T("doc.size_kib", strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64))
	}
	return p.T("doc.size_b", int(n))
}

func (s *Server) htmlDocument(w http.ResponseWriter, r *http.Request) {
	s.renderDocument(w, r, http.StatusOK, nil)
}

func (s *Server) renderDocument(w http.ResponseWriter, r *http.Request, status int, formErr error) {
	p := &docPage{Page: s.page(r, "doc.title")}
	p.Nav = "tree"
	d, err := s.Documents.FindDocumentByID(r.Context(), viewer(r), docParam(r, "doc"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Doc, p.Title = d, d.Symbol.String()
	if t, _, err := pathDocument(s, r); err == nil {
		p.CanWrite = s.check(r, partyworks.ActDocWrite, t) == nil
	}
	if formErr != nil {
		p.Error, p.Field = partyworks.ErrorMessage(formErr), partyworks.ErrorField(formErr)
	}
	s.render(w, r, status, "document.html", p)
}

func (s *Server) htmlDocumentFile(w http.ResponseWriter, r *http.Request) {
	f, data, err := s.Documents.OpenFile(r.Context(), viewer(r), docParam(r, "doc"), docParam(r, "fid"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	serveFile(w, f, data)
}

func (s *Server) htmlAttach(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxDocUpload)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		s.renderDocument(w, r, http.StatusUnprocessableEntity, tooBig(err, maxDocUpload-1<<20))
		return
	}
	file, h, err := r.FormFile("file")
	if err != nil {
		s.renderDocument(w, r, http.StatusUnprocessableEntity, partyworks.FieldErrorf("file", "choose a file"))
		return
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.Documents.AttachFile(r.Context(), viewer(r), docParam(r, "doc"), h.Filename, data); err != nil {
		s.renderDocument(w, r, statusOf(err), err)
		return
	}
	http.Redirect(w, r, "/documents/"+r.PathValue("doc"), http.StatusSeeOther)
}

// maxDocUpload is the body an attachment may come in: the file cap plus
// the multipart envelope.
const maxDocUpload = 21 << 20

func (s *Server) htmlRoute(w http.ResponseWriter, r *http.Request) {
	rt, err := s.routeRequest(r, r.PostFormValue("to_unit_code"), r.PostFormValue("to_username"), r.PostFormValue("deadline"), r.PostFormValue("note"))
	var taskOf *partyworks.Document
	if err == nil && r.PostFormValue("task") != "" {
		taskOf, err = s.checkRouteTask(r, rt) // html_documents_task.go
	}
	if err == nil {
		err = s.Documents.RouteDocument(r.Context(), viewer(r), rt)
	}
	if err == nil && taskOf != nil {
		err = s.routeTask(r, taskOf, rt)
	}
	if err != nil {
		s.renderDocument(w, r, statusOf(err), err)
		return
	}
	http.Redirect(w, r, "/documents/"+r.PathValue("doc"), http.StatusSeeOther)
}

// routeRequest turns a unit code or a username into ids; the store checks
// that they lie inside the document's unit.
func (s *Server) routeRequest(r *http.Request, unitCode, username, deadline, note string) (*partyworks.DocumentRoute, error) {
	rt := &partyworks.DocumentRoute{DocumentID: docParam(r, "doc"), Note: note}
	var err error
	if rt.Deadline, err = optionalDate("deadline", deadline); err != nil {
		return nil, err
	}
	if unitCode != "" {
		u, err := s.Units.FindUnitByCode(r.Context(), unitCode, s.today())
		if err != nil {
			return nil, &partyworks.Error{Code: partyworks.EINVALID, Field: "to_unit", Message: partyworks.ErrorMessage(err)}
		}
		rt.ToUnitID = u.ID
	}
	if username != "" {
		u, err := s.Users.FindUserByUsername(r.Context(), username)
		if err != nil {
			return nil, &partyworks.Error{Code: partyworks.EINVALID, Field: "to_user", Message: "no such user"}
		}
		rt.ToUserID = u.ID
	}
	return rt, nil
}

func (s *Server) htmlRouteDone(w http.ResponseWriter, r *http.Request) {
	if err := s.Documents.CompleteRoute(r.Context(), viewer(r), docParam(r, "doc"), docParam(r, "rid")); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/documents/"+r.PathValue("doc"), http.StatusSeeOther)
}

// searchPage is the full-text search over every document the user may see.
type searchPage struct {
	Page
	Query string
	Hits  []*partyworks.SearchHit
	Field string
}

func (s *Server) htmlSearch(w http.ResponseWriter, r *http.Request) {
	p := &searchPage{Page: s.page(r, "doc.search"), Query: r.URL.Query().Get("q")}
	p.Nav = "documents"
	status := http.StatusOK
	if p.Query != "" {
		hits, err := s.Documents.SearchDocuments(r.Context(), viewer(r), partyworks.SearchQuery{Text: p.Query, Limit: 50})
		if partyworks.ErrorCode(err) == partyworks.EINVALID {
			p.Error, p.Field, status = partyworks.ErrorMessage(err), "q", statusOf(err)
		} else if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Hits = hits
	}
	s.render(w, r, status, "document_search.html", p)
}

// retentionPage lists what is due for archiving or disposal.
type retentionPage struct {
	Page
	Unit    *partyworks.Unit
	Due     []*partyworks.RetentionDue
	Periods []partyworks.RetentionPeriod
}

func (s *Server) htmlRetention(w http.ResponseWriter, r *http.Request) {
	s.renderRetention(w, r, http.StatusOK, nil)
}

func (s *Server) renderRetention(w http.ResponseWriter, r *http.Request, status int, formErr error) {
	p := &retentionPage{Page: s.page(r, "doc.retention")}
	p.Nav = "tree"
	u, err := s.Units.FindUnitByID(r.Context(), pathID(r), partyworks.Date{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Unit = u
	if p.Due, err = s.Documents.DueForRetention(r.Context(), viewer(r), u.ID, p.Today); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Periods, err = s.Documents.RetentionPeriods(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	if formErr != nil {
		p.Error = partyworks.ErrorMessage(formErr)
	}
	s.render(w, r, status, "document_retention.html", p)
}

func (s *Server) htmlDispose(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, partyworks.Errorf(partyworks.EINVALID, "the form cannot be read"))
		return
	}
	dp := partyworks.Disposition{UnitID: pathID(r), Action: r.PostFormValue("action"), Decision: r.PostFormValue("decision")}
	for _, v := range r.PostForm["doc"] {
		dp.Documents = append(dp.Documents, formID(v))
	}
	day, err := optionalDate("day", r.PostFormValue("day"))
	if day.IsZero() && err == nil {
		day = s.today()
	}
	dp.Day = day
	if err == nil {
		err = s.Documents.Dispose(r.Context(), viewer(r), dp)
	}
	if err != nil {
		s.renderRetention(w, r, statusOf(err), err)
		return
	}
	http.Redirect(w, r, "/units/"+itoa(dp.UnitID)+"/retention", http.StatusSeeOther)
}

// clearancePage shows and sets a user's clearance.
type clearancePage struct {
	Page
	Target *partyworks.User
	Level  partyworks.Secrecy
	Levels []partyworks.Secrecy
}

func (s *Server) htmlClearance(w http.ResponseWriter, r *http.Request) {
	p := &clearancePage{Page: s.page(r, "doc.clearance"), Levels: []partyworks.Secrecy{0, 1, 2, 3}}
	p.Nav = "users"
	u, err := s.Users.FindUserByID(r.Context(), docParam(r, "uid"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Target = u
	if p.Level, err = s.Documents.Clearance(r.Context(), u.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "document_clearance.html", p)
}

func (s *Server) htmlClearanceSet(w http.ResponseWriter, r *http.Request) {
	level, err := strconv.Atoi(r.PostFormValue("level"))
	if err != nil {
		s.fail(w, r, partyworks.FieldErrorf("level", "choose a clearance level"))
		return
	}
	if err := s.setClearance(r, docParam(r, "uid"), partyworks.Secrecy(level)); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/users/"+r.PathValue("uid")+"/clearance", http.StatusSeeOther)
}

// setClearance gives a clearance no higher than the administrator's own.
func (s *Server) setClearance(r *http.Request, userID int64, level partyworks.Secrecy) error {
	own, err := s.Documents.Clearance(r.Context(), userFrom(r).ID)
	if err != nil {
		return err
	}
	if level > own {
		return partyworks.FieldErrorf("level", "you cannot give a clearance above your own")
	}
	return s.Documents.SetClearance(r.Context(), userID, level)
}
