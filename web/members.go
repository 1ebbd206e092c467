package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"partyworks"
	"partyworks/sheet"
)

// memberScope targets the unit of the member named in the path ({mid}):
// as it stood on the day viewed and today, and the receiving unit of a
// transfer in progress (it shows on both sides until received).
func memberScope(s *Server, r *http.Request) (target, bool, error) {
	id, err := strconv.ParseInt(r.PathValue("mid"), 10, 64)
	if err != nil || s.Members == nil {
		return target{}, false, partyworks.Errorf(partyworks.ENOTFOUND, "no such member")
	}
	at, err := s.atDate(r)
	if err != nil {
		return target{}, false, err
	}
	paths, err := s.Members.UnitPaths(r.Context(), id, at)
	if err != nil {
		return target{}, false, err
	}
	return target{Any: paths}, true, nil
}

func memberID(r *http.Request) int64 {
	id, _ := strconv.ParseInt(r.PathValue("mid"), 10, 64)
	return id
}

// members returns the service or a 404 when the server runs without it.
func (s *Server) members() (partyworks.MemberService, error) {
	if s.Members == nil {
		return nil, partyworks.Errorf(partyworks.ENOTFOUND, "members are not kept on this server")
	}
	return s.Members, nil
}

// memberFilter reads a list's filter from the query: the subtree is the
// route's unit; the other fields are the list's filters (the links of the
// statistics use the same names).
func (s *Server) memberFilter(r *http.Request) (partyworks.MemberFilter, error) {
	q := r.URL.Query()
	at, err := s.atDate(r)
	if err != nil {
		return partyworks.MemberFilter{}, err
	}
	f := partyworks.MemberFilter{At: at, Under: pathID(r), Query: strings.TrimSpace(q.Get("q")), Sex: partyworks.Sex(q.Get("sex")),
		Ethnicity: q.Get("ethnicity"), Religion: q.Get("religion"), Education: q.Get("education"), Theory: q.Get("theory"),
		Professional: q.Get("professional"), After: q.Get("after"), Limit: pageSize}
	if len(f.Query) > 100 {
		return f, partyworks.FieldErrorf("q", "the search is too long")
	}
	for _, st := range q["status"] {
		if st == "" {
			continue
		}
		if !partyworks.MemberStatus(st).Valid() {
			return f, partyworks.FieldErrorf("status", "%q is not a member status", st)
		}
		f.Statuses = append(f.Statuses, partyworks.MemberStatus(st))
	}
	for _, d := range []struct {
		key string
		dst *partyworks.Date
	}{{"birth_from", &f.BirthFrom}, {"birth_to", &f.BirthTo}, {"admitted_from", &f.AdmittedFrom}, {"admitted_to", &f.AdmittedTo}} {
		if v := q.Get(d.key); v != "" {
			if *d.dst, err = partyworks.ParseDate(v); err != nil {
				return f, partyworks.FieldErrorf(d.key, "%s", partyworks.ErrorMessage(err))
			}
		}
	}
	return f, nil
}

// memberFromForm reads a record from a form or the same names in JSON.
func memberFromForm(get func(string) string) (*partyworks.Member, error) {
	m := &partyworks.Member{CitizenID: get("citizen_id"), FullName: strings.Join(strings.Fields(get("full_name")), " "),
		OtherNames: get("other_names"), Birthplace: get("birthplace"), Hometown: get("hometown"), Address: get("address"),
		Current: get("current_address"), Ethnicity: get("ethnicity"), Religion: get("religion"), Occupation: get("occupation"),
		Education: get("education"), Professional: get("professional"), Theory: get("theory"), Language: get("foreign_language"),
		CardNumber: get("card_number"), RecordNumber: get("record_number"), Status: partyworks.MemberStatus(get("status"))}
	sex, ok := partyworks.ParseSex(get("sex"))
	if !ok {
		return nil, partyworks.FieldErrorf("sex", "choose the sex")
	}
	m.Sex = sex
	for _, d := range []struct {
		key string
		dst *partyworks.Date
	}{{"birth_date", &m.BirthDate}, {"admitted", &m.Admitted}, {"ceremony", &m.Ceremony}, {"youth_union", &m.YouthUnion}} {
		if v := get(d.key); v != "" {
			var err error
			if *d.dst, err = partyworks.ParseDate(v); err != nil {
				return nil, partyworks.FieldErrorf(d.key, "%s", partyworks.ErrorMessage(err))
			}
		}
	}
	if m.Status == "" {
		m.Status = partyworks.StatusCandidate
	}
	return m, nil
}

