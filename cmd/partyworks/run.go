package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"
)

// version is the release, set at build time with
// -ldflags "-X main.version=v1.2.3".
var version = "dev"

// config is what the commands share, from the environment; each command's
// flags may override it.
type config struct {
	DB   string // PARTYWORKS_DB: a SQLite file or a postgres:// URL
	Addr string // PARTYWORKS_ADDR: where serve listens
}

func loadConfig(getenv func(string) string) config {
	c := config{DB: "partyworks.db", Addr: "127.0.0.1:8080"}
	if v := getenv("PARTYWORKS_DB"); v != "" {
		c.DB = v
	}
	if v := getenv("PARTYWORKS_ADDR"); v != "" {
		c.Addr = v
	}
	return c
}

// cli is one run of the command: its configuration and its streams.
type cli struct {
	cfg    config
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command runs a subcommand with the arguments after its name.
type command func(c *cli, ctx context.Context, args []string) error

// commands maps each subcommand to its function and its usage text.
var commands = map[string]struct {
	run   command
	usage string
}{
	"serve":     {(*cli).serve, usageServe},
	"migrate":   {(*cli).migrate, usageMigrate},
	"demo":      {(*cli).demo, usageDemo},
	"units":     {(*cli).units, usageUnits},
	"user":      {(*cli).user, usageUser},
	"grant":     {(*cli).grant, usageGrant},
	"token":     {(*cli).token, usageToken},
	"audit":     {(*cli).audit, usageAudit},
	"backup":    {(*cli).backup, usageBackup},
	"restore":   {(*cli).restore, usageRestore},
	"copy":      {(*cli).copyCmd, usageCopy},
	"checksums": {(*cli).checksums, usageChecksums},
	"documents": {(*cli).documents, usageDocuments},
	"members":   {(*cli).membersCmd, usageMembers},
	"tasks":     {(*cli).tasksCmd, usageTasks},
	"keys":      {(*cli).keys, usageKeys},
	"loadtest":  {(*cli).loadtest, usageLoadtest},
	"version":   {(*cli).version, usageVersion},
}

// run is the whole program: main only calls it. A signal (Ctrl-C, SIGTERM)
// cancels ctx: a server shuts down gracefully, a running import or
// restructuring rolls back.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := &cli{cfg: loadConfig(getenv), getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) < 2 {
		fmt.Fprint(stderr, usageMain)
		return errors.New("no command given")
	}
	name, rest := args[1], args[2:]
	if name == "help" || isHelp(name) {
		return c.help(rest)
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprint(stderr, usageMain)
		return fmt.Errorf("unknown command %q", name)
	}
	err := cmd.run(c, ctx, rest)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h: the usage has been printed
	}
	return err
}

// help prints the usage of the program or of one command.
func (c *cli) help(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(c.stdout, usageMain)
		return nil
	}
	cmd, ok := commands[args[0]]
	if !ok {
		return fmt.Errorf("help: unknown command %q", args[0])
	}
	fmt.Fprint(c.stdout, cmd.usage)
	return nil
}

func (c *cli) version(_ context.Context, args []string) error {
	fs := c.flags("version", usageVersion)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "partyworks %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

// flags returns a flag set for one command that prints usage on -h.
func (c *cli) flags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() { fmt.Fprint(c.stderr, usage) }
	return fs
}

// dbFlag adds --db, defaulting to PARTYWORKS_DB.
func (c *cli) dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", c.cfg.DB, "the database: a SQLite file or a postgres:// URL")
}

// parse parses flags wherever they stand among the positional arguments,
// so that both "units import FILE --effective D" and "units import
// --effective D FILE" work. Everything after "--" is positional.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		before := args
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if n := len(before) - len(args); n > 0 && before[n-1] == "--" {
			return append(pos, args...), nil
		}
		if len(args) == 0 {
			return pos, nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

// isHelp reports whether an argument asks for help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}
