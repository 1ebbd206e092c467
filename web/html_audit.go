package web

import (
	"net/http"

	"partyworks"
)

type auditPage struct {
	Page
	Entries []*partyworks.AuditEntry
	Filter  partyworks.AuditFilter
	Next    int64
}

// RoleName names a role.
func (p *Page) RoleName(r partyworks.Role) string { return p.T("role." + string(r)) }

func (s *Server) htmlAudit(w http.ResponseWriter, r *http.Request) {
	p := &auditPage{Page: s.page(r, "audit.title")}
	p.Nav = "audit"
	q := r.URL.Query()
	p.Filter = partyworks.AuditFilter{Username: q.Get("user"), Action: q.Get("action"), Object: q.Get("object"), BeforeSeq: formID(q.Get("before")), Limit: 100}
	entries, err := s.Audit.FindAuditEntries(r.Context(), p.Filter)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Entries = entries
	if len(entries) == p.Filter.Limit {
		p.Next = entries[len(entries)-1].Seq
	}
	s.render(w, r, http.StatusOK, "audit.html", p)
}