// stepFromForm reads a step from a form or the same names in JSON.
func stepFromForm(get func(string) string) (partyworks.StepInput, error) {
	in := partyworks.StepInput{Step: partyworks.StepName(get("step")), Decision: get("decision"), Note: get("note")}
	var err error
	if in.Date, err = partyworks.ParseDate(get("date")); err != nil {
		return in, partyworks.FieldErrorf("date", "%s", partyworks.ErrorMessage(err))
	}
	if v := get("unit_id"); v != "" {
		if in.UnitID, err = strconv.ParseInt(v, 10, 64); err != nil {
			return in, partyworks.FieldErrorf("unit_id", "%q is not a unit id", v)
		}
	}
	in.Introducers = append(in.Introducers, strings.FieldsFunc(get("introducers"), func(r rune) bool { return r == ',' || r == ' ' || r == ';' })...)
	in.YouthUnion = get("youth_union") != ""
	in.Version, _ = strconv.ParseInt(get("version"), 10, 64)
	return in, nil
}

// recordStep checks the units a step names (a transfer's receiving unit
// must be one the caller may write to) and records it; on_behalf marks
// assisted entry in the audit trail.
func (s *Server) recordStep(r *http.Request, id int64, in partyworks.StepInput, onBehalf bool) (*partyworks.MemberStep, error) {
	if in.UnitID != 0 {
		t, err := s.unitTarget(r, in.UnitID)
		if err != nil {
			return nil, err
		}
		if err := s.check(r, partyworks.ActMemberRead, t); err != nil {
			return nil, err
		}
	}
	if in.Step == partyworks.StepTransferIn {
		// Receiving is the receiving side's act.
		m, err := s.Members.FindMemberByID(r.Context(), id)
		if err != nil {
			return nil, err
		}
		if m.TransferTo != 0 {
			t, err := s.unitTarget(r, m.TransferTo)
			if err != nil {
				return nil, err
			}
			if err := s.check(r, partyworks.ActMemberWrite, t); err != nil {
				return nil, err
			}
		}
	}
	ctx := r.Context()
	if onBehalf {
		a := partyworks.ActorFrom(ctx)
		a.OnBehalf = fmt.Sprintf("member:%d", id)
		ctx = partyworks.WithActor(ctx, a)
	}
	return s.Members.RecordStep(ctx, id, in)
}

// importMembers runs an upload as an import into the route's unit: rows
// for units outside its subtree are refused.
func (s *Server) importMembers(w http.ResponseWriter, r *http.Request) (*partyworks.MemberImportResult, error) {
	ms, imp, err := s.prepareMemberImport(w, r)
	if err != nil {
		return nil, err
	}
	return s.runMemberImport(r.Context(), ms, imp)
}

// prepareMemberImport reads the uploaded members file of the route's unit.
func (s *Server) prepareMemberImport(w http.ResponseWriter, r *http.Request) (partyworks.MemberService, partyworks.MemberImport, error) {
	ms, err := s.members()
	if err != nil {
		return nil, partyworks.MemberImport{}, err
	}
	unit, err := s.Units.FindUnitByID(r.Context(), pathID(r), partyworks.Date{})
	if err != nil {
		return nil, partyworks.MemberImport{}, err
	}
	up, err := s.readUpload(w, r)
	if err != nil {
		return nil, partyworks.MemberImport{}, err
	}
	st, err := up.stream()
	if err != nil {
		return nil, partyworks.MemberImport{}, err
	}
	sum := sha256.Sum256(append(up.Data, []byte(unit.Path)...))
	return ms, partyworks.MemberImport{Name: up.Name, Hash: hex.EncodeToString(sum[:]), Stream: st,
		Effective: s.today(), Within: []string{unit.Path}, Scope: unit.Path}, nil
}

// runMemberImport imports and counts the import in the metrics.
func (s *Server) runMemberImport(ctx context.Context, ms partyworks.MemberService, imp partyworks.MemberImport) (*partyworks.MemberImportResult, error) {
	start := time.Now()
	res, err := ms.ImportMembers(ctx, imp)
	if res != nil {
		s.metrics.importDuration.WithLabelValues("members").Observe(time.Since(start).Seconds())
		s.metrics.importRows.WithLabelValues("members", "inserted").Add(float64(res.Inserted))
		s.metrics.importRows.WithLabelValues("members", "existing").Add(float64(res.Existing))
		s.metrics.importRows.WithLabelValues("members", "refused").Add(float64(len(res.Errors)))
	}
	return res, err
}

// memberHeader and memberRow are the columns of exports and templates.
func memberHeader() []string {
	h := make([]string, len(partyworks.MemberColumns))
	for i, c := range partyworks.MemberColumns {
		h[i] = c.Name
	}
	return h
}

func memberRow(m *partyworks.Member, unitCode string) []string {
	return []string{m.CitizenID, m.FullName, map[partyworks.Sex]string{partyworks.Male: "nam", partyworks.Female: "nữ"}[m.Sex],
		partyworks.FormatDateVN(m.BirthDate), unitCode, string(m.Status), partyworks.FormatDateVN(m.Admitted),
		partyworks.FormatDateVN(m.Ceremony), m.Ethnicity, m.Religion, m.Education, m.Professional, m.Theory, m.Occupation,
		m.Birthplace, m.Hometown, m.Address, m.CardNumber, m.RecordNumber}
}

