package main

import (
	"context"
	"fmt"
	"strings"

	"partyworks"
	"partyworks/sqldb"
)

const usageTasks = `usage: partyworks tasks remind [--due-soon DAYS] [--escalate-after DAYS] [--db DSN]
       partyworks tasks rollup SYMBOL [--under CODE] [--db DSN]

remind   runs the reminders once: notifies the units of tasks due soon and
         overdue (once per task and kind), escalates tasks overdue beyond
         the threshold to the parent unit, and emails the notifications
         when PARTYWORKS_SMTP is set. serve runs it every hour.
rollup   prints a directive's roll-up over a subtree as the tree stands
         today (the directive's owner by default), with how each number
         was computed, and the same for each unit just below. SYMBOL is the
         directive's symbol ("35-CT/TW"); when several units registered it,
         the one whose owner is at or above --under is used.
`

// tasksCmd dispatches "tasks remind|rollup".
func (c *cli) tasksCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(c.stderr, usageTasks)
		return fmt.Errorf("tasks: give a subcommand: remind or rollup")
	}
	switch args[0] {
	case "remind":
		return c.tasksRemind(ctx, args[1:])
	case "rollup":
		return c.tasksRollup(ctx, args[1:])
	case "help", "-h", "-help", "--help":
		fmt.Fprint(c.stdout, usageTasks)
		return nil
	}
	fmt.Fprint(c.stderr, usageTasks)
	return fmt.Errorf("tasks: unknown subcommand %q", args[0])
}

// taskService is the task store of db for one command, with email when
// PARTYWORKS_SMTP is set (no background reminder run: see tasks()).
func (c *cli) taskService(db *sqldb.DB) *sqldb.TaskService {
	dir := c.getenv("PARTYWORKS_FILES")
	if dir == "" {
		dir = "partyworks-files"
		if !db.Postgres() {
			dir = strings.TrimSuffix(db.DSN, ".db") + "-files"
		}
	}
	s := sqldb.NewTaskService(db, dir+"/evidence")
	if m := smtpMailer(c.getenv); m != nil {
		s.SetMailer(m)
	}
	return s
}

func (c *cli) tasksRemind(ctx context.Context, args []string) error {
	fs := c.flags("tasks remind", usageTasks)
	dsn := c.dbFlag(fs)
	soon := fs.Int("due-soon", 0, "remind this many days before the deadline (default 3)")
	esc := fs.Int("escalate-after", 0, "days overdue before the parent unit is told (default 14)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	} else if len(pos) != 0 {
		return fmt.Errorf("tasks remind: unexpected argument %q", pos[0])
	}
	if *soon < 0 || *esc < 0 {
		return fmt.Errorf("tasks remind: the numbers of days cannot be negative")
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := c.taskService(db).Remind(c.actor(ctx), partyworks.RemindConfig{DueSoonDays: *soon, EscalateAfter: *esc})
	if err != nil {
		return fmt.Errorf("tasks remind: %w", err)
	}
	fmt.Fprintf(c.stdout, "reminders: %d due soon, %d overdue, %d escalated to the parent unit, %d emails sent\n",
		res.DueSoon, res.Overdue, res.Escalated, res.Mailed)
	return nil
}

func (c *cli) tasksRollup(ctx context.Context, args []string) error {
	fs := c.flags("tasks rollup", usageTasks)
	dsn := c.dbFlag(fs)
	under := fs.String("under", "", "the code of the unit whose subtree is rolled up (default: the directive's owner)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	} else if len(pos) != 1 {
		return fmt.Errorf("tasks rollup: give one directive symbol, e.g. 35-CT/TW")
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	tasks := c.taskService(db)
	ds, err := tasks.FindDirectivesBySymbol(ctx, pos[0])
	if err != nil {
		return fmt.Errorf("tasks rollup: %w", err)
	}
	if len(ds) == 0 {
		return fmt.Errorf("tasks rollup: no directive %s is registered", pos[0])
	}
	var unit *partyworks.Unit
	if *under != "" {
		if unit, err = sqldb.NewUnitService(db).FindUnitByCode(ctx, *under, partyworks.Today(db.Now())); err != nil {
			return fmt.Errorf("tasks rollup: --under: %w", err)
		}
	}
	var d *partyworks.Directive
	for _, x := range ds {
		if unit == nil || strings.HasPrefix(unit.Path, x.OwnerPath) {
			if d != nil && unit == nil {
				return fmt.Errorf("tasks rollup: %s is registered by several units (%s, %s…): say which subtree with --under", x.Symbol, d.OwnerName, x.OwnerName)
			}
			d = x
		}
	}
	if d == nil {
		return fmt.Errorf("tasks rollup: no unit at or above %s registered %s", unit.Name, ds[0].Symbol)
	}
	id := d.OwnerID
	if unit != nil {
		id = unit.ID
	}
	r, err := tasks.Rollup(ctx, d.ID, id, true)
	if err != nil {
		return fmt.Errorf("tasks rollup: %w", err)
	}
	w := c.stdout
	fmt.Fprintf(w, "%s — %s (registered by %s)\n", d.Symbol, d.Title, d.OwnerName)
	fmt.Fprintf(w, "roll-up over %s on %s, rule: %s\n", r.UnitName, partyworks.FormatDateVN(r.Today), r.Rule)
	writeRollup(w, "", r)
	if len(r.Children) > 0 {
		fmt.Fprintf(w, "\nunits just below (%d):\n", len(r.Children))
		for _, ch := range r.Children {
			fmt.Fprintf(w, "\n  %s\n", ch.UnitName)
			writeRollup(w, "  ", ch)
		}
	}
	return nil
}

// writeRollup prints a roll-up's counts and its two figures with their
// formulas.
func writeRollup(w interface{ Write([]byte) (int, error) }, indent string, r *partyworks.Rollup) {
	c := r.Counts
	fmt.Fprintf(w, "%s  tasks %d: done %d (on time %d, accepted %d), open %d (started %d, overdue %d)\n",
		indent, c.Tasks, c.Done, c.DoneOnTime, c.Accepted, c.Tasks-c.Done, c.Started, c.Overdue)
	for _, f := range []struct {
		name string
		fig  partyworks.Figure
	}{{"progress", r.Progress}, {"on time", r.OnTime}} {
		v := "—"
		if f.fig.Known {
			v = fmt.Sprintf("%.1f%%", f.fig.Value)
		}
		fmt.Fprintf(w, "%s  %-9s %6s  = %s\n", indent, f.name+":", v, f.fig.Explain())
	}
}
