package demo

import (
	"context"
	"fmt"

	"partyworks"
	"partyworks/sheet"
)

// The days of the story.
var (
	// termStart is the start of the 2020–2025 term: the provincial
	// congresses closed in October 2020, so the tree stands from then.
	termStart = date("2020-10-01")
	// mergeDay is when the Propaganda and Mass Mobilization departments
	// became one (Resolution 18-NQ/TW on streamlining, carried out
	// province by province early in 2025).
	mergeDay = date("2025-03-01")
	// reorgDay is when the district level ended (60-NQ/TW).
	reorgDay = date("2025-07-01")
)

// provinceCode is Quảng Ninh's statistical code.
const provinceCode = "22"

// importTree imports the national admin-unit tree of March 2025 as it
// stood at the start of the term.
func (s *seeder) importTree(ctx context.Context) (string, error) {
	t, err := readTable(unitsFile)
	if err != nil {
		return "", err
	}
	rows, err := partyworks.UnitRowsFromTable(t)
	if err != nil {
		return "", fmt.Errorf("%s: %w", unitsFile, err)
	}
	res, err := s.units.ImportUnits(ctx, partyworks.UnitImport{Rows: rows, Effective: termStart})
	if err != nil {
		return "", fmt.Errorf("import: %w", err)
	}
	return fmt.Sprintf("%d units from %s, standing from %s", res.Created, unitsFile, partyworks.FormatDateVN(termStart)), nil
}

// readTable reads one of the embedded spreadsheets.
func readTable(name string) (*partyworks.Table, error) {
	f, err := data.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return sheet.Read(f, name)
}

// department is an advisory body of the provincial committee.
type department struct{ code, name, decision string }

// departments are the advisory bodies of Tỉnh ủy Quảng Ninh in the
// 2020–2025 term.
var departments = []department{
	{"22.BTC", "Ban Tổ chức Tỉnh ủy", "01-QĐ/TU"},
	{"22.BTG", "Ban Tuyên giáo Tỉnh ủy", "02-QĐ/TU"},
	{"22.BNC", "Ban Nội chính Tỉnh ủy", "03-QĐ/TU"},
	{"22.BDV", "Ban Dân vận Tỉnh ủy", "04-QĐ/TU"},
	{"22.VP", "Văn phòng Tỉnh ủy", "05-QĐ/TU"},
	{"22.UBKT", "Ủy ban Kiểm tra Tỉnh ủy", "06-QĐ/TU"},
}

// merged is the department made of Propaganda and Mass Mobilization.
var merged = department{"22.BTGDV", "Ban Tuyên giáo và Dân vận Tỉnh ủy", "2286-QĐ/TU"}

// departments establishes the advisory bodies and, in March 2025, merges
// Propaganda and Mass Mobilization into one.
func (s *seeder) departments(ctx context.Context) (string, error) {
	qn, err := s.units.FindUnitByCode(ctx, provinceCode, termStart)
	if err != nil {
		return "", err
	}
	ids := map[string]int64{}
	for _, d := range departments {
		id, err := s.establish(ctx, qn.ID, d.code, d.name, partyworks.KindDepartment, termStart, d.decision)
		if err != nil {
			return "", err
		}
		ids[d.code] = id
	}
	_, err = s.units.ApplyUnitChange(ctx, partyworks.UnitChange{
		Type: partyworks.EventMerge, Effective: mergeDay, Decision: merged.decision,
		Parent: qn.ID, Code: merged.code, Name: merged.name, Kind: partyworks.KindDepartment,
		Sources: []int64{ids["22.BTG"], ids["22.BDV"]},
		Note:    "hợp nhất Ban Tuyên giáo và Ban Dân vận Tỉnh ủy",
	})
	if err != nil {
		return "", fmt.Errorf("merge %s: %w", merged.name, err)
	}
	return fmt.Sprintf("%d departments from %s; %s from %s", len(departments),
		partyworks.FormatDateVN(termStart), merged.name, partyworks.FormatDateVN(mergeDay)), nil
}

// establish records the founding of one unit and returns its id.
func (s *seeder) establish(ctx context.Context, parent int64, code, name string, kind partyworks.UnitKind, at partyworks.Date, decision string) (int64, error) {
	ev, err := s.units.ApplyUnitChange(ctx, partyworks.UnitChange{
		Type: partyworks.EventEstablish, Effective: at, Decision: decision,
		Parent: parent, Code: code, Name: name, Kind: kind,
	})
	if err != nil {
		return 0, fmt.Errorf("establish %s %s: %w", code, name, err)
	}
	return ev.Targets[0].ID, nil
}
