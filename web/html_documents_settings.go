package web

import (
	"net/http"
	"strconv"
	"strings"

	"partyworks"
)

// The settings of the registers, which only administrators change: a
// unit's issuer abbreviation and its congresses (they cut its numbering
// into terms), and the retention periods of the whole tree.

// wholeTree targets the root: only a national grant's own scope matches,
// for settings that hold everywhere (the retention periods).
func wholeTree(*Server, *http.Request) (target, bool, error) {
	return target{Any: []string{""}}, true, nil
}

// docSettingsPage shows a unit's issuer abbreviation and congresses.
type docSettingsPage struct {
	Page
	Unit       *partyworks.Unit
	Issuer     string
	Congresses []partyworks.Congress
	Form       congressForm
}

type congressForm struct{ Label, Opens, Closes string }

func (s *Server) htmlDocSettings(w http.ResponseWriter, r *http.Request) {
	s.renderDocSettings(w, r, http.StatusOK, nil, congressForm{})
}

func (s *Server) renderDocSettings(w http.ResponseWriter, r *http.Request, status int, formErr error, f congressForm) {
	p := &docSettingsPage{Page: s.page(r, "doc.settings"), Form: f}
	p.Nav = "tree"
	u, err := s.Units.FindUnitByID(r.Context(), pathID(r), partyworks.Date{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Unit = u
	if p.Issuer, err = s.Documents.Issuer(r.Context(), u.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Congresses, err = s.Documents.Congresses(r.Context(), u.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	if formErr != nil {
		p.Error = partyworks.ErrorMessage(formErr)
	}
	s.render(w, r, status, "document_settings.html", p)
}

// formStatus is the status a refused form is shown again with.
func formStatus(err error) int {
	if partyworks.ErrorCode(err) == partyworks.ECONFLICT {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

func (s *Server) htmlDocIssuerSet(w http.ResponseWriter, r *http.Request) {
	if err := s.Documents.SetIssuer(r.Context(), pathID(r), r.PostFormValue("abbr")); err != nil {
		if code := partyworks.ErrorCode(err); code == partyworks.EINVALID || code == partyworks.ECONFLICT {
			s.renderDocSettings(w, r, formStatus(err), err, congressForm{})
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/units/"+r.PathValue("id")+"/documents/settings", http.StatusSeeOther)
}

// parseCongress reads a congress from its fields (dates as dd/mm/yyyy or
// yyyy-mm-dd).
func parseCongress(unitID int64, f congressForm) (partyworks.Congress, error) {
	c := partyworks.Congress{UnitID: unitID, Label: strings.TrimSpace(f.Label)}
	var err error
	if c.Opens, err = partyworks.ParseDate(f.Opens); err != nil {
		return c, partyworks.FieldErrorf("opens", "%s", partyworks.ErrorMessage(err))
	}
	if c.Closes, err = partyworks.ParseDate(f.Closes); err != nil {
		return c, partyworks.FieldErrorf("closes", "%s", partyworks.ErrorMessage(err))
	}
	return c, nil
}

func (s *Server) htmlDocCongressAdd(w http.ResponseWriter, r *http.Request) {
	f := congressForm{Label: r.PostFormValue("label"), Opens: r.PostFormValue("opens"), Closes: r.PostFormValue("closes")}
	c, err := parseCongress(pathID(r), f)
	if err == nil {
		err = s.Documents.AddCongress(r.Context(), c)
	}
	if err != nil {
		if code := partyworks.ErrorCode(err); code == partyworks.EINVALID || code == partyworks.ECONFLICT {
			s.renderDocSettings(w, r, formStatus(err), err, f)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/units/"+r.PathValue("id")+"/documents/settings", http.StatusSeeOther)
}

// periodsPage shows and edits the retention periods.
type periodsPage struct {
	Page
	Periods []partyworks.RetentionPeriod
	Classes []string // the classes without a period of their own yet
	Types   map[string]string
}

func (s *Server) htmlPeriods(w http.ResponseWriter, r *http.Request) {
	s.renderPeriods(w, r, http.StatusOK, nil)
}

func (s *Server) renderPeriods(w http.ResponseWriter, r *http.Request, status int, formErr error) {
	p := &periodsPage{Page: s.page(r, "doc.periods"), Types: partyworks.DocumentTypes}
	var err error
	if p.Periods, err = s.Documents.RetentionPeriods(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	have := map[string]bool{}
	for _, q := range p.Periods {
		have[q.Class] = true
	}
	for _, c := range append([]string{partyworks.DefaultRetentionClass}, sortedTypes()...) {
		if !have[c] {
			p.Classes = append(p.Classes, c)
		}
	}
	if formErr != nil {
		p.Error = partyworks.ErrorMessage(formErr)
	}
	s.render(w, r, status, "document_periods.html", p)
}

func sortedTypes() []string {
	out := make([]string, 0, len(partyworks.DocumentTypes))
	for k := range partyworks.DocumentTypes {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// yearsField reads a number of years; "" is 0 (for keep: permanent).
func yearsField(field, v string) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, partyworks.FieldErrorf(field, "write a whole number of years")
	}
	return n, nil
}

func (s *Server) htmlPeriodSet(w http.ResponseWriter, r *http.Request) {
	p := partyworks.RetentionPeriod{Class: r.PostFormValue("class"), Name: r.PostFormValue("name")}
	var err error
	if p.ArchiveAfter, err = yearsField("archive_after", r.PostFormValue("archive_after")); err == nil {
		p.Keep, err = yearsField("keep", r.PostFormValue("keep"))
	}
	if err == nil {
		err = s.Documents.SetRetentionPeriod(r.Context(), p)
	}
	if err != nil {
		if partyworks.ErrorCode(err) == partyworks.EINVALID {
			s.renderPeriods(w, r, http.StatusUnprocessableEntity, err)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/documents/retention-periods", http.StatusSeeOther)
}

// API.

type apiCongress struct {
	ID     int64  `json:"id,omitempty"`
	Label  string `json:"label"`
	Opens  string `json:"opens"`
	Closes string `json:"closes"`
}

func (s *Server) apiDocSettings(w http.ResponseWriter, r *http.Request) {
	abbr, err := s.Documents.Issuer(r.Context(), pathID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cs, err := s.Documents.Congresses(r.Context(), pathID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]apiCongress, len(cs))
	for i, c := range cs {
		out[i] = apiCongress{c.ID, c.Label, partyworks.FormatDate(c.Opens), partyworks.FormatDate(c.Closes)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"issuer": abbr, "congresses": out})
}

func (s *Server) apiDocIssuerSet(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Abbr string `json:"abbr"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Documents.SetIssuer(r.Context(), pathID(r), in.Abbr); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"abbr": strings.TrimSpace(in.Abbr)})
}

func (s *Server) apiDocCongressAdd(w http.ResponseWriter, r *http.Request) {
	var in apiCongress
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := parseCongress(pathID(r), congressForm{in.Label, in.Opens, in.Closes})
	if err == nil {
		err = s.Documents.AddCongress(r.Context(), c)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, apiCongress{Label: c.Label, Opens: partyworks.FormatDate(c.Opens), Closes: partyworks.FormatDate(c.Closes)})
}

func (s *Server) apiPeriods(w http.ResponseWriter, r *http.Request) {
	ps, err := s.Documents.RetentionPeriods(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ps == nil {
		ps = []partyworks.RetentionPeriod{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ps})
}

func (s *Server) apiPeriodSet(w http.ResponseWriter, r *http.Request) {
	var in partyworks.RetentionPeriod
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Documents.SetRetentionPeriod(r.Context(), in); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, in)
}

// CanEditPeriods: the retention page links to the periods' form for
// national admins.
func (p *retentionPage) CanEditPeriods() bool {
	return p.User != nil && p.User.Can(partyworks.ActDocAdmin, "")
}
