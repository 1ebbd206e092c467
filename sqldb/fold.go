package sqldb

import (
	"fmt"

	"partyworks"
)

// Fold tells the other stores that a unit's contents must go elsewhere on
// a day: a unit merged away (From → To), or divided among several
// (Options, with To the default). Members, tasks and documents move with
// their unit through hooks registered with DB.OnFold (storeHooks), in the
// same transaction as the change to the tree.
type Fold struct {
	From, To int64
	Options  []int64 // the units a divided unit went into; nil for a whole merge
	Day      string  // yyyy-mm-dd, the first day in the new units
	Carries  bool    // From carries on (a divided unit that keeps its code): only what is assigned elsewhere moves
	// Ended: From's end is already recorded (followFolds): the figures of
	// what was written into it since stop at its end by themselves.
	Ended bool
	// RegistersTo, when set, is where From's documents go instead of To
	// (followHeirs): a unit of the heir chain divided the same day, which
	// keeps its own, or From itself when it was divided (it keeps them).
	RegistersTo int64

	// Within a restructuring plan: the plan (its assignments) and the
	// preview being built, where a hook lists what a person should review.
	Plan    *partyworks.Plan
	Preview *partyworks.PlanPreview
}

// FoldHook moves a store's rows when a unit folds.
type FoldHook func(tx *Tx, f Fold) error

// storeHooks registers, when the database is opened, the hooks that move
// each store's rows with the tree: members (their unit, statistics and
// province), open tasks and document registers. Every handle on the
// database has them, whichever services it creates: a restructuring
// applied from the command line (a UnitService alone) moves members too.
func (db *DB) storeHooks() {
	db.OnFold(foldMembers)
	db.OnMove(moveStats)
	db.OnMove(moveTops)
	db.OnFold(foldTasks)
	db.OnFold(foldDocuments)
}

// OnFold registers a hook; stores register theirs when they are created.
func (db *DB) OnFold(h FoldHook) {
	db.foldHooksMu.Lock()
	defer db.foldHooksMu.Unlock()
	db.foldHooks = append(db.foldHooks, h)
}

func (tx *Tx) folded(f Fold) error {
	if err := tx.lockTree(); err != nil {
		return err
	}
	tx.db.foldHooksMu.Lock()
	hooks := tx.db.foldHooks
	tx.db.foldHooksMu.Unlock()
	f.Plan, f.Preview = tx.plan, tx.preview
	if !f.Carries && f.To != 0 && f.To != f.From {
		// The unit ends: what is written into it later, on a day before
		// its end, follows to f.To (followFolds).
		registers := 0
		if f.Options == nil {
			registers = 1
		}
		if _, err := tx.Exec(`INSERT INTO unit_heirs (unit_id, heir_id, day, registers) VALUES (?, ?, ?, ?)
			ON CONFLICT (unit_id) DO UPDATE SET heir_id = excluded.heir_id, day = excluded.day, registers = excluded.registers`, f.From, f.To, f.Day, registers); err != nil {
			return fmt.Errorf("fold: %w", err)
		}
	}
	for _, h := range hooks {
		if err := h(tx, f); err != nil {
			return err
		}
	}
	if f.To != f.From {
		// f.To may have ended already (its merge recorded earlier, dated
		// later): what just came to it (members, tasks, registers) follows on.
		_, err := tx.followHeirs([]int64{f.To}, hooks, "")
		return err
	}
	return nil
}

// Move tells the other stores that a unit (with its whole subtree) was
// placed under a new parent on a day: OldPath and NewPath are its paths
// before and after. Stores that keep totals per ancestor (member
// statistics) move them through hooks registered with DB.OnMove.
type Move struct {
	Unit             int64
	OldPath, NewPath string
	Day              string
}

// MoveHook updates a store's rows when a unit moves.
type MoveHook func(tx *Tx, m Move) error

// OnMove registers a hook called, in the same transaction, whenever a unit
// is re-parented (by an event, a fold or a plan).
func (db *DB) OnMove(h MoveHook) {
	db.foldHooksMu.Lock()
	defer db.foldHooksMu.Unlock()
	db.moveHooks = append(db.moveHooks, h)
}

func (tx *Tx) moved(m Move) error {
	if err := tx.lockTree(); err != nil {
		return err
	}
	tx.db.foldHooksMu.Lock()
	hooks := tx.db.moveHooks
	tx.db.foldHooksMu.Unlock()
	for _, h := range hooks {
		if err := h(tx, m); err != nil {
			return err
		}
	}
	return nil
}
