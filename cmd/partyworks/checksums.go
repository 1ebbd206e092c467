package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"partyworks/sqldb"
)

const usageChecksums = `Usage: partyworks checksums [--db DB] [--against DB2]

Prints every table of the database with its row count and a checksum of
its rows (the same, dialect-neutral, as partyworks copy compares). With
--against, compares each table with the other database (SQLite or
PostgreSQL, in any pairing) and fails naming the tables that differ: run it
after a pg_dump and pg_restore, or a restore from a backup, against the
original. Stop writes to the original first, or its later writes differ.
Like every command, it first brings each database's schema up to this
version's.

  --db DB        the database (default PARTYWORKS_DB)
  --against DB2  a database to compare with, table by table
`

func (c *cli) checksums(ctx context.Context, args []string) error {
	fs := c.flags("checksums", usageChecksums)
	dsn := c.dbFlag(fs)
	against := fs.String("against", "", "a database to compare with")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return fmt.Errorf("checksums: unexpected argument %q", pos[0])
	}
	sums := func(dsn string) (map[string]sqldb.TableSum, error) {
		db, err := openDB(ctx, dsn)
		if err != nil {
			return nil, err
		}
		defer db.Close()
		return db.Checksums(ctx)
	}
	mine, err := sums(*dsn)
	if err != nil {
		return fmt.Errorf("checksums: %w", err)
	}
	var other map[string]sqldb.TableSum
	if *against != "" {
		if other, err = sums(*against); err != nil {
			return fmt.Errorf("checksums: --against: %w", err)
		}
	}
	tables := make([]string, 0, len(mine)+len(other))
	for t := range mine {
		tables = append(tables, t)
	}
	for t := range other {
		if _, ok := mine[t]; !ok {
			tables = append(tables, t)
		}
	}
	slices.Sort(tables)
	header := fmt.Sprintf("%-26s %9s  %-16s", "table", "rows", "checksum")
	if other != nil {
		header += "  match"
	}
	fmt.Fprintln(c.stdout, header)
	var differ []string
	var rows int64
	for _, t := range tables {
		s, ok := mine[t]
		line := fmt.Sprintf("%-26s %9d  %.16s", t, s.Rows, s.Sum)
		if !ok {
			line = fmt.Sprintf("%-26s %9s  %-16s", t, "-", "(missing)")
		}
		rows += s.Rows
		if other != nil {
			o, found := other[t]
			switch {
			case !found:
				line += "  MISSING in --against"
				differ = append(differ, t)
			case !ok || o != s:
				line += fmt.Sprintf("  DIFFERS (--against: %d rows %.16s)", o.Rows, o.Sum)
				differ = append(differ, t)
			default:
				line += "  ok"
			}
		}
		fmt.Fprintln(c.stdout, line)
	}
	if len(differ) > 0 {
		return fmt.Errorf("checksums: %d of %d tables differ: %s", len(differ), len(tables), strings.Join(differ, ", "))
	}
	if other != nil {
		fmt.Fprintf(c.stdout, "checksums: every table matches: %d tables, %d rows\n", len(tables), rows)
	}
	return nil
}
