package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"partyworks"
	"partyworks/sheet"
	"partyworks/sqldb"
)

// openDB opens the database and brings its schema up to date.
func openDB(ctx context.Context, dsn string) (*sqldb.DB, error) {
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", redact(dsn), err)
	}
	return db, nil
}

// redact hides the password of a postgres:// URL.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}

// actor is who the CLI's changes are recorded as in the audit trail: the
// operating-system user, from the address "cli".
func (c *cli) actor(ctx context.Context) context.Context {
	name := c.getenv("USER")
	if name == "" {
		name = c.getenv("LOGNAME")
	}
	if name == "" {
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
	}
	if name == "" {
		name = "cli"
	}
	return partyworks.WithActor(ctx, partyworks.Actor{Username: name, Addr: "cli"})
}

// readSheet reads a CSV or XLSX file into a table.
func readSheet(path string) (*partyworks.Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return sheet.Read(f, filepath.Base(path))
}

// rowErrors prints every faulty row of a file, one a line, and returns a
// summary; other errors are returned as they are.
func (c *cli) rowErrors(file string, err error) error {
	var rows partyworks.RowErrors
	if !errors.As(err, &rows) {
		return fmt.Errorf("%s: %w", filepath.Base(file), err)
	}
	for _, r := range rows {
		fmt.Fprintf(c.stderr, "%s: %s\n", filepath.Base(file), r)
	}
	return fmt.Errorf("%s: %d faulty rows; nothing was written", filepath.Base(file), len(rows))
}

// dateFlag parses a date given as dd/mm/yyyy or yyyy-mm-dd; "" is today
// in Vietnam.
func dateFlag(name, s string) (partyworks.Date, error) {
	if s == "" {
		return partyworks.Today(time.Now()), nil
	}
	d, err := partyworks.ParseDate(s)
	if err != nil {
		return d, fmt.Errorf("--%s: %w", name, err)
	}
	return d, nil
}

// describe is how main shows an error: the context it was wrapped in,
// then a domain error's message for the user ("--effective: "31/02" is not
// a date: …"); anything else in full, for the operator.
func describe(err error) string {
	var e *partyworks.Error
	if errors.As(err, &e) {
		return strings.Replace(err.Error(), e.Error(), e.Message, 1)
	}
	return err.Error()
}

// since formats an elapsed time for progress lines.
func since(t time.Time) time.Duration { return time.Since(t).Round(time.Millisecond) }
