package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"

	"partyworks/demo"
	"partyworks/sheet"
	"partyworks/sqldb"
	"partyworks/web"
)

// serveConfig is the server's configuration from flags and environment.
type serveConfig struct {
	Addr            string
	DB              string
	DBReplica       string        // a streaming replica for reads (replica.go)
	ReplicaMaxLag   time.Duration // how far behind it may be and still be read
	Demo            bool
	DemoScale       string
	InsecureCookies bool
	RequireTOTP     bool
	ShutdownTimeout time.Duration
}

func (c *cli) serve(ctx context.Context, args []string) error {
	fs := c.flags("serve", usageServe)
	cfg := serveConfig{ShutdownTimeout: 15 * time.Second}
	fs.StringVar(&cfg.Addr, "addr", c.cfg.Addr, "where to listen")
	fs.StringVar(&cfg.DB, "db", c.cfg.DB, "the database: a SQLite file or a postgres:// URL")
	fs.StringVar(&cfg.DBReplica, "db-replica", c.getenv("PARTYWORKS_DB_REPLICA"), "a streaming replica (postgres://) for reads that may be a moment stale")
	fs.DurationVar(&cfg.ReplicaMaxLag, "replica-max-lag", 30*time.Second, "read the primary while the replica is further behind than this")
	fs.BoolVar(&cfg.Demo, "demo", false, "seed the demo scenario into an empty database")
	fs.StringVar(&cfg.DemoScale, "scale", string(demo.ScaleProvince), "with --demo: story, province or national")
	fs.BoolVar(&cfg.InsecureCookies, "insecure-cookies", false, "session cookies without Secure")
	fs.BoolVar(&cfg.RequireTOTP, "require-totp", true, "administrators and staff must enrol a second factor")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return fmt.Errorf("serve: unexpected argument %q", pos[0])
	}
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "require-totp" })
	if cfg.Demo && !set {
		cfg.RequireTOTP = false // the demo's users have no phones; say --require-totp to try it
	}
	if c.getenv("GOGC") == "" {
		// A request allocates little that lives (the data lives in the
		// database's caches): collect less often. GOGC overrides.
		debug.SetGCPercent(400)
	}
	log := slog.New(slog.NewTextHandler(c.stderr, nil))
	db, err := openServeDB(ctx, log, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	log.Info("database open", "db", redact(cfg.DB), "postgres", db.Postgres())
	if n := sqliteProcs(db.Postgres(), c.getenv("GOMAXPROCS")); n > 0 {
		log.Info("procs", "gomaxprocs", n, "cpus", runtime.NumCPU())
	}
	var logins *demo.Logins
	if cfg.Demo {
		opts, err := demoOptions(cfg.DemoScale)
		if err != nil {
			return err
		}
		if logins, err = c.seedDemo(ctx, db, cfg.DB, opts); err != nil {
			return err
		}
	}
	return c.listen(ctx, log, cfg, db, logins)
}

// procsPerCPU is how many goroutines may run Go code at once per CPU when
// the database is SQLite. Each SQLite call is a cgo call that keeps its
// goroutine's P (the runtime's right to run Go code) until the runtime's
// monitor takes it back, up to 10 ms later: with one P per CPU, a request
// whose network read is ready waits behind requests sitting in SQLite,
// and under load a few in a hundred waited 100–200 ms before their
// handler began. Three Ps per CPU let the kernel share the CPUs among
// them (docs/PERFORMANCE.md, "Three Ps per CPU, and reads take turns").
const procsPerCPU = 3

// startProcs is GOMAXPROCS as the runtime set it at start (the CPUs this
// process may use), before sqliteProcs.
var startProcs = runtime.GOMAXPROCS(0)

// sqliteProcs sets GOMAXPROCS to procsPerCPU times what it was at start when the
// database is SQLite and the environment does not set GOMAXPROCS, and
// returns the new value (0 if it left it).
func sqliteProcs(postgres bool, env string) int {
	if postgres || env != "" {
		return 0
	}
	n := procsPerCPU * startProcs
	runtime.GOMAXPROCS(n)
	return n
}

// seedDemo seeds the demo into an empty database; a database with data is
// left as it is, and nil logins are returned.
func (c *cli) seedDemo(ctx context.Context, db *sqldb.DB, dsn string, opts demo.Options) (*demo.Logins, error) {
	logins, err := demo.SeedWith(ctx, db, c.stdout, opts)
	if errors.Is(err, demo.ErrNotEmpty) {
		fmt.Fprintf(c.stdout, "demo: %s already has data: serving it as it is (the demo logins were printed when it was seeded; %s)\n",
			redact(dsn), resetHint(db, dsn))
		return nil, nil
	}
	return logins, err
}

// listen serves until ctx is cancelled (SIGINT, SIGTERM), then shuts down
// gracefully: requests in flight get ShutdownTimeout to finish.
func (c *cli) listen(ctx context.Context, log *slog.Logger, cfg serveConfig, db *sqldb.DB, logins *demo.Logins) error {
	docs, err := c.documentStore(db)
	if err != nil {
		return err
	}
	members := sqldb.NewMemberService(db)
	wcfg := web.Config{SecureCookies: !cfg.InsecureCookies, RequireTOTP: cfg.RequireTOTP, Version: version, MaxUpload: sheet.MaxSize + 1<<20}
	if !db.Postgres() {
		wcfg.ReadSlots = sqldb.SQLiteReaders // reads take turns (web/admit.go)
	}
	handler := web.NewServer(log, wcfg,
		web.Deps{
			Units: sqldb.NewUnitService(db), Users: sqldb.NewUserService(db), Audit: sqldb.NewAuditService(db),
			Documents: docs, Members: members, Tasks: c.tasks(ctx, log, db), Due: dueSources(docs, members, c.tasks(ctx, log, db)), // routed documents, members' deadlines and tasks on "what needs doing"
			Ping: db.Ping, Status: thisNode().status(db), Now: time.Now,
		})
	if err := handler.RegisterMetrics(thisNode().jobs); err != nil {
		return err
	}
	if err := handler.RegisterMetrics(replicaMetrics(db)...); err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // uploads of national files
		WriteTimeout:      2 * time.Minute, // a national restructuring takes seconds
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	url := serverURL(ln.Addr())
	log.Info("listening", "url", url, "version", version)
	fmt.Fprintf(c.stdout, "partyworks is serving on %s\n", url)
	if logins != nil {
		fmt.Fprintln(c.stdout, "Demo accounts (the passwords are shown only now):")
		logins.Fprint(c.stdout)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// serverURL is the address to open in a browser: a server listening on
// every interface is reached through the loopback address.
func serverURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String() + "/"
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(tcp.Port)) + "/"
}
