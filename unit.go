package partyworks

import (
	"context"
	"time"
)

// UnitKind says what a unit is in the party's organization.
type UnitKind string

// The kinds of unit. The admin-unit kinds follow the administrative map
// that party committees mirror; the others are inner organizations.
const (
	KindCentral         UnitKind = "central"          // Ban Chấp hành Trung ương
	KindProvince        UnitKind = "province"         // Tỉnh ủy
	KindCity            UnitKind = "city"             // Thành ủy (centrally-run city)
	KindDistrict        UnitKind = "district"         // Huyện ủy
	KindUrbanDistrict   UnitKind = "urban_district"   // Quận ủy
	KindTown            UnitKind = "town"             // Thị ủy
	KindProvincialCity  UnitKind = "provincial_city"  // Thành ủy (city under a province)
	KindCommune         UnitKind = "commune"          // Đảng ủy xã
	KindWard            UnitKind = "ward"             // Đảng ủy phường
	KindTownship        UnitKind = "township"         // Đảng ủy thị trấn
	KindSpecialZone     UnitKind = "special_zone"     // Đảng ủy đặc khu
	KindDirectCommittee UnitKind = "direct_committee" // Đảng ủy trực thuộc tỉnh ủy
	KindDepartment      UnitKind = "department"       // Ban, Văn phòng, Ủy ban Kiểm tra
	KindGrassroots      UnitKind = "grassroots"       // Đảng bộ cơ sở, chi bộ cơ sở
	KindCell            UnitKind = "cell"             // Chi bộ
	KindGroup           UnitKind = "group"            // Tổ đảng
)

// UnitKinds lists every kind, top of the tree first.
var UnitKinds = []UnitKind{
	KindCentral, KindProvince, KindCity, KindDistrict, KindUrbanDistrict,
	KindTown, KindProvincialCity, KindCommune, KindWard, KindTownship,
	KindSpecialZone, KindDirectCommittee, KindDepartment, KindGrassroots,
	KindCell, KindGroup,
}

// Valid reports whether k is one of UnitKinds.
func (k UnitKind) Valid() bool {
	for _, v := range UnitKinds {
		if v == k {
			return true
		}
	}
	return false
}

// Level is the tier of a kind: 1 province, 2 district (until 30/06/2025),
// 3 commune level, 4 grassroots, 5 cell, 6 group; 0 central; departments
// count as the level of their committee and are reported as 0 here.
func (k UnitKind) Level() int {
	switch k {
	case KindCentral:
		return 0
	case KindProvince, KindCity:
		return 1
	case KindDistrict, KindUrbanDistrict, KindTown, KindProvincialCity:
		return 2
	case KindCommune, KindWard, KindTownship, KindSpecialZone, KindDirectCommittee:
		return 3
	case KindGrassroots:
		return 4
	case KindCell:
		return 5
	case KindGroup:
		return 6
	}
	return 0
}

// Unit is one organization as it stood on one day: the version of the unit
// in force that day. ID is stable for the unit's whole life; the other
// fields may differ from one day to another.
type Unit struct {
	ID        int64    `json:"id"`
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	Kind      UnitKind `json:"kind"`
	ParentID  int64    `json:"parent_id,omitempty"`
	Path      string   `json:"-"` // "/1/7/42/": ids from the root to this unit
	Depth     int      `json:"depth"`
	ValidFrom Date     `json:"-"`
	ValidTo   Date     `json:"-"` // exclusive; Forever while the unit stands
	Version   int64    `json:"version"`
	Children  int      `json:"children"` // live children on the same day
}

// Ended reports whether the unit has an end date.
func (u *Unit) Ended() bool { return u.ValidTo.Before(Forever) }

// LastDay is the last day the unit stood, for display ("ended 30/06/2025").
func (u *Unit) LastDay() Date { return u.ValidTo.AddDate(0, 0, -1) }

// UnitHeir is the unit that takes over an ended unit's members and open
// tasks on Day, as it stands that day, and its document registers too
// when Registers (not a divided unit's, which keeps its own).
type UnitHeir struct {
	Unit      *Unit
	Day       Date
	Registers bool
}

// UnitFilter selects units as of a day.
type UnitFilter struct {
	At       Date
	ParentID *int64   // children of this unit
	Under    *int64   // anywhere in this unit's subtree, itself excluded
	Within   []string // only units inside one of these subtrees (paths); nil: anywhere
	Code     *string  // exact code
	Kinds    []UnitKind
	Query    string // diacritic-insensitive part of the name, or a code prefix
	After    string // keyset: the code of the last unit of the previous page
	Limit    int
}

