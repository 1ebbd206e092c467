package partyworks

import (
	"fmt"
	"strings"
)

// Plan is a restructuring of the tree: for each new unit, the old units
// that go into it, wholly or in part, effective on one day by one decision.
type Plan struct {
	Effective Date
	Decision  string
	Rows      []PlanRow
	// Assign overrides the default new parent of the children of units the
	// plan splits or empties: child unit id → the code of its new parent
	// (a new unit of the plan, or a unit that stands). Codes, not ids: the
	// ids of units a plan creates are only known once it is applied.
	Assign map[int64]string
	// AssignMembers places members of units the plan splits: member id →
	// the code of their new unit (one of the units the source went into).
	AssignMembers map[int64]string
}

// PlanRow says that OldCode went, wholly or in part, into NewCode.
type PlanRow struct {
	Line          int
	NewLevel      int
	NewCode       string
	NewName       string // the committee's name (derived from an administrative name)
	NewKind       UnitKind
	NewParentCode string
	OldCode       string
	Partial       bool
	Decision      string // overrides the plan's decision for this row's new unit
}

// PlanPreview says what a plan does (or did). The lists are complete;
// pages show their first entries and the counts.
type PlanPreview struct {
	Effective  string       `json:"effective"`
	Decision   string       `json:"decision"`
	Applied    bool         `json:"applied"`
	PlanID     int64        `json:"plan_id,omitempty"`
	Created    []PlanUnit   `json:"created"`
	Merged     []PlanMerge  `json:"merged"`
	Renamed    []PlanRename `json:"renamed"`
	Reparented []PlanMove   `json:"reparented"`
	Dissolved  []PlanUnit   `json:"dissolved"` // named in the plan or emptied by it, they end the day before
	Split      []PlanMerge  `json:"split"`     // a source divided among several targets
	Review     []PlanReview `json:"review"`    // children whose new parent a person should confirm
	Unchanged  int          `json:"unchanged"`

	// MemberReview lists members of split units: they go to the default
	// unit unless Plan.AssignMembers says otherwise; a person confirms.
	MemberReview []PlanMemberReview `json:"member_review,omitempty"`

	// TaskReview lists open tasks of split units: they go to the default
	// unit; a person confirms (task.go).
	TaskReview []PlanTaskReview `json:"task_review,omitempty"`
}

// PlanTaskReview is an open task of a unit the plan divides.
type PlanTaskReview struct {
	TaskID int64    `json:"task_id"`
	Title  string   `json:"title"`
	To     PlanUnit `json:"to"`
}

// PlanUnit names a unit in a preview.
type PlanUnit struct {
	ID     int64  `json:"id,omitempty"`
	Code   string `json:"code"`
	Name   string `json:"name"`
	Reason string `json:"reason,omitempty"` // why it ends: merged, split or emptied
	Into   string `json:"into,omitempty"`   // merged: the code of the unit it went into
}

// PlanMerge is several units going into one (or one into several, for split).
type PlanMerge struct {
	Target  PlanUnit   `json:"target"`
	Sources []PlanUnit `json:"sources"`
}

// PlanRename is a unit that keeps its identity under a new name.
type PlanRename struct {
	Unit    PlanUnit `json:"unit"`
	OldName string   `json:"old_name"`
}

// PlanMove is a unit placed under a new parent.
type PlanMove struct {
	Unit PlanUnit `json:"unit"`
	From PlanUnit `json:"from"`
	To   PlanUnit `json:"to"`
}

// PlanReview is a child of a split or emptied unit: the plan does not say
// where it goes, so it takes a default that a person should confirm.
type PlanReview struct {
	Child   PlanUnit   `json:"child"`
	From    PlanUnit   `json:"from"`
	Default PlanUnit   `json:"default"`
	Options []PlanUnit `json:"options"`
}

// PlanFromTable reads a plan from the columns new_level, new_code,
// new_name, new_parent_code, old_code, part (full or partial) and,
// optionally, decision. Names are administrative ("Phường Ba Đình") or
// already committee names.
func PlanFromTable(t *Table) ([]PlanRow, error) {
	col := map[string]int{
		"new_code": t.Column("new_code"), "new_name": t.Column("new_name"),
		"new_parent_code": t.Column("new_parent_code"), "old_code": t.Column("old_code"),
	}
	var missing []string
	for _, c := range []string{"new_code", "new_name", "new_parent_code", "old_code"} {
		if col[c] < 0 {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, Errorf(EINVALID, "the plan has no column %s; expected new_level, new_code, new_name, new_parent_code, old_code, part", strings.Join(missing, ", "))
	}
	level, part, decision := t.Column("new_level"), t.Column("part"), t.Column("decision")
	var errs RowErrors
	rows := make([]PlanRow, 0, len(t.Rows))
	names := map[string]string{}
	for i := range t.Rows {
		line := t.Lines[i]
		r := PlanRow{Line: line, NewCode: t.Cell(i, col["new_code"]), NewParentCode: t.Cell(i, col["new_parent_code"]), OldCode: t.Cell(i, col["old_code"])}
		fmt.Sscan(t.Cell(i, level), &r.NewLevel)
		rawName := t.Cell(i, col["new_name"])
		switch p := strings.ToLower(t.Cell(i, part)); p {
		case "", "full":
		case "partial":
			r.Partial = true
		default:
			errs = append(errs, RowError{line, "part", fmt.Sprintf("%q: write full or partial", p)})
			continue
		}
		if !ValidCode(r.NewCode) {
			errs = append(errs, RowError{line, "new_code", fmt.Sprintf("%q is not a unit code", r.NewCode)})
			continue
		}
		if !ValidCode(r.OldCode) {
			errs = append(errs, RowError{line, "old_code", fmt.Sprintf("%q is not a unit code", r.OldCode)})
			continue
		}
		if rawName == "" {
			errs = append(errs, RowError{line, "new_name", "the name is empty"})
			continue
		}
		if k, n, ok := CommitteeFor("", rawName, r.NewLevel); ok {
			r.NewKind, r.NewName = k, n
		} else if k := KindFromName(rawName); k != "" {
			r.NewKind, r.NewName = k, rawName
		} else {
			errs = append(errs, RowError{line, "new_name", fmt.Sprintf("cannot tell the kind of unit from %q: start it with Tỉnh, Thành phố, Phường, Xã, Đặc khu or a committee name", rawName)})
			continue
		}
		if prev, ok := names[r.NewCode]; ok && prev != r.NewName {
			errs = append(errs, RowError{line, "new_name", fmt.Sprintf("the new unit %s is named %q here and %q above", r.NewCode, r.NewName, prev)})
			continue
		}
		names[r.NewCode] = r.NewName
		if decision >= 0 {
			if d := t.Cell(i, decision); d != "" {
				if _, err := ParseSymbol(d); err != nil {
					errs = append(errs, RowError{line, "decision", ErrorMessage(err)})
					continue
				}
				r.Decision = d
			}
		}
		rows = append(rows, r)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(rows) == 0 {
		return nil, Errorf(EINVALID, "the plan has no rows")
	}
	return rows, nil
}

// PlanMemberReview is a member of a unit the plan divides.
type PlanMemberReview struct {
	MemberID int64      `json:"member_id"`
	Name     string     `json:"name"`
	From     PlanUnit   `json:"from"`
	To       PlanUnit   `json:"to"` // where the member goes (default or assigned)
	Options  []PlanUnit `json:"options"`
}
