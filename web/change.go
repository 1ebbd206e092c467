package web

import (
	"net/http"

	"partyworks"
)

// applyChange records an event whose subject is the unit in the path,
// after checking every other unit the event touches: the units it changes
// need unit.write, the units it puts others under need unit.place. The
// API and the form both come here, so neither can skip a check (the
// attack of an id in a form field pointing into another subtree).
func (s *Server) applyChange(r *http.Request, unitID int64, c partyworks.UnitChange) (*partyworks.UnitEvent, error) {
	ctx := r.Context()
	at := c.Effective
	if at.IsZero() {
		return nil, partyworks.FieldErrorf("effective", "the effective date is required")
	}
	need := func(act partyworks.Action, id int64) error {
		t, err := s.unitTargetAt(r, id, at)
		if err != nil {
			return err
		}
		return s.check(r, act, t)
	}
	switch c.Type {
	case partyworks.EventEstablish:
		c.Parent, c.Unit = unitID, 0
		if err := need(partyworks.ActUnitPlace, unitID); err != nil {
			return nil, err
		}
	case partyworks.EventMerge:
		c.Unit = unitID
		if err := need(partyworks.ActUnitPlace, unitID); err != nil {
			return nil, err
		}
		for _, id := range c.Sources {
			if err := need(partyworks.ActUnitWrite, id); err != nil {
				return nil, err
			}
		}
	case partyworks.EventSplit:
		c.Unit = unitID
		if err := need(partyworks.ActUnitWrite, unitID); err != nil {
			return nil, err
		}
		for _, id := range c.Targets {
			if err := need(partyworks.ActUnitPlace, id); err != nil {
				return nil, err
			}
		}
	case partyworks.EventReparent:
		c.Unit = unitID
		if err := need(partyworks.ActUnitWrite, unitID); err != nil {
			return nil, err
		}
		if c.Parent != 0 {
			if err := need(partyworks.ActUnitPlace, c.Parent); err != nil {
				return nil, err
			}
		}
	case partyworks.EventRename, partyworks.EventDissolve:
		c.Unit = unitID
		if err := need(partyworks.ActUnitWrite, unitID); err != nil {
			return nil, err
		}
	default:
		return nil, partyworks.FieldErrorf("type", "choose the kind of change: establish, rename, reparent, merge, split or dissolve")
	}
	return s.Units.ApplyUnitChange(ctx, c)
}
