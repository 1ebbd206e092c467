package sqldb

import (
	"context"
	"fmt"

	"partyworks"
)

var _ partyworks.DueSource = (*MemberService)(nil)

// FindDue lists the members' deadlines in a unit's subtree up to a day:
// the admission decision, the ceremony, recognition at the end of
// probation and transfers not yet received, each counted in working days
// by the rule in force (at most 500, soonest first by the caller).
func (s *MemberService) FindDue(ctx context.Context, unitID int64, until partyworks.Date) ([]partyworks.DueItem, error) {
	today := partyworks.Today(s.db.Now())
	ms, _, err := s.FindMembers(ctx, partyworks.MemberFilter{At: today, Under: unitID, Limit: 500,
		Statuses: []partyworks.MemberStatus{partyworks.StatusResolved, partyworks.StatusAdmitted, partyworks.StatusProbationary, partyworks.StatusTransferring}})
	if err != nil {
		return nil, err
	}
	var out []partyworks.DueItem
	for _, m := range ms {
		dl, ok := partyworks.NextDeadline(m, s.Calendar)
		if !ok || dl.Due.After(until) {
			continue
		}
		out = append(out, partyworks.DueItem{UnitID: m.UnitID, Kind: "member." + string(dl.Step), Due: dl.Due,
			Title: fmt.Sprintf("%s: %s (%d %s, %s)", m.FullName, dl.Step, dl.Rule.Value, dl.Rule.Unit, dl.Rule.Source),
			Link:  fmt.Sprintf("/members/%d", m.ID)})
	}
	return out, nil
}
