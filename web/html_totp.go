package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"partyworks"
)

type totpPage struct {
	Page
	Next   string
	Secret string // enrolment: the new secret, grouped for reading aloud
	Raw    string // enrolment: the secret as the form sends it back
	URI    string // enrolment: otpauth:// for apps that take a link
}

func (s *Server) htmlTOTPForm(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie(s.challengeCookie()); err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "totp_login.html", &totpPage{Page: s.page(r, "totp.title"), Next: r.URL.Query().Get("next")})
}

// htmlTOTPLogin exchanges the pending login and a code for a session.
func (s *Server) htmlTOTPLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	c, err := r.Cookie(s.challengeCookie())
	if err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	code := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("code")), " ", "")
	u, err := s.Users.VerifyTOTP(r.Context(), c.Value, code, clientAddr(r))
	if err != nil {
		if partyworks.ErrorField(err) != "code" && partyworks.ErrorCode(err) != partyworks.ETOOMANY {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		p := &totpPage{Page: s.page(r, "totp.title"), Next: r.PostFormValue("next")}
		p.Error = p.T("login.totp_failed")
		if partyworks.ErrorCode(err) == partyworks.ETOOMANY {
			p.Error = partyworks.ErrorMessage(err)
		}
		s.render(w, r, statusOf(err), "totp_login.html", p)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: s.challengeCookie(), Value: "", Path: "/", HttpOnly: true, Secure: s.cfg.SecureCookies, MaxAge: -1})
	r = r.WithContext(partyworks.WithActor(r.Context(), partyworks.Actor{UserID: u.ID, Username: u.Username, Addr: clientAddr(r)}))
	s.startSession(w, r, u, r.PostFormValue("next"))
}

func (s *Server) htmlTOTPEnrolForm(w http.ResponseWriter, r *http.Request) {
	p := &totpPage{Page: s.page(r, "totp.enrol")}
	secret, uri, err := s.Users.NewTOTPSecret(p.User.Username)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Raw, p.Secret, p.URI = secret, groups(secret), uri
	s.render(w, r, http.StatusOK, "totp_enrol.html", p)
}

// htmlTOTPEnrol confirms a second factor: the password again (a change of
// second factor needs re-authentication) and a code from the new secret.
func (s *Server) htmlTOTPEnrol(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	u := userFrom(r)
	secret := r.PostFormValue("secret")
	code := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("code")), " ", "")
	if err := s.Users.EnableTOTP(r.Context(), u.ID, r.PostFormValue("password"), secret, code); err != nil {
		if partyworks.ErrorCode(err) != partyworks.EINVALID {
			s.fail(w, r, err)
			return
		}
		p := &totpPage{Page: s.page(r, "totp.enrol"), Raw: secret, Secret: groups(secret)}
		p.URI = "otpauth://totp/partyworks:" + url.PathEscape(u.Username) + "?secret=" + url.QueryEscape(secret) + "&issuer=partyworks"
		p.Error = partyworks.ErrorMessage(err)
		s.render(w, r, statusOf(err), "totp_enrol.html", p)
		return
	}
	http.Redirect(w, r, "/account?totp=1", http.StatusSeeOther)
}

func (s *Server) htmlTOTPRemove(w http.ResponseWriter, r *http.Request) {
	uid, _ := strconv.ParseInt(r.PathValue("uid"), 10, 64)
	if err := s.Users.DisableTOTP(r.Context(), uid); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/users/"+itoa(uid), http.StatusSeeOther)
}

func (s *Server) apiTOTPRemove(w http.ResponseWriter, r *http.Request) {
	uid, _ := strconv.ParseInt(r.PathValue("uid"), 10, 64)
	if err := s.Users.DisableTOTP(r.Context(), uid); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// groups writes a base32 secret in groups of four, easier to type.
func groups(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
