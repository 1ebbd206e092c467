// Package web serves the HTML interface and the JSON API (/api/v1) over
// the domain services. Every route is declared once in routes.go with the
// action it performs; guard (auth.go) is the one place that checks the
// caller's rights for it.
package web

import (
	"context"
	"embed"
	"log/slog"
	"net/http"
	"time"

	"partyworks"
)

//go:embed templates static
var assets embed.FS

// Config is the web server's configuration.
type Config struct {
	// SecureCookies marks the session cookie Secure with the __Host-
	// prefix. Browsers accept Secure cookies from http://localhost and
	// http://127.0.0.1; turn it off only behind a TLS proxy that rewrites.
	SecureCookies bool
	Version       string
	// MaxUpload caps uploaded files (imports, plans).
	MaxUpload int64
	// RequireTOTP makes administrators and staff enrol a second factor
	// before they can do anything else.
	RequireTOTP bool
	// BackgroundImportRows: a members file of more rows, imported from
	// the browser, runs in the background behind a progress page
	// (default 20,000: one batch).
	BackgroundImportRows int
	// ReadSlots, when above 0, is how many reads (GET, HEAD) may prepare
	// their answers at once; the others wait their turn in order of
	// arrival, at most ReadWait (default 100 ms), then go ahead anyway
	// (admit.go). Set to the reader pool of a SQLite database.
	ReadSlots int
	ReadWait  time.Duration
}

// Deps are the services the server stands on.
type Deps struct {
	Units partyworks.UnitService
	Users partyworks.UserService
	Audit partyworks.AuditService
	// Documents keeps the registers of official documents (nil: the
	// document routes answer 404).
	Documents partyworks.DocumentService
	// Members keeps the party members (nil: the member routes answer 404).
	Members partyworks.MemberService
	// Tasks keeps directives and their tasks (nil: the task routes answer 404).
	Tasks partyworks.TaskService
	// Due are the capabilities that put items on a unit's "what needs
	// doing" page.
	Due []partyworks.DueSource
	// Ping checks the database for /readyz.
	Ping func(ctx context.Context) error
	// Status reports the program, the database and this app node for
	// the national administrator (nil: the status routes answer 404).
	Status func(ctx context.Context) (*partyworks.SystemStatus, error)
	Now    func() time.Time
}

// Server is the HTTP handler of the whole application.
type Server struct {
	log *slog.Logger
	cfg Config
	Deps
	handler http.Handler
	routes  []*Route
	pages   *pages
	metrics *metrics
	// readSlots holds a token for each read preparing its answer (nil:
	// reads are not queued).
	readSlots chan struct{}
}

// NewServer wires the routes and middleware.
func NewServer(log *slog.Logger, cfg Config, deps Deps) *Server {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if cfg.BackgroundImportRows == 0 {
		cfg.BackgroundImportRows = 20000
	}
	if cfg.MaxUpload == 0 {
		cfg.MaxUpload = 32 << 20
	}
	if cfg.ReadWait == 0 {
		cfg.ReadWait = 100 * time.Millisecond
	}
	s := &Server{log: log, cfg: cfg, Deps: deps, pages: loadPages(), metrics: newMetrics()}
	if cfg.ReadSlots > 0 {
		s.readSlots = make(chan struct{}, cfg.ReadSlots)
	}
	mux := http.NewServeMux()
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		mux.Handle(rt.Method+" "+rt.Pattern, s.guard(rt))
	}
	mux.Handle("/", s.guard(&Route{Pattern: "/", Action: partyworks.ActPublic, handler: s.notFound}))
	s.handler = s.observe(securityHeaders(crossOrigin(mux)))
	return s
}

// Routes returns the declared routes, for tests and the OpenAPI document.
func (s *Server) Routes() []*Route { return s.routes }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) today() partyworks.Date { return partyworks.Today(s.Now()) }
