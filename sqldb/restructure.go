package sqldb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"partyworks"
)

// errPreview rolls a preview's transaction back after it has run.
var errPreview = errors.New("preview only")

// PreviewRestructure runs the plan in a transaction and rolls it back, so
// that the preview is exactly what applying would do.
func (s *UnitService) PreviewRestructure(ctx context.Context, p *partyworks.Plan) (*partyworks.PlanPreview, error) {
	var pv *partyworks.PlanPreview
	err := s.db.update(ctx, func(tx *Tx) error {
		var err error
		if pv, err = tx.restructure(p); err != nil {
			return err
		}
		return errPreview
	})
	if errors.Is(err, errPreview) {
		return pv, nil
	}
	return nil, err
}

// ApplyRestructure applies the plan in one transaction.
func (s *UnitService) ApplyRestructure(ctx context.Context, p *partyworks.Plan) (*partyworks.PlanPreview, error) {
	var pv *partyworks.PlanPreview
	err := s.db.update(ctx, func(tx *Tx) error {
		var err error
		if pv, err = tx.restructure(p); err != nil {
			return err
		}
		pv.Applied = true
		summary, _ := json.Marshal(planCounts(pv))
		if _, err := tx.Exec(`UPDATE restructure_plans SET summary = ? WHERE id = ?`, string(summary), pv.PlanID); err != nil {
			return err
		}
		return tx.audit("unit.restructure", "plan:"+strconv.FormatInt(pv.PlanID, 10), nil, planCounts(pv))
	})
	if err == nil {
		s.db.analyze(ctx)
	}
	return pv, err
}

func planCounts(pv *partyworks.PlanPreview) map[string]any {
	return map[string]any{
		"effective": pv.Effective, "decision": pv.Decision, "created": len(pv.Created), "merged": len(pv.Merged),
		"renamed": len(pv.Renamed), "reparented": len(pv.Reparented), "dissolved": len(pv.Dissolved),
		"split": len(pv.Split), "review": len(pv.Review), "unchanged": pv.Unchanged,
	}
}

// planGroup is one new unit of a plan and the rows that make it.
type planGroup struct {
	code, name, parentCode, decision string
	kind                             partyworks.UnitKind
	rows                             []partyworks.PlanRow
	rank                             int      // depth among the plan's new units
	cont                             *version // the old unit that carries on as this one
	unitID                           int64
	target                           *version
	event                            *eventRecord
	renamed, moved                   bool // what standUp changed in the old unit that carries on
}

// planRun is the state of one application of a plan.
type planRun struct {
	tx      *Tx
	p       *partyworks.Plan
	d       string
	planID  int64
	before  map[string]*version // the tree the day the plan takes effect, before it
	byID    map[int64]*version
	groups  []*planGroup
	byCode  map[string]*planGroup
	sources map[string][]*planGroup // old code → the new units it goes into
	kids    map[int64][]*version    // the tree before the plan: parent → children
	pv      *partyworks.PlanPreview
}

