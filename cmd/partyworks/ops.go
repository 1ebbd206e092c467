package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"partyworks/demo"
	"partyworks/sqldb"
)

func (c *cli) migrate(ctx context.Context, args []string) error {
	fs := c.flags("migrate", usageMigrate)
	dsn := c.dbFlag(fs)
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return fmt.Errorf("migrate: unexpected argument %q", pos[0])
	}
	db, err := openDB(ctx, *dsn) // Open applies the migrations
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(c.stdout, "database %s: the schema is up to date\n", redact(*dsn))
	return nil
}

func (c *cli) demo(ctx context.Context, args []string) error {
	fs := c.flags("demo", usageDemo)
	dsn := c.dbFlag(fs)
	scale := fs.String("scale", string(demo.ScaleProvince), "story, province or national")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return fmt.Errorf("demo: unexpected argument %q", pos[0])
	}
	opts, err := demoOptions(*scale)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	logins, err := demo.SeedWith(ctx, db, c.stdout, opts)
	if errors.Is(err, demo.ErrNotEmpty) {
		return fmt.Errorf("demo: %w; %s", err, resetHint(db, *dsn))
	} else if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, "\nDemo accounts (the passwords are shown only now):")
	logins.Fprint(c.stdout)
	return nil
}

// demoOptions reads the --scale flag.
func demoOptions(scale string) (demo.Options, error) {
	for _, s := range demo.Scales {
		if string(s) == scale {
			return demo.Options{Scale: s}, nil
		}
	}
	return demo.Options{}, fmt.Errorf("demo: --scale %q: choose story, province or national", scale)
}

// resetHint says how to start again from an empty database.
func resetHint(db *sqldb.DB, dsn string) string {
	if db.Postgres() {
		return "to start again, drop and re-create the database " + redact(dsn)
	}
	return fmt.Sprintf("to start again, stop every partyworks using it and delete %s (and %s-wal, %s-shm)", dsn, dsn, dsn)
}

func (c *cli) audit(ctx context.Context, args []string) error {
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprint(c.stdout, usageAudit)
		return nil
	} else if len(args) == 0 || args[0] != "verify" {
		fmt.Fprint(c.stderr, usageAudit)
		return fmt.Errorf("audit: the subcommand is verify")
	}
	fs := c.flags("audit verify", usageAudit)
	dsn := c.dbFlag(fs)
	if _, err := parse(fs, args[1:]); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	n, problems, err := sqldb.NewAuditService(db).VerifyAudit(ctx)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	fmt.Fprintf(c.stdout, "%d entries checked (%v)\n", n, since(start))
	for _, p := range problems {
		fmt.Fprintf(c.stdout, "entry %d: %s\n", p.Seq, p.Reason)
	}
	if len(problems) > 0 {
		return fmt.Errorf("the audit trail is broken: %d problem(s) found", len(problems))
	}
	fmt.Fprintln(c.stdout, "the chain is intact")
	return nil
}
