package web

import (
	"bytes"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"partyworks"
	"partyworks/i18n"
)

// Page is what every page's data carries: the language, the user, the day
// being viewed. Each page embeds it in a typed struct of its own.
type Page struct {
	Lang  i18n.Lang
	User  *partyworks.User
	Title string
	Nav   string // the current section, for aria-current
	At    partyworks.Date
	Today partyworks.Date
	// Here is the current URL, for the language switch to come back to.
	Here  string
	Flash string
	Error string
	// Refresh, if set, reloads the page every so many seconds (a page
	// following work in progress, without script).
	Refresh int
}

// T translates a message key.
func (p *Page) T(key string, args ...any) string { return i18n.T(p.Lang, key, args...) }

// Date writes a day in the page's language.
func (p *Page) Date(d partyworks.Date) string { return p.Lang.Date(d) }

// Num writes a number in the page's language.
func (p *Page) Num(n int) string { return p.Lang.Number(n) }

// Kind names a kind of unit.
func (p *Page) Kind(k partyworks.UnitKind) string { return p.T("kind." + string(k)) }

// Past reports whether the page shows a day other than today.
func (p *Page) Past() bool { return !p.At.Equal(p.Today) }

// AtParam is the query suffix that keeps the day in links ("" for today).
func (p *Page) AtParam() string {
	if !p.Past() {
		return ""
	}
	return "?at=" + partyworks.FormatDate(p.At)
}

// DayBefore is the last day before d: when the sources of an event
// still stood.
func (p *Page) DayBefore(d partyworks.Date) partyworks.Date { return d.AddDate(0, 0, -1) }

// ISO writes a day as yyyy-mm-dd, for <input type=date> and datetime.
func (p *Page) ISO(d partyworks.Date) string { return partyworks.FormatDate(d) }

// Can reports whether the user may do an action on a unit (for showing
// buttons; the server checks again on every request).
func (p *Page) Can(act string, u *partyworks.Unit) bool {
	if p.User == nil {
		return false
	}
	path := ""
	if u != nil {
		path = u.Path
	}
	if u == nil && act != string(partyworks.ActAuditRead) && act != string(partyworks.ActSystemRead) {
		return allowedSomewhere(p.User, partyworks.Action(act))
	}
	return p.User.Can(partyworks.Action(act), path)
}

// page starts a page's data for the request.
func (s *Server) page(r *http.Request, titleKey string) Page {
	at, err := s.atDate(r)
	if err != nil {
		at = s.today()
	}
	return Page{Lang: langOf(r), User: userFrom(r), Title: i18n.T(langOf(r), titleKey), At: at, Today: s.today(), Here: r.URL.RequestURI()}
}

// langOf reads the language from the cookie, else Accept-Language.
func langOf(r *http.Request) i18n.Lang {
	if c, err := r.Cookie("lang"); err == nil {
		if l := i18n.Lang(c.Value); l.Valid() {
			return l
		}
	}
	return i18n.Parse(r.Header.Get("Accept-Language"))
}

// atDate reads the day to view (?at=), today by default.
func (s *Server) atDate(r *http.Request) (partyworks.Date, error) {
	v := r.URL.Query().Get("at")
	if v == "" {
		return s.today(), nil
	}
	d, err := partyworks.ParseDate(v)
	if err != nil {
		return partyworks.Date{}, &partyworks.Error{Code: partyworks.EINVALID, Field: "at", Message: partyworks.ErrorMessage(err)}
	}
	return d, nil
}

// pages holds one template set per page: the layout plus the page.
type pages struct{ sets map[string]*template.Template }

var funcs = template.FuncMap{
	"join":  strings.Join,
	"add":   func(a, b int) int { return a + b },
	"sub":   func(a, b int) int { return a - b },
	"query": url.QueryEscape,
}

func loadPages() *pages {
	ps := &pages{sets: map[string]*template.Template{}}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		base := strings.TrimPrefix(n, "templates/")
		if base == "layout.html" || base == "partials.html" {
			continue
		}
		ps.sets[base] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/partials.html", n))
	}
	return ps
}

// render writes a page; it renders into a buffer first so that a template
// error becomes a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t, ok := s.pages.sets[name]
	if !ok {
		s.log.Error("no template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		s.log.Error("render", "template", name, "err", err, "request_id", requestID(r))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// safeNext keeps a redirect target on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return url.QueryEscape(next)
}
