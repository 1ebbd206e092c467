package partyworks

import "context"

// DueItem is something a unit has to do by a day: a member's admission
// decision, a task's deadline, a document to handle. Each capability
// provides its own through a DueSource; a unit's "what needs doing" page
// gathers them.
type DueItem struct {
	UnitID int64  `json:"unit_id"`
	Kind   string `json:"kind"`  // "member.ceremony", "task", "document.handling", …
	Title  string `json:"title"` // what to do, in the data's language (names, symbols)
	Due    Date   `json:"-"`
	Link   string `json:"link"` // the page where it is done
}

// Overdue reports whether the item is late on day today.
func (d DueItem) Overdue(today Date) bool { return d.Due.Before(today) }

// DueSource lists what the units of a subtree have to do up to a day.
type DueSource interface {
	FindDue(ctx context.Context, unitID int64, until Date) ([]DueItem, error)
}
