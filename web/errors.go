package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"partyworks"
)

// statuses maps the domain's error codes to HTTP statuses: the one table.
var statuses = map[string]int{
	partyworks.EINVALID:      http.StatusUnprocessableEntity,
	partyworks.ENOTFOUND:     http.StatusNotFound,
	partyworks.ECONFLICT:     http.StatusConflict,
	partyworks.EFORBIDDEN:    http.StatusForbidden,
	partyworks.EUNAUTHORIZED: http.StatusUnauthorized,
	partyworks.ETOOMANY:      http.StatusTooManyRequests,
	partyworks.EINTERNAL:     http.StatusInternalServerError,
	eUnavailable:             http.StatusServiceUnavailable, // dbfault.go
}

func statusOf(err error) int {
	if st, ok := statuses[partyworks.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// problem is an RFC 9457 problem document.
type problem struct {
	Type   string                `json:"type"`
	Title  string                `json:"title"`
	Status int                   `json:"status"`
	Detail string                `json:"detail"`
	Code   string                `json:"code"`
	Field  string                `json:"field,omitempty"`
	Rows   []partyworks.RowError `json:"rows,omitempty"`
}

// isAPI reports whether the request is for the JSON API.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// fail answers an error: problem+json for the API, an error page for the
// HTML interface. Internal errors are logged with the request id and shown
// without their details.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	err = unavailable(err)
	code := partyworks.ErrorCode(err)
	status := statusOf(err)
	if code == partyworks.EINTERNAL {
		s.log.Error("internal error", "err", err, "path", r.URL.Path, "request_id", requestID(r))
	} else if code == eUnavailable {
		s.log.Warn("database unavailable", "err", err, "path", r.URL.Path, "request_id", requestID(r))
		w.Header().Set("Retry-After", "2")
	}
	if isAPI(r) {
		p := problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: partyworks.ErrorMessage(err), Code: code, Field: partyworks.ErrorField(err)}
		var rows partyworks.RowErrors
		if errors.As(err, &rows) {
			p.Rows = rows
			p.Detail = "some rows are not valid; nothing was written"
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(p)
		return
	}
	if code == partyworks.EUNAUTHORIZED && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+safeNext(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	data := &errorPage{Page: s.page(r, "err.title"), Status: status, Code: code, Message: partyworks.ErrorMessage(err)}
	var rows partyworks.RowErrors
	if errors.As(err, &rows) {
		data.Rows = rows
	}
	s.render(w, r, status, "error.html", data)
}

type errorPage struct {
	Page
	Status  int
	Code    string
	Message string
	Rows    []partyworks.RowError
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, partyworks.Errorf(partyworks.ENOTFOUND, "there is no page at %s", r.URL.Path))
}
