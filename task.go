package partyworks

import (
	"strings"
	"time"
	"unicode/utf8"
)

// TaskStatus is where a task stands on a day. It is never stored: Status
// derives it from the task's dates and progress, the one function that
// does so.
type TaskStatus string

// The statuses.
const (
	StatusNotStarted TaskStatus = "not_started"
	StatusInProgress TaskStatus = "in_progress"
	StatusDoneOnTime TaskStatus = "done_on_time"
	StatusDoneLate   TaskStatus = "done_late"
	StatusOverdue    TaskStatus = "overdue"
)

// TaskStatuses lists the statuses in the order a roll-up shows them.
var TaskStatuses = []TaskStatus{StatusNotStarted, StatusInProgress, StatusOverdue, StatusDoneOnTime, StatusDoneLate}

// Status derives a task's status on day today from its deadline, its
// progress and the day it was reported done (zero while open).
func Status(deadline Date, progress int, doneOn Date, today Date) TaskStatus {
	switch {
	case !doneOn.IsZero() && doneOn.After(deadline):
		return StatusDoneLate
	case !doneOn.IsZero():
		return StatusDoneOnTime
	case today.After(deadline):
		return StatusOverdue
	case progress > 0:
		return StatusInProgress
	}
	return StatusNotStarted
}

// Review is the assigning unit's answer to a reported completion.
type Review string

// The reviews.
const (
	ReviewNone     Review = ""         // open, or done and awaiting review
	ReviewAccepted Review = "accepted" // the assigning unit accepted the completion
	ReviewReturned Review = "returned" // sent back with a reason: open again
)

// Task is one unit's obligation: from a directive, given by the assigning
// unit (AssignerID) to the unit (UnitID), with a deadline. A sub-task has
// ParentID set and was given by the unit of its parent task.
type Task struct {
	ID           int64  `json:"id"`
	DirectiveID  int64  `json:"directive_id"`
	Directive    string `json:"directive"` // the directive's symbol or title, for lists
	ParentID     int64  `json:"parent_id,omitempty"`
	UnitID       int64  `json:"unit_id"`
	UnitName     string `json:"unit_name,omitempty"`
	UnitPath     string `json:"-"`
	AssignerID   int64  `json:"assigner_id"`
	AssignerName string `json:"assigner_name,omitempty"`
	AssignerPath string `json:"-"`
	Title        string `json:"title"`
	Detail       string `json:"detail,omitempty"`
	Start        Date   `json:"-"`
	Deadline     Date   `json:"-"`
	Weight       int    `json:"weight"`
	Progress     int    `json:"progress"` // 0–100
	// Milestones, when the task is tracked by them: progress is the share
	// of milestones reached.
	Milestones  int       `json:"milestones,omitempty"`
	Reached     int       `json:"reached,omitempty"`
	DoneOn      Date      `json:"-"` // the day the unit reported it done; zero while open
	Review      Review    `json:"review,omitempty"`
	ReviewNote  string    `json:"review_note,omitempty"`
	EscalatedOn Date      `json:"-"`
	Note        string    `json:"note,omitempty"` // the last report's note
	CreatedAt   time.Time `json:"created_at"`
	Version     int64     `json:"version"`
	SubTasks    int       `json:"sub_tasks"`
}

// Status is the task's status on day today.
func (t *Task) Status(today Date) TaskStatus { return Status(t.Deadline, t.Progress, t.DoneOn, today) }

// Done reports whether the unit has reported the task done.
func (t *Task) Done() bool { return !t.DoneOn.IsZero() }

// TaskAssign creates tasks from a directive. Exactly one way of choosing
// the receiving units is used:
//   - Units: the units named (one unit, one department, a few);
//   - Under with Kinds: every unit of those kinds inside Under's subtree as
//     it stood on At (a cascade).
//
// Parent, when set, makes sub-tasks of that task: the assigner is then the
// parent task's unit, and the receivers must lie inside its subtree.
type TaskAssign struct {
	DirectiveID int64      `json:"directive_id"`
	AssignerID  int64      `json:"assigner_id"`
	Parent      int64      `json:"parent,omitempty"`
	Units       []int64    `json:"units,omitempty"`
	Under       int64      `json:"under,omitempty"`
	Kinds       []UnitKind `json:"kinds,omitempty"`
	At          Date       `json:"-"`
	Title       string     `json:"title"`
	Detail      string     `json:"detail,omitempty"`
	Start       Date       `json:"-"`
	Deadline    Date       `json:"-"`
	Weight      int        `json:"weight,omitempty"`
	Milestones  int        `json:"milestones,omitempty"`
}

