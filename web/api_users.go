package web

import (
	"net/http"
	"strconv"

	"partyworks"
)

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	users, err := s.Users.FindUsers(r.Context(), partyworks.UserFilter{Query: q.Get("q"), AfterID: formID(q.Get("after")),
		UnderPaths: managedFilter(userFrom(r)), Limit: atoiDefault(q.Get("limit"), 100)})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": users})
}

type userRequest struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Password    string `json:"password"`
	Role        string `json:"role"`
	Unit        string `json:"unit"` // a unit code; "" for the whole tree
}

func (s *Server) apiUserCreate(w http.ResponseWriter, r *http.Request) {
	var req userRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.createUser(r, userForm{Username: req.Username, DisplayName: req.DisplayName, Role: req.Role, UnitCode: req.Unit}, req.Password)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, _ = s.Users.FindUserByID(r.Context(), u.ID)
	writeJSON(w, http.StatusCreated, u)
}

func (s *Server) apiUser(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("uid"), 10, 64)
	u, err := s.Users.FindUserByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

type grantRequest struct {
	Role string `json:"role"`
	Unit string `json:"unit"`
}

func (s *Server) apiGrant(w http.ResponseWriter, r *http.Request) {
	var req grantRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("uid"), 10, 64)
	g, err := s.grantFor(r, req.Role, req.Unit)
	if err == nil {
		g.UserID = id
		err = s.Users.AddGrant(r.Context(), g)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, g)
}

func (s *Server) apiRevoke(w http.ResponseWriter, r *http.Request) {
	if err := s.revoke(r); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type disableRequest struct {
	Disabled bool  `json:"disabled"`
	Version  int64 `json:"version"`
}

func (s *Server) apiDisable(w http.ResponseWriter, r *http.Request) {
	var req disableRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("uid"), 10, 64)
	if id == userFrom(r).ID {
		s.fail(w, r, partyworks.Errorf(partyworks.EINVALID, "you cannot disable your own account"))
		return
	}
	if err := s.Users.SetDisabled(r.Context(), id, req.Disabled, req.Version); err != nil {
		s.fail(w, r, err)
		return
	}
	u, _ := s.Users.FindUserByID(r.Context(), id)
	writeJSON(w, http.StatusOK, u)
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := partyworks.AuditFilter{Username: q.Get("user"), Action: q.Get("action"), Object: q.Get("object"), BeforeSeq: formID(q.Get("before")), Limit: atoiDefault(q.Get("limit"), 100)}
	entries, err := s.Audit.FindAuditEntries(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": entries})
}

func (s *Server) apiAuditVerify(w http.ResponseWriter, r *http.Request) {
	n, problems, err := s.Audit.VerifyAudit(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"checked": n, "ok": len(problems) == 0, "problems": problems})
}
