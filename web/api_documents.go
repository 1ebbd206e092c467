package web

import (
	"io"
	"net/http"

	"partyworks"
)

// apiDocument is a document as the API shows it.
type apiDocument struct {
	*partyworks.Document
	Symbol   string `json:"symbol"`
	Issued   string `json:"issued"`
	Received string `json:"received,omitempty"`
}

func toAPIDocument(d *partyworks.Document) apiDocument {
	return apiDocument{Document: d, Symbol: d.Symbol.String(), Issued: partyworks.FormatDate(d.Issued), Received: partyworks.FormatDate(d.Received)}
}

func (s *Server) apiDocuments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := partyworks.DocumentFilter{UnitID: pathID(r), Direction: partyworks.Direction(q.Get("dir")), Query: q.Get("q"), Limit: int(formID(q.Get("limit"))),
		BeforeIssued: q.Get("before"), BeforeID: formID(q.Get("before_id"))}
	docs, total, err := s.Documents.FindDocuments(r.Context(), viewer(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]apiDocument, len(docs))
	for i, d := range docs {
		out[i] = toAPIDocument(d)
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "items": out})
}

func (s *Server) apiDocumentCreate(w http.ResponseWriter, r *http.Request) {
	var in documentInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.registerDocument(r, pathID(r), in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toAPIDocument(d))
}

func (s *Server) apiDocument(w http.ResponseWriter, r *http.Request) {
	d, err := s.Documents.FindDocumentByID(r.Context(), viewer(r), docParam(r, "doc"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAPIDocument(d))
}

func (s *Server) apiAttach(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxDocUpload)
	data, err := io.ReadAll(r.Body)
	if err != nil {
		s.fail(w, r, tooBig(err, maxDocUpload-1<<20))
		return
	}
	f, err := s.Documents.AttachFile(r.Context(), viewer(r), docParam(r, "doc"), r.URL.Query().Get("name"), data)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, f)
}

func (s *Server) apiRoute(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ToUnitCode string `json:"to_unit_code"`
		ToUsername string `json:"to_username"`
		Deadline   string `json:"deadline"`
		Note       string `json:"note"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	rt, err := s.routeRequest(r, in.ToUnitCode, in.ToUsername, in.Deadline, in.Note)
	if err == nil {
		err = s.Documents.RouteDocument(r.Context(), viewer(r), rt)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": rt.ID, "deadline": partyworks.FormatDate(rt.Deadline)})
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	hits, err := s.Documents.SearchDocuments(r.Context(), viewer(r), partyworks.SearchQuery{Text: r.URL.Query().Get("q"), Limit: int(formID(r.URL.Query().Get("limit")))})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type hit struct {
		Document apiDocument           `json:"document"`
		Summary  []partyworks.Fragment `json:"summary"`
		Snippet  []partyworks.Fragment `json:"snippet,omitempty"`
	}
	out := make([]hit, len(hits))
	for i, h := range hits {
		out[i] = hit{toAPIDocument(h.Document), h.Summary, h.Snippet}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
}

func (s *Server) apiClearance(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Level int `json:"level"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.setClearance(r, docParam(r, "uid"), partyworks.Secrecy(in.Level)); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"level": in.Level})
}
