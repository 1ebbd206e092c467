package partyworks

import (
	"context"
	"fmt"
)

// RollupCounts are the sums a roll-up is computed from, read over a
// subtree in one query.
type RollupCounts struct {
	Tasks       int   `json:"tasks"`
	Done        int   `json:"done"`         // reported done
	DoneOnTime  int   `json:"done_on_time"` // done on or before the deadline
	Accepted    int   `json:"accepted"`     // done and accepted by the assigning unit
	Overdue     int   `json:"overdue"`      // open past the deadline
	Started     int   `json:"started"`      // open with some progress
	PercentSum  int64 `json:"percent_sum"`  // Σ progress (done counts 100)
	WeightSum   int64 `json:"weight_sum"`   // Σ weight
	WeightedSum int64 `json:"weighted_sum"` // Σ weight × progress
}

// Add sums two counts.
func (c RollupCounts) Add(o RollupCounts) RollupCounts {
	return RollupCounts{c.Tasks + o.Tasks, c.Done + o.Done, c.DoneOnTime + o.DoneOnTime, c.Accepted + o.Accepted,
		c.Overdue + o.Overdue, c.Started + o.Started, c.PercentSum + o.PercentSum, c.WeightSum + o.WeightSum, c.WeightedSum + o.WeightedSum}
}

// Figure is a number with the way it was computed: peer users rejected
// opaque roll-ups, so every figure carries its formula and its operands.
type Figure struct {
	Value float64 `json:"value"` // a percentage, 0–100
	Known bool    `json:"known"` // false when there is nothing to compute it from
	// How: a message key of the i18n catalog ("rollup.how.share") and its
	// operands, so each language writes the formula its own way.
	How  string `json:"how"`
	Args []any  `json:"args"`
}

// Rollup is a directive's progress over a subtree by the directive's rule.
type Rollup struct {
	DirectiveID int64        `json:"directive_id"`
	UnitID      int64        `json:"unit_id"`
	UnitName    string       `json:"unit_name,omitempty"`
	Rule        RollupRule   `json:"rule"`
	Today       Date         `json:"-"`
	Counts      RollupCounts `json:"counts"`
	Progress    Figure       `json:"progress"`
	OnTime      Figure       `json:"on_time"`
	// Children: the same figures for each unit just below (their subtrees).
	Children []*Rollup `json:"children,omitempty"`
}

// ComputeRollup applies a rule to counts. It is the one place the formulas
// live.
func ComputeRollup(rule RollupRule, c RollupCounts) (progress, onTime Figure) {
	pct := func(num, den float64) float64 { return 100 * num / den }
	switch rule {
	case RuleAverage:
		progress = Figure{How: "rollup.how.average", Args: []any{c.PercentSum, c.Tasks}}
		if c.Tasks > 0 {
			progress.Value, progress.Known = float64(c.PercentSum)/float64(c.Tasks), true
		}
	case RuleWeighted:
		progress = Figure{How: "rollup.how.weighted", Args: []any{c.WeightedSum, c.WeightSum}}
		if c.WeightSum > 0 {
			progress.Value, progress.Known = float64(c.WeightedSum)/float64(c.WeightSum), true
		}
	default:
		progress = Figure{How: "rollup.how.share", Args: []any{c.Done, c.Tasks}}
		if c.Tasks > 0 {
			progress.Value, progress.Known = pct(float64(c.Done), float64(c.Tasks)), true
		}
	}
	onTime = Figure{How: "rollup.how.on_time", Args: []any{c.DoneOnTime, c.Done}}
	if c.Done > 0 {
		onTime.Value, onTime.Known = pct(float64(c.DoneOnTime), float64(c.Done)), true
	}
	return progress, onTime
}

// Explain writes a figure's formula in English, for logs, exports and the
// API; pages use the catalog key instead.
func (f Figure) Explain() string {
	switch f.How {
	case "rollup.how.average":
		return fmt.Sprintf("average percentage: sum of percentages %v ÷ %v tasks (a task done counts 100%%)", f.Args...)
	case "rollup.how.weighted":
		return fmt.Sprintf("weighted average: Σ(weight × percentage) %v ÷ Σ weight %v", f.Args...)
	case "rollup.how.share":
		return fmt.Sprintf("share of tasks done: %v done ÷ %v tasks", f.Args...)
	case "rollup.how.on_time":
		return fmt.Sprintf("on time: %v done by the deadline ÷ %v done", f.Args...)
	}
	return f.How
}

// LateUnit is a unit with a task that is overdue or was done late, for the
// drill-down.
type LateUnit struct {
	TaskID   int64      `json:"task_id"`
	UnitID   int64      `json:"unit_id"`
	UnitName string     `json:"unit_name"`
	Deadline Date       `json:"-"`
	DoneOn   Date       `json:"-"`
	Progress int        `json:"progress"`
	Status   TaskStatus `json:"status"`
	DaysLate int        `json:"days_late"`
}

