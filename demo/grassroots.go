package demo

import (
	"context"
	"fmt"

	"partyworks"
)

// org is a fictional grassroots organization or party cell, with the units
// under it. Its code is its parent's code and a suffix.
type org struct {
	suffix   string
	name     string
	kind     partyworks.UnitKind
	from     string // yyyy-mm-dd; "" for the start of the term
	decision string
	kids     []org
}

// site is a commune-level committee and the organizations under it.
type site struct {
	code string // the commune's statistical code
	orgs []org
}

func cell(suffix, name, decision string) org {
	return org{suffix: suffix, name: name, kind: partyworks.KindCell, decision: decision}
}

// sites are four wards of Thành phố Hạ Long. On 1 July 2025 Hồng Gai and Hà
// Khánh merge into neighbours, Bãi Cháy carries on, and Hà Khẩu is split
// between Việt Hưng and Tuần Châu, so that its cells need a person's
// decision (the review list).
var sites = []site{
	{"06691", []org{ // Phường Hồng Gai
		cell("KP1", "Chi bộ khu phố 1", "12-QĐ/ĐU"),
		cell("KP2", "Chi bộ khu phố 2", "12-QĐ/ĐU"),
		{suffix: "KP3", name: "Chi bộ khu phố 3", kind: partyworks.KindCell, from: "2022-05-16", decision: "41-QĐ/ĐU"},
		{suffix: "THPT", name: "Đảng bộ Trường THPT Hòn Gai", kind: partyworks.KindGrassroots, decision: "115-QĐ/TU", kids: []org{
			cell("CB1", "Chi bộ Tổ Toán – Tin học", "07-QĐ/ĐU"),
			cell("CB2", "Chi bộ Tổ Ngữ văn – Lịch sử", "07-QĐ/ĐU"),
			cell("CB3", "Chi bộ Khối Văn phòng", "07-QĐ/ĐU"),
		}},
	}},
	{"06673", []org{ // Phường Bãi Cháy
		cell("KP1", "Chi bộ khu phố 1", "09-QĐ/ĐU"),
		cell("KP2", "Chi bộ khu phố 2", "09-QĐ/ĐU"),
		cell("TH", "Chi bộ Trường Tiểu học Bãi Cháy", "10-QĐ/ĐU"),
		{suffix: "VX", name: "Đảng bộ Công ty Cổ phần Du lịch Vịnh Xanh", kind: partyworks.KindGrassroots, decision: "118-QĐ/TU", kids: []org{
			cell("LH", "Chi bộ Bộ phận Lữ hành", "03-QĐ/ĐU"),
			cell("KS", "Chi bộ Khách sạn Vịnh Xanh", "03-QĐ/ĐU"),
		}},
	}},
	{"06649", []org{ // Phường Hà Khánh
		cell("KP1", "Chi bộ khu phố 1", "15-QĐ/ĐU"),
		cell("KP2", "Chi bộ khu phố 2", "15-QĐ/ĐU"),
		{suffix: "ST", name: "Đảng bộ Xí nghiệp Sàng tuyển than Hà Khánh", kind: partyworks.KindGrassroots, decision: "121-QĐ/TU", kids: []org{
			cell("PX1", "Chi bộ Phân xưởng Sàng 1", "05-QĐ/ĐU"),
			cell("CD", "Chi bộ Phân xưởng Cơ điện", "05-QĐ/ĐU"),
		}},
	}},
	{"06655", []org{ // Phường Hà Khẩu, split on 1 July 2025
		cell("KP1", "Chi bộ khu phố 1", "18-QĐ/ĐU"),
		cell("KP2", "Chi bộ khu phố 2", "18-QĐ/ĐU"),
		cell("KP3", "Chi bộ khu phố 3", "18-QĐ/ĐU"),
		cell("KP4", "Chi bộ khu phố 4", "18-QĐ/ĐU"),
		cell("THCS", "Chi bộ Trường THCS Hà Khẩu", "19-QĐ/ĐU"),
	}},
}

// splitAssign is the one Hà Khẩu cell that goes to Tuần Châu instead of
// the default (Việt Hưng), to show an assignment in the plan.
const (
	splitAssignChild  = "06655.KP4"
	splitAssignParent = "06706" // the new Phường Tuần Châu
)

// grassroots establishes the organizations of every site.
func (s *seeder) grassroots(ctx context.Context) (string, error) {
	n := 0
	for _, st := range sites {
		commune, err := s.units.FindUnitByCode(ctx, st.code, termStart)
		if err != nil {
			return "", err
		}
		for _, o := range st.orgs {
			c, err := s.establishOrg(ctx, commune.ID, st.code, o)
			if err != nil {
				return "", err
			}
			n += c
		}
	}
	return fmt.Sprintf("%d organizations and cells in %d wards", n, len(sites)), nil
}

// establishOrg establishes o and its children; it returns how many.
func (s *seeder) establishOrg(ctx context.Context, parent int64, parentCode string, o org) (int, error) {
	at := termStart
	if o.from != "" {
		at = date(o.from)
	}
	code := parentCode + "." + o.suffix
	id, err := s.establish(ctx, parent, code, o.name, o.kind, at, o.decision)
	if err != nil {
		return 0, err
	}
	n := 1
	for _, k := range o.kids {
		c, err := s.establishOrg(ctx, id, code, k)
		if err != nil {
			return n, err
		}
		n += c
	}
	return n, nil
}
