package demo

import (
	"context"
	"fmt"

	"partyworks"
)

// The decisions behind the reorganization of 1 July 2025: the Central
// Committee's resolution for the whole country, and the National Assembly
// Standing Committee's resolution on Quảng Ninh's communes.
const (
	reorgDecision   = "60-NQ/TW"
	quangNinhRuling = "1679/NQ-UBTVQH15"
)

// reorganize applies the real plan of 1 July 2025 to the tree.
func (s *seeder) reorganize(ctx context.Context) (string, error) {
	p, err := s.plan(ctx)
	if err != nil {
		return "", err
	}
	pv, err := s.units.ApplyRestructure(ctx, p)
	if err != nil {
		return "", fmt.Errorf("restructure: %w", err)
	}
	review := 0
	for _, r := range pv.Review {
		if r.From.Code == "06655" {
			review++
		}
	}
	return fmt.Sprintf("%d rows: %d units created, %d merged, %d renamed, %d dissolved, %d split; %d cells of Hà Khẩu reviewed",
		len(p.Rows), len(pv.Created), len(pv.Merged), len(pv.Renamed), len(pv.Dissolved), len(pv.Split), review), nil
}

// plan reads the embedded plan, gives Quảng Ninh's rows their own
// decision, and sends one cell of the split ward Hà Khẩu to Tuần Châu.
func (s *seeder) plan(ctx context.Context) (*partyworks.Plan, error) {
	t, err := readTable(planFile)
	if err != nil {
		return nil, err
	}
	rows, err := partyworks.PlanFromTable(t)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", planFile, err)
	}
	for i := range rows {
		if rows[i].NewParentCode == provinceCode {
			rows[i].Decision = quangNinhRuling
		}
	}
	child, err := s.units.FindUnitByCode(ctx, splitAssignChild, reorgDay.AddDate(0, 0, -1))
	if err != nil {
		return nil, err
	}
	return &partyworks.Plan{Effective: reorgDay, Decision: reorgDecision, Rows: rows,
		Assign: map[int64]string{child.ID: splitAssignParent}}, nil
}