// UnitEventType names a change to the tree.
type UnitEventType string

// The unit events.
const (
	EventEstablish   UnitEventType = "establish"
	EventRename      UnitEventType = "rename"
	EventReparent    UnitEventType = "reparent"
	EventMerge       UnitEventType = "merge"
	EventSplit       UnitEventType = "split"
	EventDissolve    UnitEventType = "dissolve"
	EventRestructure UnitEventType = "restructure"
)

// UnitEventTypes lists the events a user can record one by one.
var UnitEventTypes = []UnitEventType{EventEstablish, EventRename, EventReparent, EventMerge, EventSplit, EventDissolve}

// UnitEvent is a recorded change to the tree, effective on a day and
// ordered by a decision (a document symbol).
type UnitEvent struct {
	ID        int64         `json:"id"`
	Type      UnitEventType `json:"type"`
	Effective Date          `json:"-"`
	Decision  string        `json:"decision"`
	Note      string        `json:"note,omitempty"`
	PlanID    int64         `json:"plan_id,omitempty"`
	Sources   []EventUnit   `json:"sources"` // units the event took from or changed
	Targets   []EventUnit   `json:"targets"` // units the event gave to or created
	CreatedAt time.Time     `json:"created_at"`
	CreatedBy int64         `json:"created_by,omitempty"`
}

// EventUnit names a unit in an event as it was called then.
type EventUnit struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// UnitChange is one event to record. Which fields count depends on Type:
//   - establish: Parent, Code, Name, Kind (Unit unused)
//   - rename: Unit, and any of Code, Name, Kind
//   - reparent: Unit, Parent
//   - merge: Sources into Unit (an existing target), or into a new unit
//     made from Parent, Code, Name, Kind when Unit is 0
//   - split: Unit into Targets (existing units); Assign places its children
//   - dissolve: Unit (it must have no children left on the day)
type UnitChange struct {
	Type      UnitEventType   `json:"type"`
	Effective Date            `json:"-"`
	Decision  string          `json:"decision"`
	Note      string          `json:"note,omitempty"`
	Unit      int64           `json:"unit,omitempty"`
	Parent    int64           `json:"parent,omitempty"`
	Code      string          `json:"code,omitempty"`
	Name      string          `json:"name,omitempty"`
	Kind      UnitKind        `json:"kind,omitempty"`
	Sources   []int64         `json:"sources,omitempty"`
	Targets   []int64         `json:"targets,omitempty"`
	Assign    map[int64]int64 `json:"assign,omitempty"`  // child → new parent
	Version   int64           `json:"version,omitempty"` // expected version of Unit; 0 skips the check
}

// UnitService keeps the organization tree through time.
type UnitService interface {
	FindUnitByID(ctx context.Context, id int64, at Date) (*Unit, error)
	FindUnitByCode(ctx context.Context, code string, at Date) (*Unit, error)
	// FindUnitPaths returns the unit's path as it stood on the day at ("" if
	// it did not stand then) and its latest path: what an access check needs,
	// in one read.
	FindUnitPaths(ctx context.Context, id int64, at Date) (atPath, lastPath string, err error)
	FindUnits(ctx context.Context, f UnitFilter) ([]*Unit, int, error)
	// Ancestors returns the chain from the root down to the unit's parent,
	// as it stood on the day at.
	Ancestors(ctx context.Context, u *Unit, at Date) ([]*Unit, error)
	FindUnitEvents(ctx context.Context, unitID int64) ([]*UnitEvent, error)
	// FindUnitHeir returns the unit that takes over an ended unit's
	// members and open tasks (ENOTFOUND when the unit has none).
	FindUnitHeir(ctx context.Context, unitID int64) (*UnitHeir, error)
	// ApplyUnitChange records one event in one transaction.
	ApplyUnitChange(ctx context.Context, c UnitChange) (*UnitEvent, error)
	// ImportUnits adds a tree from rows, all or nothing.
	ImportUnits(ctx context.Context, imp UnitImport) (*ImportResult, error)
	// PreviewRestructure says what applying the plan would do; ApplyRestructure does it.
	PreviewRestructure(ctx context.Context, p *Plan) (*PlanPreview, error)
	ApplyRestructure(ctx context.Context, p *Plan) (*PlanPreview, error)
}
