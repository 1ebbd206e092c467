package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"partyworks"
	"partyworks/sheet"
	"partyworks/sqldb"
)

const usageMembers = `usage: partyworks members import FILE [--effective DATE] [--batch N] [--errors OUT.xlsx] [--db DSN]
       partyworks members stats UNIT_CODE [--at DATE] [--db DSN]
       partyworks members follow [--db DSN]
       partyworks members rekey [--db DSN]

import   reads a CSV or XLSX file of members (the columns of the template:
         citizen_id, full_name, sex, birth_date, unit_code, status, …).
         Good rows go in, bad rows are listed (and written to --errors);
         a row whose citizen ID is recorded changes nothing; an interrupted
         import of the same file resumes where it stopped.
stats    prints a subtree's figures on a day.
follow   moves on the members still placed in units that have ended (by
         a merge or a dissolution) to the unit that took over, with their
         history and statistics: a one-off repair after upgrading from a
         version before 0019, which left members written into an ended
         unit there. Running it again changes nothing.
rekey    rewrites the sort keys not in the form of migration 0024: those a
         node older than 0024 wrote after the upgrade (they sort apart from
         the others). It says how many members it checked and rewrote;
         running it again rewrites none.
`

// membersCmd dispatches "members import|stats".
func (c *cli) membersCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(c.stderr, usageMembers)
		return fmt.Errorf("members: give a subcommand: import, stats, follow or rekey")
	}
	switch args[0] {
	case "import":
		return c.membersImport(ctx, args[1:])
	case "stats":
		return c.membersStats(ctx, args[1:])
	case "follow":
		return c.membersFollow(ctx, args[1:])
	case "rekey":
		return c.membersRekey(ctx, args[1:])
	case "help", "-h", "-help", "--help":
		fmt.Fprint(c.stdout, usageMembers)
		return nil
	}
	fmt.Fprint(c.stderr, usageMembers)
	return fmt.Errorf("members: unknown subcommand %q", args[0])
}

func (c *cli) membersImport(ctx context.Context, args []string) error {
	fs := c.flags("members import", usageMembers)
	dsn := c.dbFlag(fs)
	effective := fs.String("effective", "", "the day the members enter their units (default: today)")
	batch := fs.Int("batch", 20000, "rows per transaction")
	errOut := fs.String("errors", "", "write the rows with errors to this XLSX file")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	} else if len(pos) != 1 {
		return fmt.Errorf("members import: give one file (CSV or XLSX)")
	}
	at, err := dateFlag("effective", *effective)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return fmt.Errorf("members import: %w", err)
	}
	start := time.Now()
	// A large XLSX goes in while the rest of its sheet is read.
	st, err := sheet.Stream(bytes.NewReader(data), filepath.Base(pos[0]))
	if err != nil {
		return fmt.Errorf("members import: %w", err)
	}
	defer st.Stop()
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	sum := sha256.Sum256(data)
	res, err := sqldb.NewMemberService(db).ImportMembers(c.actor(ctx), partyworks.MemberImport{
		Name: filepath.Base(pos[0]), Hash: hex.EncodeToString(sum[:]), Stream: st, Effective: at, Batch: *batch,
		Progress: func(done, total int) { c.progress(done, total, start) }})
	fmt.Fprintln(c.stderr)
	if err != nil {
		return fmt.Errorf("members import: %w (run the same command again to resume)", err)
	}
	for i, e := range res.Errors {
		if i == 20 {
			fmt.Fprintf(c.stdout, "  … and %d more\n", len(res.Errors)-20)
			break
		}
		fmt.Fprintf(c.stdout, "  %s\n", e.String())
	}
	if *errOut != "" && len(res.Errors) > 0 {
		rows := make([][]string, len(res.Errors))
		for i, e := range res.Errors {
			rows[i] = []string{fmt.Sprint(e.Line), e.Column, e.Reason}
		}
		f, err := os.Create(*errOut)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := sheet.WriteXLSX(f, "errors", []string{"line", "column", "reason"}, rows); err != nil {
			return err
		}
	}
	el := time.Since(start)
	fmt.Fprintf(c.stdout, "%s: %d rows, %d added, %d already there, %d with errors, %d resumed (%v, %.0f rows/s)\n",
		filepath.Base(pos[0]), res.Rows, res.Inserted, res.Existing, len(res.Errors), res.Resumed, el.Round(time.Millisecond), float64(res.Rows)/el.Seconds())
	return nil
}

// progress draws a bar on stderr.
func (c *cli) progress(done, total int, start time.Time) {
	const width = 40
	n := width
	if total > 0 {
		n = done * width / total
	}
	fmt.Fprintf(c.stderr, "\r[%s%s] %d/%d %v", strings.Repeat("#", n), strings.Repeat(".", width-n), done, total, time.Since(start).Round(time.Second))
}

func (c *cli) membersFollow(ctx context.Context, args []string) error {
	return c.membersRepair(ctx, "follow", args, func(ctx context.Context, ms *sqldb.MemberService) (string, error) {
		before, after, err := ms.FollowLeftMembers(ctx)
		return fmt.Sprintf("members in units that have ended: %d before, %d after (%d moved on to the units that took over)", before, after, before-after), err
	})
}

func (c *cli) membersRekey(ctx context.Context, args []string) error {
	return c.membersRepair(ctx, "rekey", args, func(ctx context.Context, ms *sqldb.MemberService) (string, error) {
		checked, fixed, err := ms.FixSortKeys(ctx)
		return fmt.Sprintf("sort keys: %d members checked, %d rewritten", checked, fixed), err
	})
}

// membersRepair runs one of the repairs of members (follow, rekey): it
// takes no argument, and prints what repair says it did.
func (c *cli) membersRepair(ctx context.Context, name string, args []string, repair func(context.Context, *sqldb.MemberService) (string, error)) error {
	fs := c.flags("members "+name, usageMembers)
	dsn := c.dbFlag(fs)
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return fmt.Errorf("members %s: unexpected argument %q", name, pos[0])
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	said, err := repair(c.actor(ctx), sqldb.NewMemberService(db))
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, said)
	return nil
}

func (c *cli) membersStats(ctx context.Context, args []string) error {
	fs := c.flags("members stats", usageMembers)
	dsn := c.dbFlag(fs)
	atFlag := fs.String("at", "", "the day (default: today)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	} else if len(pos) != 1 {
		return fmt.Errorf("members stats: give a unit code")
	}
	at, err := dateFlag("at", *atFlag)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := sqldb.NewUnitService(db).FindUnitByCode(ctx, pos[0], at)
	if err != nil {
		return err
	}
	st, err := sqldb.NewMemberService(db).MemberStats(ctx, u.ID, at)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s on %s: %d members\n", u.Name, partyworks.FormatDateVN(at), st.Total())
	for _, dim := range []string{"status", "sex", "ethnicity", "religion", "education", "professional", "theory"} {
		fmt.Fprintf(c.stdout, "  %s:", dim)
		for v, n := range st.Counts[dim] {
			fmt.Fprintf(c.stdout, " %s=%d", v, n)
		}
		fmt.Fprintln(c.stdout)
	}
	fmt.Fprintf(c.stdout, "  age: %v\n  party age: %v\n", partyworks.AgeBands(st.Counts["birth"], at), partyworks.PartyAgeBands(st.Counts["admitted"], at))
	return nil
}
