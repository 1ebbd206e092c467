package web

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"partyworks"
)

// apiMember is a member as the API shows it.
type apiMember struct {
	*partyworks.Member
	BirthDate string `json:"birth_date"`
	Admitted  string `json:"admitted,omitempty"`
	Ceremony  string `json:"ceremony,omitempty"`
	Official  string `json:"official_date,omitempty"`
	Since     string `json:"since"`
}

func toAPIMember(m *partyworks.Member) apiMember {
	a := apiMember{Member: m, BirthDate: partyworks.FormatDate(m.BirthDate), Admitted: partyworks.FormatDate(m.Admitted),
		Ceremony: partyworks.FormatDate(m.Ceremony), Since: partyworks.FormatDate(m.Since)}
	if m.Status.Member() {
		a.Official = partyworks.FormatDate(partyworks.OfficialDate(m.Ceremony))
	}
	return a
}

func (s *Server) apiMembers(w http.ResponseWriter, r *http.Request) {
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
	if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n > 0 {
		f.Limit = min(n, 500)
	}
	// A list gives each member's summary (what the list page shows);
	// full=true gives the whole records (addresses, notes, history…).
	full := r.URL.Query().Get("full") == "true"
	f.Brief = !full
	list, total, err := ms.FindMembers(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]apiMember, len(list))
	next := ""
	for i, m := range list {
		out[i] = toAPIMember(m)
		next = m.Cursor
	}
	if len(list) < f.Limit {
		next = ""
	}
	writeJSON(w, http.StatusOK, map[string]any{"members": out, "full": full, "total": total, "total_capped": total > 10000, "total_counted": total >= 0, "next": next})
}

func (s *Server) apiMemberStats(w http.ResponseWriter, r *http.Request) {
	ms, err := s.members()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	at, err := s.atDate(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := ms.MemberStats(r.Context(), pathID(r), at)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, memberStatsJSON(st, at))
}

// jsonFields reads a flat JSON object of strings as form fields.
func jsonFields(w http.ResponseWriter, r *http.Request) (func(string) string, error) {
	var body map[string]json.RawMessage
	if err := decodeJSONLoose(w, r, &body); err != nil {
		return nil, err
	}
	return func(k string) string {
		var s string
		if raw, ok := body[k]; ok {
			if json.Unmarshal(raw, &s) != nil {
				var n json.Number
				if json.Unmarshal(raw, &n) == nil {
					s = n.String()
				}
			}
		}
		return s
	}, nil
}

func decodeJSONLoose(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		return partyworks.Errorf(partyworks.EINVALID, "the request body is not a JSON object: %v", err)
	}
	return nil
}

func (s *Server) apiMemberCreate(w http.ResponseWriter, r *http.Request) {
	ms, err := s.members()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	get, err := jsonFields(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := s.memberInput(r, get)
	if err == nil {
		err = ms.CreateMember(r.Context(), m)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toAPIMember(m))
}

func (s *Server) apiMemberImport(w http.ResponseWriter, r *http.Request) {
	res, err := s.importMembers(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) apiMember(w http.ResponseWriter, r *http.Request) {
	ms, err := s.members()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := ms.FindMemberByID(r.Context(), memberID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	steps, err := ms.FindSteps(r.Context(), m.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"member": toAPIMember(m), "steps": steps, "next_steps": partyworks.StepsFrom(m.Status)})
}

func (s *Server) apiMemberStep(w http.ResponseWriter, r *http.Request) {
	if _, err := s.members(); err != nil {
		s.fail(w, r, err)
		return
	}
	get, err := jsonFields(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := stepFromForm(get)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.recordStep(r, memberID(r), in, get("on_behalf") != "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, st)
}

func (s *Server) apiMemberUpdate(w http.ResponseWriter, r *http.Request) {
	ms, err := s.members()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	get, err := jsonFields(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := memberCorrection(ms, r, memberID(r), get)
	if err == nil {
		err = ms.UpdateMember(r.Context(), m)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m, err = ms.FindMemberByID(r.Context(), m.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAPIMember(m))
}

func (s *Server) apiMemberAccount(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Username string `json:"username"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.linkAccount(r, memberID(r), in.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"member_id": memberID(r), "username": strings.TrimSpace(in.Username)})
}

func (s *Server) apiMemberPhoto(w http.ResponseWriter, r *http.Request) {
	ms, err := s.members()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data, err := io.ReadAll(io.LimitReader(http.MaxBytesReader(w, r.Body, maxPhoto+1), maxPhoto+1))
	if err != nil && len(data) <= maxPhoto {
		s.fail(w, r, partyworks.FieldErrorf("photo", "the photo could not be read"))
		return
	}
	ct, err := setPhoto(r, ms, data)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"member_id": memberID(r), "content_type": ct, "bytes": len(data)})
}
