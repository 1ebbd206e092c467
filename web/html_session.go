package web

import (
	"net/http"
	"net/url"
	"time"

	"partyworks"
	"partyworks/i18n"
)

type loginPage struct {
	Page
	Next     string
	Username string
}

func (s *Server) htmlLoginForm(w http.ResponseWriter, r *http.Request) {
	if userFrom(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login.html", &loginPage{Page: s.page(r, "login.title"), Next: r.URL.Query().Get("next")})
}

// htmlLogin checks the credentials and starts a new session: the session
// id is always fresh at login, never carried over.
func (s *Server) htmlLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	username, password := r.PostFormValue("username"), r.PostFormValue("password")
	u, err := s.Users.Authenticate(r.Context(), username, password, clientAddr(r))
	if err != nil {
		p := &loginPage{Page: s.page(r, "login.title"), Next: r.PostFormValue("next"), Username: username}
		status := statusOf(err)
		switch partyworks.ErrorCode(err) {
		case partyworks.EUNAUTHORIZED:
			p.Error = p.T("login.failed")
		case partyworks.ETOOMANY:
			p.Error = partyworks.ErrorMessage(err)
		default:
			s.fail(w, r, err)
			return
		}
		s.render(w, r, status, "login.html", p)
		return
	}
	// From here on the trail names the user, not "anonymous".
	r = r.WithContext(partyworks.WithActor(r.Context(), partyworks.Actor{UserID: u.ID, Username: u.Username, Addr: clientAddr(r)}))
	next := r.PostFormValue("next")
	if u.TOTP {
		// The password is right; the second factor comes next.
		tok, err := s.Users.StartChallenge(r.Context(), u.ID, clientAddr(r))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: s.challengeCookie(), Value: tok, Path: "/", HttpOnly: true, Secure: s.cfg.SecureCookies,
			SameSite: http.SameSiteLaxMode, MaxAge: 300})
		http.Redirect(w, r, "/login/totp?next="+safeNext(next), http.StatusSeeOther)
		return
	}
	s.startSession(w, r, u, next)
}

// startSession opens a fresh session for a user who has passed every
// factor, and sends them on.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *partyworks.User, next string) {
	sess, err := s.Users.CreateSession(r.Context(), u.ID, clientAddr(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if old, err := r.Cookie(s.sessionCookie()); err == nil {
		s.Users.DeleteSession(r.Context(), old.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookie(), Value: sess.Token, Path: "/", HttpOnly: true,
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode, Expires: sess.ExpiresAt})
	if s.cfg.RequireTOTP && needsTOTP(u) {
		next = "/account/totp"
	}
	next, _ = url.QueryUnescape(safeNext(next))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) htmlLogout(w http.ResponseWriter, r *http.Request) {
	if sess := sessionFrom(r); sess != nil {
		s.Users.DeleteSession(r.Context(), sess.Token)
		s.Audit.RecordAudit(r.Context(), "auth.logout", "user:"+itoa(userFrom(r).ID), nil)
	}
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookie(), Value: "", Path: "/", HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// htmlLang remembers the chosen language for a year.
func (s *Server) htmlLang(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	l := i18n.Lang(r.PostFormValue("lang"))
	if !l.Valid() {
		l = i18n.Default
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: string(l), Path: "/", SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies,
		Expires: time.Now().AddDate(1, 0, 0)})
	next, _ := url.QueryUnescape(safeNext(r.PostFormValue("next")))
	http.Redirect(w, r, next, http.StatusSeeOther)
}
