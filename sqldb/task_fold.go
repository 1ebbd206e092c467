package sqldb

import (
	"fmt"

	"partyworks"
)

// foldTasks moves the open tasks of a unit that folds, on the fold's day:
// a merged unit's open tasks go to its successor; a divided unit's go to
// the default unit and are listed in the plan's preview for review. Tasks the unit gave
// (as assigner) are given by the successor from then on. Done tasks stay
// with the unit that did them: they are its history.
func foldTasks(tx *Tx, f Fold) error {
	if f.Carries || f.From == f.To {
		return nil // the unit carries on: its tasks stay
	}
	to, err := tx.versionAt(f.To, f.Day)
	if err != nil {
		return err
	}
	if f.Preview != nil && len(f.Options) > 0 {
		rows, err := tx.Query(`SELECT t.id, t.title FROM tasks t WHERE t.unit_id = ? AND t.done_on IS NULL ORDER BY t.id LIMIT 1000`, f.From)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r partyworks.PlanTaskReview
			if err := rows.Scan(&r.TaskID, &r.Title); err != nil {
				rows.Close()
				return err
			}
			r.To = partyworks.PlanUnit{ID: to.unitID, Code: to.code, Name: to.name}
			f.Preview.TaskReview = append(f.Preview.TaskReview, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	if f.Day > fmtDate(partyworks.Today(tx.now)) {
		// Recorded ahead of its day: the unit works on until then, so its
		// open tasks (and what it gave) go to the successor on the day
		// (handOverDue, run with the hourly reminders).
		return nil
	}
	// Two moves of one unit's tasks never run at once on PostgreSQL: a
	// tree change holds the tree's lock exclusive, and the hand-over and
	// an assignment (followTasks) take turns on lockHandOver.
	if _, err := tx.Exec(`INSERT INTO task_reports (task_id, day, kind, progress, note, by_name, created_at)
		SELECT id, ?, 'moved', progress, ?, ?, ? FROM tasks WHERE unit_id = ? AND done_on IS NULL`,
		f.Day, fmt.Sprintf("unit %d folded into %s (%s)", f.From, to.name, to.code), tx.actor.Username, fmtTime(tx.now), f.From); err != nil {
		return fmt.Errorf("fold tasks: %w", err)
	}
	moved, err := tx.taskIDs(`unit_id = ? AND done_on IS NULL`, f.From)
	if err != nil {
		return fmt.Errorf("fold tasks: %w", err)
	}
	c := tx.taskCounter()
	if err := c.ids(-1, moved); err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE tasks SET unit_id = ?, unit_path = ?, version = version + 1 WHERE unit_id = ? AND done_on IS NULL`, f.To, to.path, f.From); err != nil {
		return fmt.Errorf("fold tasks: %w", err)
	}
	if err := c.ids(1, moved); err != nil {
		return err
	}
	if err := c.apply(); err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE tasks SET assigner_id = ? WHERE assigner_id = ? AND done_on IS NULL`, f.To, f.From); err != nil {
		return fmt.Errorf("fold tasks: %w", err)
	}
	if _, err := tx.Exec(`UPDATE directives SET owner_id = ?, version = version + 1 WHERE owner_id = ?`, f.To, f.From); err != nil {
		return fmt.Errorf("fold directives: %w", err)
	}
	return nil
}

// foldDissolved hands a dissolved unit's contents (open tasks, members…)
// to its parent through the fold hooks; a root has no one to hand them to.
func (tx *Tx) foldDissolved(v *version, d string) error {
	if v.parentID == 0 {
		return nil
	}
	return tx.folded(Fold{From: v.unitID, To: v.parentID, Day: d})
}

// handOverDue hands what each unit whose end has come (recorded ahead of
// its day) still holds to its heir (unit_heirs), and on through the
// heir's own end: its open tasks, the tasks and directives it gave, and,
// after a merge or a dissolution, its document registers. It returns how
// many folds it ran (a unit's, and its heir's when that ended too).
func (tx *Tx) handOverDue() (int, error) {
	// The tree's lock, shared: a unit's move (and the tasks' paths it
	// syncs) commits before or after the hand-over, not beside it.
	if err := tx.lockTreeShared(); err != nil {
		return 0, err
	}
	if err := tx.lockHandOver(); err != nil {
		return 0, err
	}
	rows, err := tx.Query(`SELECT h.unit_id FROM unit_heirs h WHERE h.day <= ? AND (
		EXISTS (SELECT 1 FROM tasks t WHERE t.unit_id = h.unit_id AND t.done_on IS NULL) OR
		EXISTS (SELECT 1 FROM tasks t WHERE t.assigner_id = h.unit_id AND t.done_on IS NULL) OR
		EXISTS (SELECT 1 FROM directives d WHERE d.owner_id = h.unit_id) OR
		h.registers = 1 AND EXISTS (SELECT 1 FROM documents d WHERE d.unit_id = h.unit_id))`, fmtDate(partyworks.Today(tx.now)))
	if err != nil {
		return 0, fmt.Errorf("hand over: %w", err)
	}
	units, err := collect(rows, scanID)
	if err != nil {
		return 0, fmt.Errorf("hand over: %w", err)
	}
	if tx.db.Postgres() && len(units) > 0 {
		// Every task it will move, locked first, in one order: a progress
		// report holds its task and then the counters; a hand-over that
		// held counters while it waited for a task would deadlock with it.
		rows, err := tx.Query(`SELECT id FROM tasks WHERE (unit_id = ANY(?) OR assigner_id = ANY(?)) AND done_on IS NULL ORDER BY id FOR UPDATE`, units, units)
		if err != nil {
			return 0, fmt.Errorf("hand over: %w", err)
		}
		if _, err := collect(rows, scanID); err != nil {
			return 0, fmt.Errorf("hand over: %w", err)
		}
	}
	return tx.followHeirs(units, []FoldHook{foldTasks, foldDocuments}, fmtDate(partyworks.Today(tx.now)))
}

// lockHandOver makes hand-overs and task assignments take turns on
// PostgreSQL (a transaction's advisory lock; SQLite has one writer).
func (tx *Tx) lockHandOver() error {
	if !tx.db.Postgres() {
		return nil
	}
	if _, err := tx.Exec(`SELECT pg_advisory_xact_lock(7313, ` + schemaKey + `)`); err != nil {
		return fmt.Errorf("hand-over lock: %w", err)
	}
	return nil
}
