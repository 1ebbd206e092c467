package web

import (
	"net/http"
	"strconv"
	"strings"

	"partyworks"
)

type eventPage struct {
	Page
	Unit   *partyworks.Unit
	Types  []partyworks.UnitEventType
	Kinds  []partyworks.UnitKind
	Form   eventForm
	Field  string
	Events []*partyworks.UnitEvent
}

// eventForm is the form as typed, kept to show it again after an error.
type eventForm struct {
	Type, Effective, Decision, Note  string
	Name, Code, Kind, ParentCode     string
	SourceCodes, TargetCodes, Assign string
	Version                          int64
}

func (s *Server) htmlEventForm(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	p := &eventPage{Page: s.page(r, "event.title"), Types: partyworks.UnitEventTypes, Kinds: partyworks.UnitKinds}
	u, err := s.Units.FindUnitByID(r.Context(), id, p.At)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Unit = u
	p.Form = eventForm{Effective: partyworks.FormatDate(p.At), Version: u.Version, Type: r.URL.Query().Get("type")}
	s.render(w, r, http.StatusOK, "event.html", p)
}

func (s *Server) htmlEventCreate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	f := eventForm{
		Type: r.PostFormValue("type"), Effective: r.PostFormValue("effective"), Decision: strings.TrimSpace(r.PostFormValue("decision")),
		Note: strings.TrimSpace(r.PostFormValue("note")), Name: strings.TrimSpace(r.PostFormValue("name")), Code: strings.TrimSpace(r.PostFormValue("code")),
		Kind: r.PostFormValue("kind"), ParentCode: strings.TrimSpace(r.PostFormValue("parent_code")),
		SourceCodes: r.PostFormValue("source_codes"), TargetCodes: r.PostFormValue("target_codes"), Assign: r.PostFormValue("assign"),
		Version: formID(r.PostFormValue("version")),
	}
	ev, err := s.eventFromForm(r, id, f)
	if err != nil {
		p := &eventPage{Page: s.page(r, "event.title"), Types: partyworks.UnitEventTypes, Kinds: partyworks.UnitKinds, Form: f, Field: partyworks.ErrorField(err)}
		if p.Unit, _ = s.Units.FindUnitByID(r.Context(), id, partyworks.Date{}); p.Unit == nil {
			s.fail(w, r, err)
			return
		}
		if code := partyworks.ErrorCode(err); code == partyworks.EINTERNAL || code == partyworks.EFORBIDDEN {
			s.fail(w, r, err)
			return
		}
		p.Error = partyworks.ErrorMessage(err)
		s.render(w, r, statusOf(err), "event.html", p)
		return
	}
	http.Redirect(w, r, "/units/"+itoa(id)+"?at="+partyworks.FormatDate(ev.Effective), http.StatusSeeOther)
}

// eventFromForm turns the form's codes into ids as of the effective day
// and records the event.
func (s *Server) eventFromForm(r *http.Request, id int64, f eventForm) (*partyworks.UnitEvent, error) {
	eff, err := partyworks.ParseDate(f.Effective)
	if err != nil {
		return nil, &partyworks.Error{Code: partyworks.EINVALID, Field: "effective", Message: partyworks.ErrorMessage(err)}
	}
	c := partyworks.UnitChange{Type: partyworks.UnitEventType(f.Type), Effective: eff, Decision: f.Decision, Note: f.Note,
		Name: f.Name, Code: f.Code, Kind: partyworks.UnitKind(f.Kind)}
	if c.Type != partyworks.EventEstablish {
		c.Version = f.Version
	}
	lookup := func(field, code string) (int64, error) {
		u, err := s.Units.FindUnitByCode(r.Context(), code, eff)
		if err != nil {
			return 0, &partyworks.Error{Code: partyworks.EINVALID, Field: field, Message: partyworks.ErrorMessage(err)}
		}
		return u.ID, nil
	}
	if f.ParentCode != "" {
		if c.Parent, err = lookup("parent_code", f.ParentCode); err != nil {
			return nil, err
		}
	}
	for _, code := range strings.FieldsFunc(f.SourceCodes, isListSep) {
		id, err := lookup("source_codes", code)
		if err != nil {
			return nil, err
		}
		c.Sources = append(c.Sources, id)
	}
	for _, code := range strings.FieldsFunc(f.TargetCodes, isListSep) {
		id, err := lookup("target_codes", code)
		if err != nil {
			return nil, err
		}
		c.Targets = append(c.Targets, id)
	}
	for _, line := range strings.FieldsFunc(f.Assign, func(r rune) bool { return r == '\n' || r == ';' }) {
		child, to, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok {
			if strings.TrimSpace(line) == "" {
				continue
			}
			return nil, partyworks.FieldErrorf("assign", "write each assignment as CHILD_CODE=TARGET_CODE")
		}
		cid, err := lookup("assign", strings.TrimSpace(child))
		if err != nil {
			return nil, err
		}
		tid, err := lookup("assign", strings.TrimSpace(to))
		if err != nil {
			return nil, err
		}
		if c.Assign == nil {
			c.Assign = map[int64]int64{}
		}
		c.Assign[cid] = tid
	}
	return s.applyChange(r, id, c)
}

func isListSep(r rune) bool {
	return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
}
