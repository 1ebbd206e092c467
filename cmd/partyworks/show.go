package main

import (
	"context"
	"fmt"
	"strings"

	"partyworks"
	"partyworks/sqldb"
)

func (c *cli) unitsShow(ctx context.Context, args []string) error {
	fs := c.flags("units show", usageUnits)
	dsn := c.dbFlag(fs)
	atFlag := fs.String("at", "", "the day (default: today)")
	history := fs.Bool("history", false, "also list the unit's events")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	} else if len(pos) > 1 {
		return fmt.Errorf("units show: give at most one unit code")
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
	units := sqldb.NewUnitService(db)
	if len(pos) == 0 {
		return c.showChildren(ctx, units, 0, at, "units at the top of the tree")
	}
	u, err := units.FindUnitByCode(ctx, pos[0], at)
	if err != nil {
		return fmt.Errorf("units show: %w", err)
	}
	if err := c.showUnit(ctx, units, u, at); err != nil {
		return err
	}
	if *history {
		if err := c.showEvents(ctx, units, u.ID); err != nil {
			return err
		}
	}
	return c.showChildren(ctx, units, u.ID, at, "children")
}

func (c *cli) showUnit(ctx context.Context, units partyworks.UnitService, u *partyworks.Unit, at partyworks.Date) error {
	w := c.stdout
	fmt.Fprintf(w, "%s  %s\n", u.Code, u.Name)
	fmt.Fprintf(w, "  kind     %s\n", u.Kind)
	fmt.Fprintf(w, "  id       %d\n", u.ID)
	parent := "—"
	if u.ParentID != 0 {
		p, err := units.FindUnitByID(ctx, u.ParentID, at)
		if err != nil {
			return fmt.Errorf("units show: parent: %w", err)
		}
		parent = p.Code + "  " + p.Name
	}
	fmt.Fprintf(w, "  parent   %s\n", parent)
	stood := "from " + partyworks.FormatDateVN(u.ValidFrom)
	if u.Ended() {
		stood += " to " + partyworks.FormatDateVN(u.LastDay())
	}
	fmt.Fprintf(w, "  as of    %s: this version stands %s\n", partyworks.FormatDateVN(at), stood)
	return nil
}

// showChildren lists the children of a unit (0: the roots) page by page.
func (c *cli) showChildren(ctx context.Context, units partyworks.UnitService, parent int64, at partyworks.Date, what string) error {
	f := partyworks.UnitFilter{At: at, ParentID: &parent, Limit: 500}
	first := true
	for {
		us, total, err := units.FindUnits(ctx, f)
		if err != nil {
			return fmt.Errorf("units show: %w", err)
		}
		if first {
			fmt.Fprintf(c.stdout, "%s on %s: %d\n", what, partyworks.FormatDateVN(at), total)
			first = false
		}
		for _, u := range us {
			fmt.Fprintf(c.stdout, "  %-12s %s  (%s%s)\n", u.Code, u.Name, u.Kind, childCount(u))
		}
		if len(us) < f.Limit {
			return nil
		}
		f.After = us[len(us)-1].Code
	}
}

func childCount(u *partyworks.Unit) string {
	if u.Children == 0 {
		return ""
	}
	return fmt.Sprintf(", %d under it", u.Children)
}

func (c *cli) showEvents(ctx context.Context, units partyworks.UnitService, id int64) error {
	evs, err := units.FindUnitEvents(ctx, id)
	if err != nil {
		return fmt.Errorf("units show: events: %w", err)
	}
	fmt.Fprintf(c.stdout, "events: %d\n", len(evs))
	for _, e := range evs {
		fmt.Fprintf(c.stdout, "  %s  %-11s %-18s %s\n", partyworks.FormatDateVN(e.Effective), e.Type, e.Decision, eventUnits(e))
	}
	return nil
}

// eventUnits names an event's sources and targets, at most three of each.
func eventUnits(e *partyworks.UnitEvent) string {
	names := func(us []partyworks.EventUnit) string {
		var s []string
		for i, u := range us {
			if i == 3 {
				s = append(s, fmt.Sprintf("+%d", len(us)-3))
				break
			}
			s = append(s, u.Code+" "+u.Name)
		}
		return strings.Join(s, ", ")
	}
	var b strings.Builder
	if len(e.Sources) > 0 {
		b.WriteString(names(e.Sources) + " → ")
	}
	b.WriteString(names(e.Targets))
	return b.String()
}