// Validate checks what does not need the database.
func (a *TaskAssign) Validate() error {
	a.Title = strings.TrimSpace(a.Title)
	a.Detail = strings.TrimSpace(a.Detail)
	if a.Title == "" {
		return FieldErrorf("title", "give the task's title")
	}
	if utf8.RuneCountInString(a.Title) > 500 || utf8.RuneCountInString(a.Detail) > 10000 {
		return FieldErrorf("title", "the title or detail is too long")
	}
	if a.Deadline.IsZero() {
		return FieldErrorf("deadline", "give the deadline")
	}
	if a.Start.IsZero() {
		return FieldErrorf("start", "give the start date")
	}
	if a.Deadline.Before(a.Start) {
		return FieldErrorf("deadline", "the deadline %s is before the start %s", FormatDateVN(a.Deadline), FormatDateVN(a.Start))
	}
	if a.Weight == 0 {
		a.Weight = 1
	}
	if a.Weight < 1 || a.Weight > 1000 {
		return FieldErrorf("weight", "the weight must be between 1 and 1000")
	}
	if a.Milestones < 0 || a.Milestones > 100 {
		return FieldErrorf("milestones", "at most 100 milestones")
	}
	switch {
	case len(a.Units) > 0 && a.Under != 0:
		return FieldErrorf("units", "name the units, or cascade under a unit, not both")
	case len(a.Units) == 0 && a.Under == 0:
		return FieldErrorf("units", "name the receiving units, or a unit to cascade under")
	case a.Under != 0 && len(a.Kinds) == 0:
		return FieldErrorf("kinds", "a cascade needs the kinds of unit that receive the task")
	case len(a.Units) > 1000:
		return FieldErrorf("units", "name at most 1,000 units; cascade by kind for more")
	}
	for _, k := range a.Kinds {
		if !k.Valid() {
			return FieldErrorf("kinds", "unknown kind of unit %q", k)
		}
	}
	if a.At.IsZero() {
		a.At = a.Start
	}
	return nil
}

// ProgressReport is what a unit reports on its task.
type ProgressReport struct {
	TaskID   int64  `json:"task_id"`
	Version  int64  `json:"version"` // the version the reporter saw; a stale one is a conflict
	Progress *int   `json:"progress,omitempty"`
	Reached  *int   `json:"reached,omitempty"` // milestones reached, for tasks tracked by milestones
	Note     string `json:"note,omitempty"`
	Day      Date   `json:"-"` // the day the report speaks of; today by default
	Files    []EvidenceFile
}

// EvidenceFile is a file attached to a report, as uploaded.
type EvidenceFile struct {
	Name string
	Data []byte
}

// Validate checks the report alone.
func (p *ProgressReport) Validate(today Date) error {
	p.Note = strings.TrimSpace(p.Note)
	if p.Progress == nil && p.Reached == nil && p.Note == "" && len(p.Files) == 0 {
		return FieldErrorf("progress", "report a percentage, milestones, a note or a file")
	}
	if p.Progress != nil && (*p.Progress < 0 || *p.Progress > 100) {
		return FieldErrorf("progress", "the progress must be between 0 and 100%%, not %d", *p.Progress)
	}
	if p.Reached != nil && *p.Reached < 0 {
		return FieldErrorf("reached", "milestones reached cannot be negative")
	}
	if utf8.RuneCountInString(p.Note) > 5000 {
		return FieldErrorf("note", "the note is too long")
	}
	if p.Day.IsZero() {
		p.Day = today
	}
	if p.Day.After(today) {
		return FieldErrorf("day", "a report cannot speak of a day after today")
	}
	return nil
}

// TaskReport is one report in a task's history.
type TaskReport struct {
	ID       int64          `json:"id"`
	TaskID   int64          `json:"task_id"`
	Day      Date           `json:"-"`
	Progress int            `json:"progress"`
	Note     string         `json:"note,omitempty"`
	Kind     string         `json:"kind"` // progress | accepted | returned | moved
	By       string         `json:"by"`
	At       time.Time      `json:"at"`
	Files    []EvidenceMeta `json:"files,omitempty"`
}

// EvidenceMeta describes a stored evidence file.
type EvidenceMeta struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Size int64  `json:"size"`
	Type string `json:"type"`
}

// TaskFilter selects tasks.
type TaskFilter struct {
	UnitID      int64 // tasks of this unit
	AssignerID  int64 // tasks given by this unit
	DirectiveID int64
	ParentID    int64 // sub-tasks of this task
	Open        bool  // only tasks not yet done
	Limit       int
	Offset      int
}

// Notification is an in-app message to a unit about a task.
type Notification struct {
	ID     int64     `json:"id"`
	UnitID int64     `json:"unit_id"`
	TaskID int64     `json:"task_id"`
	Kind   string    `json:"kind"` // assigned | due_soon | overdue | escalated | returned | accepted
	Text   string    `json:"text"`
	At     time.Time `json:"at"`
}

// RemindConfig says when reminders go out.
type RemindConfig struct {
	DueSoonDays   int // remind this many days before the deadline (3)
	EscalateAfter int // days overdue before the parent unit is told (14)
}

// RemindResult counts what a reminder run did.
type RemindResult struct {
	DueSoon, Overdue, Escalated, Mailed int
	// HandedOver: units whose end came (recorded ahead of its day) and
	// whose open tasks went to their successors first.
	HandedOver int `json:",omitempty"`
}
