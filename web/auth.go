package web

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"

	"partyworks"
)

// target is what a request acts on, as subtree paths. The action is
// allowed when one grant allows it on at least one path of Any (a unit as
// it stood on the day viewed, or as it stands today) and on every path of
// All (each grant of a user being managed).
type target struct {
	Any []string
	All []string
}

// targetFunc finds a request's target. ok is false when the request names
// no target; the route is then checked against the user's grants alone.
type targetFunc func(s *Server, r *http.Request) (t target, ok bool, err error)

type ctxKey int

const (
	userKey ctxKey = iota
	sessionKey
	requestIDKey
)

// userFrom returns the authenticated user, or nil.
func userFrom(r *http.Request) *partyworks.User {
	u, _ := r.Context().Value(userKey).(*partyworks.User)
	return u
}

func sessionFrom(r *http.Request) *partyworks.Session {
	s, _ := r.Context().Value(sessionKey).(*partyworks.Session)
	return s
}

// clientAddr is the caller's address, without the port.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// needsTOTP reports whether a user must have a second factor and has none:
// administrators and staff change data; leaders and members read.
func needsTOTP(u *partyworks.User) bool {
	if u.TOTP {
		return false
	}
	for _, g := range u.Grants {
		if g.Role == partyworks.RoleAdmin || g.Role == partyworks.RoleStaff {
			return true
		}
	}
	return false
}

// challengeCookie holds a login waiting for its second factor.
func (s *Server) challengeCookie() string {
	if s.cfg.SecureCookies {
		return "__Host-pw_challenge"
	}
	return "pw_challenge"
}

// sessionCookie is the name of the session cookie.
func (s *Server) sessionCookie() string {
	if s.cfg.SecureCookies {
		return "__Host-pw_session"
	}
	return "pw_session"
}

// authenticate finds the caller: a bearer token for the API (cookies are
// ignored there, so a browser cannot be made to call it) and for any
// request that sends one (a metrics scraper), the session cookie for pages.
func (s *Server) authenticate(r *http.Request) (*partyworks.User, *partyworks.Session, error) {
	if h := r.Header.Get("Authorization"); isAPI(r) || h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || tok == "" {
			return nil, nil, partyworks.Errorf(partyworks.EUNAUTHORIZED, "send an API token: Authorization: Bearer <token>")
		}
		u, err := s.Users.TokenUser(r.Context(), strings.TrimSpace(tok))
		return u, nil, err
	}
	c, err := r.Cookie(s.sessionCookie())
	if err != nil || c.Value == "" {
		return nil, nil, partyworks.Errorf(partyworks.EUNAUTHORIZED, "please log in")
	}
	return s.Users.SessionUser(r.Context(), c.Value)
}

// guard is the one place where every route's rights are checked: it
// authenticates the caller, finds the route's target and asks the access
// matrix (partyworks.Allows) whether the caller's grants allow the action
// there. A refusal is recorded in the audit trail.
func (s *Server) guard(rt *Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.takeTurn(w, r, rt)
		u, sess, authErr := s.authenticate(r)
		ctx := r.Context()
		if u != nil {
			ctx = context.WithValue(ctx, userKey, u)
			ctx = context.WithValue(ctx, sessionKey, sess)
			ctx = partyworks.WithActor(ctx, partyworks.Actor{UserID: u.ID, Username: u.Username, Addr: clientAddr(r)})
		} else {
			ctx = partyworks.WithActor(ctx, partyworks.Actor{Username: "anonymous", Addr: clientAddr(r)})
		}
		r = r.WithContext(ctx)
		if rt.Action == partyworks.ActPublic {
			rt.handler(w, r)
			return
		}
		if u == nil {
			s.fail(w, r, authErr)
			return
		}
		if err := s.authorize(r, rt); err != nil {
			s.fail(w, r, err)
			return
		}
		if !isAPI(r) {
			w.Header().Set("Cache-Control", "no-store")
		}
		if s.cfg.RequireTOTP && needsTOTP(u) && rt.Action != partyworks.ActSelf {
			if isAPI(r) || r.Method != http.MethodGet {
				s.fail(w, r, partyworks.Errorf(partyworks.EFORBIDDEN, "enrol a second factor (TOTP) on your account page first"))
			} else {
				http.Redirect(w, r, "/account/totp", http.StatusSeeOther)
			}
			return
		}
		rt.handler(w, replicaReads(r))
	})
}

// authorize checks the route's action for the caller.
func (s *Server) authorize(r *http.Request, rt *Route) error {
	u := userFrom(r)
	if rt.Action == partyworks.ActSelf {
		return nil
	}
	var t target
	ok := false
	if rt.Target != nil {
		var err error
		if t, ok, err = rt.Target(s, r); err != nil {
			return err
		}
	}
	if !ok {
		if allowedSomewhere(u, rt.Action) {
			return nil
		}
		return s.deny(r, rt.Action, "")
	}
	return s.check(r, rt.Action, t)
}

