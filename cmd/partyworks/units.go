package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"partyworks"
	"partyworks/sqldb"
)

// units dispatches "units import|restructure|show".
func (c *cli) units(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(c.stderr, usageUnits)
		return fmt.Errorf("units: give a subcommand: import, restructure or show")
	}
	switch args[0] {
	case "import":
		return c.unitsImport(ctx, args[1:])
	case "restructure":
		return c.unitsRestructure(ctx, args[1:])
	case "show":
		return c.unitsShow(ctx, args[1:])
	case "help", "-h", "-help", "--help":
		fmt.Fprint(c.stdout, usageUnits)
		return nil
	}
	fmt.Fprint(c.stderr, usageUnits)
	return fmt.Errorf("units: unknown subcommand %q", args[0])
}

func (c *cli) unitsImport(ctx context.Context, args []string) error {
	fs := c.flags("units import", usageUnits)
	dsn := c.dbFlag(fs)
	effective := fs.String("effective", "", "the day the units stand from (default: today)")
	decision := fs.String("decision", "", "the decision that established them")
	under := fs.String("under", "", "the code of the unit to put the file's top rows under")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	} else if len(pos) != 1 {
		return fmt.Errorf("units import: give one file (CSV or XLSX)")
	}
	at, err := dateFlag("effective", *effective)
	if err != nil {
		return err
	}
	file := pos[0]
	t, err := readSheet(file)
	if err != nil {
		return fmt.Errorf("units import: %w", err)
	}
	rows, err := partyworks.UnitRowsFromTable(t)
	if err != nil {
		return c.rowErrors(file, err)
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	units := sqldb.NewUnitService(db)
	imp := partyworks.UnitImport{Rows: rows, Effective: at, Decision: *decision}
	if *under != "" {
		u, err := units.FindUnitByCode(ctx, *under, at)
		if err != nil {
			return fmt.Errorf("--under: %w", err)
		}
		imp.Under = u.ID
	}
	start := time.Now()
	res, err := units.ImportUnits(c.actor(ctx), imp)
	if err != nil {
		return c.rowErrors(file, err)
	}
	fmt.Fprintf(c.stdout, "%s: %d units created, %d skipped (already there), standing from %s (%v)\n",
		filepath.Base(file), res.Created, res.Skipped, partyworks.FormatDateVN(at), since(start))
	return nil
}

// assignFlag collects repeated --assign CHILD=PARENT flags.
type assignFlag map[string]string

func (a assignFlag) String() string { return fmt.Sprint(map[string]string(a)) }

func (a assignFlag) Set(s string) error {
	child, parent, ok := strings.Cut(s, "=")
	child, parent = strings.TrimSpace(child), strings.TrimSpace(parent)
	if !ok || child == "" || parent == "" {
		return fmt.Errorf("write CHILD_CODE=NEW_PARENT_CODE, not %q", s)
	}
	a[child] = parent
	return nil
}

func (c *cli) unitsRestructure(ctx context.Context, args []string) error {
	fs := c.flags("units restructure", usageUnits)
	dsn := c.dbFlag(fs)
	effective := fs.String("effective", "", "the day the new tree stands from")
	decision := fs.String("decision", "", "the decision that ordered the restructuring")
	dryRun := fs.Bool("dry-run", false, "only preview; write nothing")
	limit := fs.Int("limit", 20, "entries shown per list (0: all)")
	assign := assignFlag{}
	fs.Var(assign, "assign", "CHILD_CODE=NEW_PARENT_CODE (repeatable)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) != 1:
		return fmt.Errorf("units restructure: give one plan file (CSV or XLSX)")
	case *effective == "":
		return fmt.Errorf("units restructure: --effective DATE is required")
	case *decision == "":
		return fmt.Errorf("units restructure: --decision SYMBOL is required (e.g. 60-NQ/TW)")
	}
	at, err := dateFlag("effective", *effective)
	if err != nil {
		return err
	}
	plan, err := c.readPlan(pos[0])
	if err != nil {
		return err
	}
	plan.Effective, plan.Decision = at, *decision
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	units := sqldb.NewUnitService(db)
	if plan.Assign, err = assignments(ctx, units, assign, at); err != nil {
		return err
	}
	apply := units.ApplyRestructure
	if *dryRun {
		apply = units.PreviewRestructure
	}
	start := time.Now()
	pv, err := apply(c.actor(ctx), plan)
	if err != nil {
		return c.rowErrors(pos[0], err)
	}
	pr := previewPrinter{w: c.stdout, limit: *limit}
	pr.print(filepath.Base(pos[0]), len(plan.Rows), pv, since(start))
	return nil
}

// readPlan reads a plan's rows from a file.
func (c *cli) readPlan(file string) (*partyworks.Plan, error) {
	t, err := readSheet(file)
	if err != nil {
		return nil, fmt.Errorf("units restructure: %w", err)
	}
	rows, err := partyworks.PlanFromTable(t)
	if err != nil {
		return nil, c.rowErrors(file, err)
	}
	return &partyworks.Plan{Rows: rows}, nil
}

// assignments turns --assign codes into the plan's form: the child is
// found as it stood the day before the plan; the new parent stays a code,
// since it may be a unit the plan creates.
func assignments(ctx context.Context, units partyworks.UnitService, codes assignFlag, at partyworks.Date) (map[int64]string, error) {
	if len(codes) == 0 {
		return nil, nil
	}
	out := make(map[int64]string, len(codes))
	for child, parent := range codes {
		u, err := units.FindUnitByCode(ctx, child, at.AddDate(0, 0, -1))
		if err != nil {
			return nil, fmt.Errorf("--assign %s=%s: %w", child, parent, err)
		}
		out[u.ID] = parent
	}
	return out, nil
}