// RollupPoint is the history of a roll-up: tasks done by the end of a
// month.
type RollupPoint struct {
	Month      string `json:"month"` // yyyy-mm
	Done       int    `json:"done"`  // cumulative
	DoneOnTime int    `json:"done_on_time"`
	Due        int    `json:"due"` // tasks whose deadline had passed by then (cumulative)
}

// StudyCampaign is the study and dissemination of a directive: the units
// that held sessions and who attended.
type StudyCampaign struct {
	ID          int64      `json:"id"`
	DirectiveID int64      `json:"directive_id"`
	OwnerID     int64      `json:"owner_id"`
	Title       string     `json:"title"`
	Start       Date       `json:"-"`
	End         Date       `json:"-"`
	Kinds       []UnitKind `json:"kinds"` // the units expected to hold sessions
}

// StudySession is one session held by a unit, with its attendance counts
// and, when given, the members who attended (then Attended = len(Members)).
type StudySession struct {
	ID         int64   `json:"id"`
	CampaignID int64   `json:"campaign_id"`
	UnitID     int64   `json:"unit_id"`
	UnitName   string  `json:"unit_name,omitempty"`
	Held       Date    `json:"-"`
	Attended   int     `json:"attended"`
	Expected   int     `json:"expected"`
	Note       string  `json:"note,omitempty"`
	Members    []int64 `json:"members,omitempty"` // members who attended; nil: counts only
}

// StudyCoverage is a campaign's coverage over a subtree.
type StudyCoverage struct {
	Units    int    `json:"units"`    // units of the expected kinds in the subtree today
	Held     int    `json:"held"`     // of them, those that held a session
	Attended int    `json:"attended"` // Σ attended
	Expected int    `json:"expected"` // Σ expected
	Coverage Figure `json:"coverage"` // held ÷ units
	Presence Figure `json:"presence"` // attended ÷ expected
	// By members: the party members in the subtree today and, of them,
	// those named as attending at least one of the campaign's sessions.
	Members        int    `json:"members"`
	MembersReached int    `json:"members_reached"`
	MemberCoverage Figure `json:"member_coverage"` // reached ÷ members
}

// TaskService keeps directives, their tasks, the reports on them and their
// roll-ups.
type TaskService interface {
	CreateDirective(ctx context.Context, d *Directive) error
	FindDirectiveByID(ctx context.Context, id int64) (*Directive, error)
	// FindDirectives lists the directives registered by a unit or by the
	// units above it (those whose tasks may reach it).
	FindDirectives(ctx context.Context, unitID int64) ([]*Directive, error)
	// AttachDirectiveFiles stores files of a directive (the evidence rules:
	// size cap, content matching the extension, generated names).
	AttachDirectiveFiles(ctx context.Context, directiveID int64, files []EvidenceFile) ([]EvidenceMeta, error)
	// DirectiveFile returns a file of that directive (not found otherwise).
	DirectiveFile(ctx context.Context, directiveID, fileID int64) (*EvidenceMeta, []byte, error)

	// Assign creates the tasks; it returns how many.
	Assign(ctx context.Context, a TaskAssign) (int, error)
	FindTaskByID(ctx context.Context, id int64) (*Task, error)
	FindTasks(ctx context.Context, f TaskFilter) ([]*Task, int, error)
	FindTaskReports(ctx context.Context, taskID int64) ([]*TaskReport, error)
	ReportProgress(ctx context.Context, p ProgressReport) (*Task, error)
	// ReviewTask accepts a reported completion or returns it with a reason.
	ReviewTask(ctx context.Context, taskID, version int64, accept bool, reason string) (*Task, error)
	// Evidence returns a stored file and its name, checking it belongs to the task.
	Evidence(ctx context.Context, taskID, fileID int64) (*EvidenceMeta, []byte, error)
	// ImportProgress applies progress rows; may says which units the caller
	// may report for. Good rows are written, bad ones returned.
	ImportProgress(ctx context.Context, t *Table, may func(unitPath string) bool) (int, RowErrors, error)

	Rollup(ctx context.Context, directiveID, unitID int64, children bool) (*Rollup, error)
	LateUnits(ctx context.Context, directiveID, unitID int64, limit int) ([]LateUnit, error)
	RollupHistory(ctx context.Context, directiveID, unitID int64) ([]RollupPoint, error)

	FindNotifications(ctx context.Context, unitID int64, limit int) ([]*Notification, error)
	Remind(ctx context.Context, cfg RemindConfig) (*RemindResult, error)

	CreateCampaign(ctx context.Context, c *StudyCampaign) error
	FindCampaigns(ctx context.Context, directiveID int64) ([]*StudyCampaign, error)
	FindCampaignByID(ctx context.Context, id int64) (*StudyCampaign, error)
	RecordSession(ctx context.Context, s *StudySession) error
	Coverage(ctx context.Context, campaignID, unitID int64) (*StudyCoverage, []*StudySession, error)

	FindDue(ctx context.Context, unitID int64, until Date) ([]DueItem, error)
}