// writeSheet sends a table as a CSV or XLSX download.
func writeSheet(w http.ResponseWriter, name, format string, header []string, rows [][]string) error {
	var buf bytes.Buffer
	ct := "text/csv; charset=utf-8"
	if format == "xlsx" {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		if err := sheet.WriteXLSX(&buf, "members", header, rows); err != nil {
			return err
		}
	} else {
		format = "csv"
		if err := sheet.WriteCSV(&buf, header, rows); err != nil {
			return err
		}
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.`+format+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(buf.Bytes())
	return nil
}

// statRow is one figure of the statistics with the list behind it.
type statRow struct {
	Label string
	Count int
	Link  string
	Width int // percent of the section's largest figure, for the chart
}

type statSection struct {
	Key  string // i18n key of the heading
	Rows []statRow
}

// statSections lays the figures out like the report forms: totals by
// status, then the counted members by sex, age band, ethnicity, religion,
// education, professional level, theory level and party age. Each figure
// links to the list page behind it (list: /units/{id}/members, or
// /members for the whole country).
func statSections(st *partyworks.MemberStats, list string, at partyworks.Date, lang func(string) string) []statSection {
	base := list + "?at=" + partyworks.FormatDate(at)
	counted := ""
	for _, s := range partyworks.MemberStatuses {
		if s.Counted() {
			counted += "&status=" + string(s)
		}
	}
	var out []statSection
	sec := statSection{Key: "members.by_status"}
	for _, s := range partyworks.MemberStatuses {
		if n := st.Counts["status"][string(s)]; n > 0 {
			sec.Rows = append(sec.Rows, statRow{Label: lang("status." + string(s)), Count: n, Link: base + "&status=" + string(s)})
		}
	}
	out = append(out, sec)
	for _, dim := range []string{"sex", "ethnicity", "religion", "education", "professional", "theory"} {
		sec := statSection{Key: "members.by_" + dim}
		keys := make([]string, 0, len(st.Counts[dim]))
		for k := range st.Counts[dim] {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return st.Counts[dim][keys[i]] > st.Counts[dim][keys[j]] })
		for _, k := range keys {
			label := k
			if dim == "sex" {
				label = lang("sex." + k)
			} else if k == "" {
				label = lang("members.unknown")
			}
			sec.Rows = append(sec.Rows, statRow{Label: label, Count: st.Counts[dim][k], Link: base + counted + "&" + dim + "=" + url.QueryEscape(k)})
		}
		out = append(out, sec)
	}
	ages := partyworks.AgeBands(st.Counts["birth"], at)
	sec = statSection{Key: "members.by_age"}
	for _, b := range []struct {
		label    string
		from, to int // age in years, inclusive
	}{{"≤30", 0, 30}, {"31–40", 31, 40}, {"41–50", 41, 50}, {"51–60", 51, 60}, {"61–70", 61, 70}, {">70", 71, 150}} {
		lo, hi := at.AddDate(-b.to-1, 0, 1), at.AddDate(-b.from, 0, 0)
		sec.Rows = append(sec.Rows, statRow{Label: b.label, Count: ages[b.label],
			Link: base + counted + "&birth_from=" + partyworks.FormatDate(lo) + "&birth_to=" + partyworks.FormatDate(hi)})
	}
	out = append(out, sec)
	pa := partyworks.PartyAgeBands(st.Counts["admitted"], at)
	sec = statSection{Key: "members.by_party_age"}
	for _, b := range []struct {
		label    string
		from, to int
	}{{"<10", 0, 9}, {"10–19", 10, 19}, {"20–29", 20, 29}, {"30–39", 30, 39}, {"≥40", 40, 150}} {
		lo, hi := at.AddDate(-b.to-1, 0, 1), at.AddDate(-b.from, 0, 0)
		sec.Rows = append(sec.Rows, statRow{Label: b.label, Count: pa[b.label],
			Link: base + counted + "&admitted_from=" + partyworks.FormatDate(lo) + "&admitted_to=" + partyworks.FormatDate(hi)})
	}
	sec.Rows = append(sec.Rows, statRow{Label: lang("members.admitted_this_year"), Count: partyworks.AdmittedInYear(st.Counts["admitted"], at),
		Link: base + counted + fmt.Sprintf("&admitted_from=%d-01-01&admitted_to=%s", at.Year(), partyworks.FormatDate(at))})
	out = append(out, sec)
	for i := range out {
		top := 1
		for _, r := range out[i].Rows {
			top = max(top, r.Count)
		}
		for j := range out[i].Rows {
			out[i].Rows[j].Width = out[i].Rows[j].Count * 100 / top
		}
	}
	return out
}
