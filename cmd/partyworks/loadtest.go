package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"partyworks"
	"partyworks/demo"
	"partyworks/loadtest"
	"partyworks/sqldb"
)

func (c *cli) loadtest(ctx context.Context, args []string) error {
	fs := c.flags("loadtest", usageLoadtest)
	var urls, pids, skip listFlag
	fs.Var(&urls, "url", "a server to load (repeatable, or comma-separated): loopback only")
	fs.Var(&skip, "skip", "kinds of the mix to leave out (repeatable, or comma-separated)")
	fs.Var(&pids, "pid", "a server process whose CPU and memory to report (repeatable, or comma-separated)")
	token := fs.String("token", c.getenv("PARTYWORKS_TOKEN"), "the API token (default $PARTYWORKS_TOKEN)")
	writer := fs.String("writer-token", c.getenv("PARTYWORKS_WRITER_TOKEN"), "the API token of an account with a grant on each task's unit")
	dsn := fs.String("db", "", "prepare the accounts and tokens in this database (the server's) instead of --token and --writer-token")
	duration := fs.Duration("duration", 30*time.Second, "how long to load, at most "+loadtest.MaxDuration.String())
	conns := fs.Int("conns", 50, "concurrent connections, each a closed-loop client")
	mix := fs.String("mix", "mixed", "the traffic: "+strings.Join(loadtest.Mixes(), ", "))
	baseline := fs.Bool("baseline", false, "load a bare net/http handler reading one SQLite row, in this process, instead")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	seed := fs.Uint64("seed", 1, "the seed of the random choices: the same seed, the same requests")
	wrk := fs.String("wrk", "", "write the mix as a script for wrk to this file and load the first server through wrk")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return fmt.Errorf("loadtest: unexpected argument %q", pos[0])
	}
	if *wrk != "" && (*baseline || *asJSON) {
		return fmt.Errorf("--wrk: wrk loads a server and prints its own report (not with --baseline or --json)")
	}
	if len(urls) == 0 {
		urls = listFlag{"http://" + c.cfg.Addr}
	}
	cfg := loadtest.Config{URLs: urls, Token: *token, WriterToken: *writer, Duration: *duration, Conns: *conns, Mix: *mix, Skip: skip, Seed: *seed}
	for _, p := range pids {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 {
			return fmt.Errorf("--pid %q: give a process id", p)
		}
		cfg.PIDs = append(cfg.PIDs, n)
	}
	var r *loadtest.Report
	var err error
	switch {
	case *baseline:
		r, err = loadtest.RunBaseline(ctx, cfg)
	case *dsn != "":
		var t *loadtest.Targets
		if t, err = c.prepareLoad(ctx, *dsn, &cfg, *wrk == ""); err == nil {
			if *wrk != "" {
				return loadtest.RunWrk(ctx, cfg, t, *wrk, c.stdout)
			}
			r, err = loadtest.Run(ctx, cfg, t)
		}
	default:
		if verr := cfg.Validate(); verr != nil {
			return verr // a non-loopback address is refused before anything else
		}
		if cfg.Token == "" {
			return fmt.Errorf("--token: give an API token (partyworks token create --user NAME), set PARTYWORKS_TOKEN, or give --db")
		}
		if *wrk != "" {
			t, derr := cfg.Discover(ctx)
			if derr != nil {
				return fmt.Errorf("loadtest: %w", derr)
			}
			return loadtest.RunWrk(ctx, cfg, t, *wrk, c.stdout)
		}
		r, err = loadtest.Run(ctx, cfg, nil)
	}
	if r != nil {
		if *asJSON {
			enc := json.NewEncoder(c.stdout)
			enc.SetIndent("", "  ")
			enc.Encode(r)
		} else {
			r.Print(c.stdout)
		}
	}
	if err != nil {
		return fmt.Errorf("loadtest: %w", err)
	}
	if n := r.ServerErrors(); n > 0 {
		return fmt.Errorf("loadtest: %d server errors (5xx or no answer)", n)
	}
	return nil
}

// The accounts the load test acts as, created by --db.
const (
	loadReader = "loadtest"        // admin over the whole tree: reads, document registrations
	loadWriter = "loadtest.writer" // staff on each unit with open tasks: progress reports
)

// prepareLoad creates (or finds) the load test's accounts in the server's
// database and gives each a fresh token; the writer (unless writer is
// false: wrk sends reads only) gets a staff grant on the unit of every
// task found, since only a unit reports on its own tasks. The changes are in the audit trail, under the operating-system
// user, like every change made from the command line.
func (c *cli) prepareLoad(ctx context.Context, dsn string, cfg *loadtest.Config, writer bool) (*loadtest.Targets, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err // refuse a remote server before touching the database
	}
	db, err := openDB(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	ctx = c.actor(ctx)
	users := sqldb.NewUserService(db)
	if cfg.Token == "" {
		if cfg.Token, err = loadAccount(ctx, users, loadReader, partyworks.RoleAdmin, []int64{0}); err != nil {
			return nil, err
		}
	}
	t, err := cfg.Discover(ctx)
	if err != nil || !writer || cfg.WriterToken != "" || len(t.Tasks) == 0 {
		return t, err
	}
	cfg.WriterToken, err = loadAccount(ctx, users, loadWriter, partyworks.RoleStaff, t.TaskUnitIDs())
	return t, err
}

// loadAccount makes sure the account exists with the role on each unit (0:
// the whole tree) and returns a new token for it.
func loadAccount(ctx context.Context, users *sqldb.UserService, name string, role partyworks.Role, units []int64) (string, error) {
	u, err := users.FindUserByUsername(ctx, name)
	if partyworks.ErrorCode(err) == partyworks.ENOTFOUND {
		u = &partyworks.User{Username: name, DisplayName: "Thử tải (loadtest)"}
		err = users.CreateUser(ctx, u, demo.NewPassword()) // never used: the account acts through tokens
	}
	if err != nil {
		return "", fmt.Errorf("account %s: %w", name, err)
	}
	for _, unit := range units {
		err := users.AddGrant(ctx, &partyworks.Grant{UserID: u.ID, Role: role, UnitID: unit})
		if err != nil && partyworks.ErrorCode(err) != partyworks.ECONFLICT { // granted by an earlier run
			return "", fmt.Errorf("account %s: grant on unit %d: %w", name, unit, err)
		}
	}
	return users.CreateToken(ctx, u.ID, "loadtest "+time.Now().Format(time.DateTime))
}

// listFlag is a flag that may be repeated, each value possibly a
// comma-separated list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for s := range strings.SplitSeq(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}
