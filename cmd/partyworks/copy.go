package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"
)

const usageCopy = `Usage: partyworks copy --from FILE.db --to postgres://…

Moves an installation from SQLite to PostgreSQL: migrates the target, which
must hold no data yet, copies every table in one transaction keeping every
id, starts the id sequences after the largest id, and compares every
table's row count and checksum on both sides before committing; then
refreshes the planner's statistics. Prints each table with its rows,
checksum and whether it matches. The SQLite file is only read (it must be
at this version's schema: run partyworks migrate on it first); stop the
service before copying, or writes made after the copy began are not in the
copy.

Document and evidence files are not in the database: they stay in the
PARTYWORKS_FILES folder, which the PostgreSQL installation must be given.

  --from FILE   the SQLite database
  --to URL      the PostgreSQL database (a postgres:// URL)
`

func (c *cli) copyCmd(ctx context.Context, args []string) error {
	fs := c.flags("copy", usageCopy)
	from := fs.String("from", "", "the SQLite database file")
	to := fs.String("to", "", "the PostgreSQL database URL")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return fmt.Errorf("copy: unexpected argument %q", pos[0])
	}
	if *from == "" || *to == "" {
		return fmt.Errorf("copy: give --from FILE.db and --to postgres://…")
	}
	start := time.Now()
	db, err := openDB(ctx, *to)
	if err != nil {
		return err
	}
	defer db.Close()
	if !db.Postgres() {
		return fmt.Errorf("copy: --to must be a postgres:// URL")
	}
	fmt.Fprintf(c.stdout, "copy: %s → %s\n", *from, redact(*to))
	checks, err := db.CopyFromSQLite(ctx, *from)
	if len(checks) > 0 {
		fmt.Fprintf(c.stdout, "%-26s %9s  %-16s  %s\n", "table", "rows", "checksum", "match")
		var rows int64
		for _, t := range checks {
			match := "ok"
			if !t.Match() {
				match = fmt.Sprintf("MISMATCH (source %d rows %.16s)", t.Source.Rows, t.Source.Sum)
			}
			fmt.Fprintf(c.stdout, "%-26s %9d  %.16s  %s\n", t.Name, t.Target.Rows, t.Target.Sum, match)
			rows += t.Target.Rows
		}
		if err == nil {
			fmt.Fprintf(c.stdout, "copy: every table matches: %d tables, %d rows copied and verified in %v\n", len(checks), rows, since(start))
		}
	}
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	files := c.getenv("PARTYWORKS_FILES")
	if files == "" {
		files = filepath.Join(filepath.Dir(*from), "partyworks-files")
	}
	if abs, err := filepath.Abs(files); err == nil {
		files = abs
	}
	fmt.Fprintf(c.stdout, "copy: the files stay where they are: run the PostgreSQL installation with PARTYWORKS_FILES=%s\n", files)
	return nil
}