// check applies the matrix to a target and records a refusal.
func (s *Server) check(r *http.Request, act partyworks.Action, t target) error {
	u := userFrom(r)
	allowed := len(t.Any) == 0
	for _, p := range t.Any {
		if u.Can(act, p) {
			allowed = true
			break
		}
	}
	for _, p := range t.All {
		if !u.Can(act, p) {
			allowed = false
		}
	}
	if !allowed {
		return s.deny(r, act, strings.Join(append(t.Any, t.All...), ","))
	}
	return nil
}

// allowedSomewhere reports whether some grant allows the action at all,
// for routes that name no unit: national actions (the audit trail, the
// system) need a national grant; others need a grant that allows the
// action on its own unit or below it.
func allowedSomewhere(u *partyworks.User, act partyworks.Action) bool {
	if act == partyworks.ActAuditRead || act == partyworks.ActSystemRead {
		return u.Can(act, "")
	}
	for _, g := range u.Grants {
		if partyworks.Allows(g.Role, act, partyworks.ScopeOwn) || partyworks.Allows(g.Role, act, partyworks.ScopeBelow) {
			return true
		}
	}
	return false
}

func (s *Server) deny(r *http.Request, act partyworks.Action, where string) error {
	if err := s.Audit.RecordAudit(r.Context(), "access.denied", r.Method+" "+r.URL.Path, map[string]string{"action": string(act), "target": where}); err != nil {
		s.log.Error("audit a refusal", "err", err)
	}
	return partyworks.Errorf(partyworks.EFORBIDDEN, "you may not do this here: your roles do not cover it")
}

// unitTarget resolves a unit id to its paths: as it stood on the day
// viewed (or its last version if it did not stand then) and today.
func (s *Server) unitTarget(r *http.Request, id int64) (target, error) {
	at, err := s.atDate(r)
	if err != nil {
		return target{}, err
	}
	return s.unitTargetAt(r, id, at)
}

// unitTargetAt resolves a unit to its paths as it stood on a given day and
// as it stands last, both read in one query (a zero day is today).
func (s *Server) unitTargetAt(r *http.Request, id int64, at partyworks.Date) (target, error) {
	if at.IsZero() {
		at = s.today()
	}
	atPath, last, err := s.Units.FindUnitPaths(r.Context(), id, at)
	if err != nil {
		return target{}, err
	}
	var t target
	if atPath != "" {
		t.Any = append(t.Any, atPath)
	}
	if atPath != last {
		t.Any = append(t.Any, last)
	}
	return t, nil
}

// pathUnit targets the unit named in the path ({id}).
func pathUnit(s *Server, r *http.Request) (target, bool, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return target{}, false, partyworks.Errorf(partyworks.ENOTFOUND, "no such unit")
	}
	t, err := s.unitTarget(r, id)
	return t, true, err
}

// queryUnit targets the unit named by ?parent= or ?under=; a search
// without one is limited to the caller's subtrees by the handler.
func queryUnit(s *Server, r *http.Request) (target, bool, error) {
	for _, k := range []string{"parent", "under"} {
		if v := r.URL.Query().Get(k); v != "" {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return target{}, false, partyworks.FieldErrorf(k, "%q is not a unit id", v)
			}
			t, err := s.unitTarget(r, id)
			return t, true, err
		}
	}
	return target{}, false, nil
}

// userScope targets every grant of the user named in the path ({uid}): an
// administrator manages a user only if all the user's grants lie in the
// administrator's subtree. A user without grants is the national
// administrators' business.
func userScope(s *Server, r *http.Request) (target, bool, error) {
	id, err := strconv.ParseInt(r.PathValue("uid"), 10, 64)
	if err != nil {
		return target{}, false, partyworks.Errorf(partyworks.ENOTFOUND, "no such user")
	}
	u, err := s.Users.FindUserByID(r.Context(), id)
	if err != nil {
		return target{}, false, err
	}
	var t target
	for _, g := range u.Grants {
		t.All = append(t.All, g.UnitPath)
	}
	if len(t.All) == 0 {
		t.All = []string{""}
	}
	return t, true, nil
}

// readablePaths returns the subtrees the user may read: nil for the whole
// tree.
func readablePaths(u *partyworks.User) []string {
	paths := []string{}
	for _, g := range u.Grants {
		if g.Role == partyworks.RoleMember {
			continue // members read their own unit, not a subtree
		}
		if g.UnitID == 0 {
			return nil
		}
		if g.UnitPath != "" {
			paths = append(paths, g.UnitPath)
		}
	}
	return paths
}