// restructure applies a plan inside tx and says what it did.
func (tx *Tx) restructure(p *partyworks.Plan) (*partyworks.PlanPreview, error) {
	if p.Effective.IsZero() {
		return nil, partyworks.FieldErrorf("effective", "the effective date is required")
	}
	if _, err := partyworks.ParseSymbol(p.Decision); err != nil {
		return nil, &partyworks.Error{Code: partyworks.EINVALID, Field: "decision", Message: partyworks.ErrorMessage(err)}
	}
	if len(p.Rows) == 0 {
		return nil, partyworks.Errorf(partyworks.EINVALID, "the plan has no rows")
	}
	if err := tx.lockTree(); err != nil {
		return nil, err
	}
	r := &planRun{tx: tx, p: p, d: fmtDate(p.Effective), byCode: map[string]*planGroup{}, sources: map[string][]*planGroup{},
		pv: &partyworks.PlanPreview{Effective: fmtDate(p.Effective), Decision: p.Decision}}
	var err error
	if r.before, err = tx.treeAt(r.d); err != nil {
		return nil, err
	}
	r.byID = make(map[int64]*version, len(r.before))
	for _, v := range r.before {
		r.byID[v.unitID] = v
	}
	if err := r.group(); err != nil {
		return nil, err
	}
	if r.planID, err = tx.InsertID(`INSERT INTO restructure_plans (effective, decision, rows, summary, created_at, created_by) VALUES (?, ?, ?, '', ?, ?)`,
		r.d, p.Decision, len(p.Rows), fmtTime(tx.now), nullID(tx.actor.UserID)); err != nil {
		return nil, err
	}
	r.pv.PlanID = r.planID
	tx.plan, tx.preview = p, r.pv
	defer func() { tx.plan, tx.preview = nil, nil }()
	for _, g := range r.groups {
		if err := r.standUp(g); err != nil {
			return nil, err
		}
	}
	maxRank := 0
	for _, g := range r.groups {
		maxRank = max(maxRank, g.rank)
	}
	for rank := maxRank; rank >= 0; rank-- {
		if err := r.foldRank(rank); err != nil {
			return nil, err
		}
	}
	return r.pv, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// group checks the rows against the tree and orders the new units so that
// each comes after its parent. Every fault is reported with its line.
func (r *planRun) group() error {
	var errs partyworks.RowErrors
	fullIn := map[string]int{} // old code → line where it goes wholly
	for _, row := range r.p.Rows {
		if _, ok := r.before[row.OldCode]; !ok {
			errs = append(errs, partyworks.RowError{Line: row.Line, Column: "old_code", Reason: fmt.Sprintf("no unit has the code %s on %s", row.OldCode, partyworks.FormatDateVN(r.p.Effective))})
			continue
		}
		g := r.byCode[row.NewCode]
		if g == nil {
			g = &planGroup{code: row.NewCode, name: row.NewName, kind: row.NewKind, parentCode: row.NewParentCode, decision: r.p.Decision}
			r.byCode[row.NewCode] = g
			r.groups = append(r.groups, g)
		}
		if row.Decision != "" {
			g.decision = row.Decision
		}
		for _, prev := range g.rows {
			if prev.OldCode == row.OldCode {
				errs = append(errs, partyworks.RowError{Line: row.Line, Column: "old_code", Reason: fmt.Sprintf("%s is named twice for the new unit %s (line %d)", row.OldCode, row.NewCode, prev.Line)})
			}
		}
		if !row.Partial {
			if line, ok := fullIn[row.OldCode]; ok {
				errs = append(errs, partyworks.RowError{Line: row.Line, Column: "part", Reason: fmt.Sprintf("%s goes wholly into another unit on line %d; mark both rows partial", row.OldCode, line)})
			}
			fullIn[row.OldCode] = row.Line
		}
		g.rows = append(g.rows, row)
		r.sources[row.OldCode] = append(r.sources[row.OldCode], g)
	}
	for _, g := range r.groups {
		if v, ok := r.before[g.code]; ok {
			if _, isSource := r.sources[g.code]; !isSource {
				errs = append(errs, partyworks.RowError{Line: g.rows[0].Line, Column: "new_code", Reason: fmt.Sprintf("the new code %s is already used by %s, which the plan does not change", g.code, v.name)})
			}
		}
		for _, row := range g.rows {
			if row.OldCode == g.code {
				g.cont = r.before[row.OldCode]
			}
		}
		if g.parentCode == "" || r.byCode[g.parentCode] != nil {
			continue
		}
		if _, ok := r.before[g.parentCode]; !ok {
			errs = append(errs, partyworks.RowError{Line: g.rows[0].Line, Column: "new_parent_code", Reason: fmt.Sprintf("no unit has the code %s, in the plan or in the tree", g.parentCode)})
		} else if _, ends := r.sources[g.parentCode]; ends {
			errs = append(errs, partyworks.RowError{Line: g.rows[0].Line, Column: "new_parent_code", Reason: fmt.Sprintf("%s cannot be the parent: the plan ends it", g.parentCode)})
		}
	}
	if len(errs) > 0 {
		sortRowErrors(errs)
		return errs
	}
	// Rank each new unit by its depth among the plan's units; a cycle in
	// the new parents is refused.
	for _, g := range r.groups {
		seen := map[string]bool{g.code: true}
		for p := r.byCode[g.parentCode]; p != nil; p = r.byCode[p.parentCode] {
			if seen[p.code] {
				return partyworks.RowErrors{{Line: g.rows[0].Line, Column: "new_parent_code", Reason: fmt.Sprintf("the new units %s and %s are each other's ancestors: the plan has a cycle", g.code, p.code)}}
			}
			seen[p.code] = true
			g.rank++
		}
	}
	sort.SliceStable(r.groups, func(i, j int) bool { return r.groups[i].rank < r.groups[j].rank })
	return nil
}

func (v *version) planUnit() partyworks.PlanUnit {
	return partyworks.PlanUnit{ID: v.unitID, Code: v.code, Name: v.name}
}

// standUp makes the new unit stand on the day: the old unit that carries
// on is renamed and moved as the plan says, or a new unit is established.
func (r *planRun) standUp(g *planGroup) error {
	tx := r.tx
	var parentID int64
	if g.parentCode != "" {
		if pg := r.byCode[g.parentCode]; pg != nil {
			parentID = pg.unitID
		} else {
			parentID = r.before[g.parentCode].unitID
		}
	}
	e, err := tx.newEvent(partyworks.EventMerge, r.d, g.decision, "", r.planID)
	if err != nil {
		return err
	}
	g.event = e
	if g.cont == nil {
		if _, err := tx.Exec(`UPDATE unit_events SET type = ? WHERE id = ?`, string(partyworks.EventEstablish), e.id); err != nil {
			return err
		}
		v, err := tx.establishAt(parentID, g.code, g.name, g.kind, r.d, e.id)
		if err != nil {
			return err
		}
		g.unitID, g.target = v.unitID, v
		r.pv.Created = append(r.pv.Created, v.planUnit())
		return nil
	}
	v, err := tx.editable(g.cont.unitID, r.d)
	if err != nil {
		return err
	}
	g.unitID = v.unitID
	changed := false
	if v.name != g.name || v.kind != g.kind {
		old := v.name
		if v, err = tx.successor(v, r.d, e.id, func(n *version) { n.name, n.kind = g.name, g.kind }); err != nil {
			return err
		}
		if err := tx.touch(v.unitID); err != nil {
			return err
		}
		r.pv.Renamed = append(r.pv.Renamed, partyworks.PlanRename{Unit: v.planUnit(), OldName: old})
		changed = true
	}
	if parentID != 0 && v.parentID != parentID {
		from := r.byID[v.parentID]
		_, to, err := tx.reparent(v.unitID, parentID, r.d, e.id)
		if err != nil {
			return err
		}
		mv := partyworks.PlanMove{Unit: v.planUnit(), To: to.planUnit()}
		if from != nil {
			mv.From = from.planUnit()
		}
		r.pv.Reparented = append(r.pv.Reparented, mv)
		changed = true
	}
	if g.target, err = tx.versionAt(v.unitID, r.d); err != nil {
		return err
	}
	if !changed && len(g.rows) == 1 {
		r.pv.Unchanged++
	}
	g.renamed = len(r.pv.Renamed) > 0 && r.pv.Renamed[len(r.pv.Renamed)-1].Unit.ID == v.unitID
	g.moved = len(r.pv.Reparented) > 0 && r.pv.Reparented[len(r.pv.Reparented)-1].Unit.ID == v.unitID
	return nil
}

// establishAt establishes a unit for a plan. The code check is left to the
// plan, which has already made sure that any old holder of the code ends
// on the same day.
func (tx *Tx) establishAt(parentID int64, code, name string, kind partyworks.UnitKind, d string, eventID int64) (*version, error) {
	tx.skipCodeCheck = true
	defer func() { tx.skipCodeCheck = false }()
	return tx.establish(parentID, code, name, kind, d, eventID)
}

// foldRank ends the old units that went into the new units of one rank,
// then the units the plan emptied without naming them.
func (r *planRun) foldRank(rank int) error {
	tx := r.tx
	partial := map[string]bool{}
	emptied := map[int64][]*planGroup{} // unnamed old parent → where its named children went
	var emptiedOrder []int64
	for _, g := range r.groups {
		if g.rank != rank {
			continue
		}
		merge := partyworks.PlanMerge{Target: partyworks.PlanUnit{ID: g.unitID, Code: g.code, Name: g.name}}
		for _, row := range g.rows {
			src := r.before[row.OldCode]
			if p := r.byID[src.parentID]; p != nil && r.sources[p.code] == nil && r.byCode[p.code] == nil {
				if _, ok := emptied[p.unitID]; !ok {
					emptiedOrder = append(emptiedOrder, p.unitID)
				}
				emptied[p.unitID] = append(emptied[p.unitID], g)
			}
			if src.unitID == g.unitID {
				continue
			}
			merge.Sources = append(merge.Sources, src.planUnit())
			if row.Partial {
				partial[row.OldCode] = true
				if err := tx.link(g.event, "source", src.ref()); err != nil {
					return err
				}
				continue
			}
			assign, err := r.assignments()
			if err != nil {
				return err
			}
			if err := tx.fold(g.event, src.unitID, g.target, r.d, assign, nil); err != nil {
				return err
			}
			r.pv.Dissolved = append(r.pv.Dissolved, partyworks.PlanUnit{ID: src.unitID, Code: src.code, Name: src.name, Reason: "merged", Into: g.code})
		}
		if len(merge.Sources) == 0 && g.cont != nil {
			// Nothing went into the unit: its event is a rename, a move,
			// both (restructure) or, for a unit the plan leaves as it was,
			// none at all.
			if err := r.retype(g); err != nil {
				return err
			}
			if !g.renamed && !g.moved {
				continue
			}
		}
		if err := tx.link(g.event, "target", g.target.ref()); err != nil {
			return err
		}
		if len(merge.Sources) > 0 {
			r.pv.Merged = append(r.pv.Merged, merge)
		}
	}
	codes := make([]string, 0, len(partial))
	for c := range partial {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, code := range codes {
		if err := r.split(code); err != nil {
			return err
		}
	}
	for _, id := range emptiedOrder {
		if err := r.endEmptied(id, emptied[id]); err != nil {
			return err
		}
	}
	return nil
}

// split divides an old unit among the new units it went into in part. Its
// children go where Plan.Assign says, by default to the unit that carries
// its code on, else to the first new unit named for it; each is listed for
// review. The old unit ends unless it carries on.
func (r *planRun) split(code string) error {
	tx := r.tx
	src := r.before[code]
	groups := r.sources[code]
	e, err := tx.newEvent(partyworks.EventSplit, r.d, r.p.Decision, "", r.planID)
	if err != nil {
		return err
	}
	def := groups[0]
	split := partyworks.PlanMerge{Target: src.planUnit()}
	var options []partyworks.PlanUnit
	for _, g := range groups {
		if g.unitID == src.unitID {
			def = g
		}
		if g.unitID != src.unitID {
			if err := tx.link(e, "target", g.target.ref()); err != nil {
				return err
			}
		}
		options = append(options, g.target.planUnit())
		split.Sources = append(split.Sources, g.target.planUnit())
	}
	r.pv.Split = append(r.pv.Split, split)
	kids, err := tx.children(src.unitID, r.d)
	if err != nil {
		return err
	}
	valid := map[int64]bool{}
	for _, o := range options {
		valid[o.ID] = true
	}
	assign := map[int64]int64{}
	for _, k := range kids {
		kv, err := tx.versionAt(k, r.d)
		if err != nil {
			return err
		}
		to := def.unitID
		if code, ok := r.p.Assign[k]; ok {
			a, err := r.unitOf(code)
			if err != nil || !valid[a] {
				return partyworks.FieldErrorf("assign", "%s may only go to one of the units %s was split into", kv.name, src.name)
			}
			to = a
		}
		assign[k] = to
		r.pv.Review = append(r.pv.Review, partyworks.PlanReview{Child: kv.planUnit(), From: src.planUnit(), Default: def.target.planUnit(), Options: options})
	}
	if def.unitID == src.unitID {
		// The old unit carries on: only children assigned elsewhere move.
		if err := tx.link(e, "source", src.ref()); err != nil {
			return err
		}
		optionIDs := make([]int64, len(options))
		for i, o := range options {
			optionIDs[i] = o.ID
		}
		if err := tx.folded(Fold{From: src.unitID, To: src.unitID, Options: optionIDs, Day: r.d, Carries: true}); err != nil {
			return err
		}
		for k, to := range assign {
			if to != src.unitID {
				if _, _, err := tx.reparent(k, to, r.d, e.id); err != nil {
					return err
				}
			}
		}
		return nil
	}
	optionIDs := make([]int64, len(options))
	for i, o := range options {
		optionIDs[i] = o.ID
	}
	if err := tx.fold(e, src.unitID, def.target, r.d, assign, optionIDs); err != nil {
		return err
	}
	r.pv.Dissolved = append(r.pv.Dissolved, partyworks.PlanUnit{ID: src.unitID, Code: src.code, Name: src.name, Reason: "split"})
	return nil
}

// endEmptied ends a unit that the plan emptied without naming it (the old
// district committees). Whatever still stands under it goes to the parent
// most of its named children went to, for review.
//
// A unit counts as emptied when no new unit of the plan stands under it
// and every committee (province, district or commune level) under it was
// named in the plan: a plan that moves one cell out of a commune does not
// end the commune.
func (r *planRun) endEmptied(id int64, went []*planGroup) error {
	tx := r.tx
	for _, g := range r.groups {
		if g.target.parentID == id {
			return nil
		}
	}
	if r.kids == nil {
		r.kids = map[int64][]*version{}
		for _, k := range r.before {
			r.kids[k.parentID] = append(r.kids[k.parentID], k)
		}
	}
	for _, k := range r.kids[id] {
		if k.kind.Level() >= 1 && k.kind.Level() <= 3 && r.sources[k.code] == nil {
			return nil
		}
	}
	v, err := tx.versionAt(id, r.d)
	if code := partyworks.ErrorCode(err); code == partyworks.EINVALID || code == partyworks.ENOTFOUND {
		return nil // already ended by an earlier step
	} else if err != nil {
		return err
	}
	count := map[int64]int{}
	var def int64
	for _, g := range went {
		if g.target.parentID == 0 {
			continue
		}
		count[g.target.parentID]++
		if def == 0 || count[g.target.parentID] > count[def] {
			def = g.target.parentID
		}
	}
	kids, err := tx.children(id, r.d)
	if err != nil {
		return err
	}
	if len(kids) > 0 && def == 0 {
		def = v.parentID
	}
	e, err := tx.newEvent(partyworks.EventDissolve, r.d, r.p.Decision, "", r.planID)
	if err != nil {
		return err
	}
	var defUnit partyworks.PlanUnit
	if len(kids) > 0 {
		dv, err := tx.versionAt(def, r.d)
		if err != nil {
			return err
		}
		defUnit = dv.planUnit()
	}
	for _, k := range kids {
		kv, err := tx.versionAt(k, r.d)
		if err != nil {
			return err
		}
		to := def
		if code, ok := r.p.Assign[k]; ok {
			if to, err = r.unitOf(code); err != nil {
				return err
			}
		}
		if _, _, err := tx.reparent(k, to, r.d, e.id); err != nil {
			return err
		}
		r.pv.Review = append(r.pv.Review, partyworks.PlanReview{Child: kv.planUnit(), From: v.planUnit(), Default: defUnit})
	}
	// What the emptied unit held (open tasks, …) goes where most of its
	// units went, else to its parent: nothing is left on an ended unit.
	heir := def
	if heir == 0 {
		heir = v.parentID
	}
	if heir != 0 {
		if err := tx.folded(Fold{From: v.unitID, To: heir, Day: r.d}); err != nil {
			return err
		}
	}
	if err := tx.end(v, r.d); err != nil {
		return err
	}
	r.pv.Dissolved = append(r.pv.Dissolved, partyworks.PlanUnit{ID: v.unitID, Code: v.code, Name: v.name, Reason: "emptied"})
	return tx.link(e, "source", v.ref())
}

// unitOf resolves a code named in an assignment: a new unit of the plan,
// else a unit standing on the day.
func (r *planRun) unitOf(code string) (int64, error) {
	if g := r.byCode[code]; g != nil && g.unitID != 0 {
		return g.unitID, nil
	}
	if u, ok := r.before[code]; ok {
		if v, err := r.tx.versionAt(u.unitID, r.d); err == nil {
			return v.unitID, nil
		}
	}
	return 0, partyworks.FieldErrorf("assign", "no unit has the code %s on %s", code, partyworks.FormatDateVN(r.p.Effective))
}

// assignments turns Plan.Assign into ids for tx.fold.
func (r *planRun) assignments() (map[int64]int64, error) {
	if len(r.p.Assign) == 0 {
		return nil, nil
	}
	out := make(map[int64]int64, len(r.p.Assign))
	for child, code := range r.p.Assign {
		id, err := r.unitOf(code)
		if err != nil {
			return nil, err
		}
		out[child] = id
	}
	return out, nil
}

// retype gives a carried-on unit's event the type of what happened to it,
// or removes the event when nothing did.
func (r *planRun) retype(g *planGroup) error {
	var typ partyworks.UnitEventType
	switch {
	case g.renamed && g.moved:
		typ = partyworks.EventRestructure
	case g.renamed:
		typ = partyworks.EventRename
	case g.moved:
		typ = partyworks.EventReparent
	default:
		if _, err := r.tx.Exec(`UPDATE unit_versions SET event_id = NULL WHERE event_id = ?`, g.event.id); err != nil {
			return err
		}
		_, err := r.tx.Exec(`DELETE FROM unit_events WHERE id = ? AND NOT EXISTS (SELECT 1 FROM unit_event_units WHERE event_id = ?)`, g.event.id, g.event.id)
		return err
	}
	if g.renamed {
		// The rename's source is the unit as it was called before.
		if err := r.tx.link(g.event, "source", g.cont.ref()); err != nil {
			return err
		}
	}
	_, err := r.tx.Exec(`UPDATE unit_events SET type = ? WHERE id = ?`, string(typ), g.event.id)
	return err
}
