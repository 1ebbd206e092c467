package partyworks_test

import (
	"testing"

	"partyworks"
)

func TestCommitteeFor(t *testing.T) {
	for _, tt := range []struct {
		typ, name string
		level     int
		kind      partyworks.UnitKind
		want      string
	}{
		{"Tỉnh", "Tỉnh Quảng Ninh", 1, partyworks.KindProvince, "Tỉnh ủy Quảng Ninh"},
		{"Thành phố Trung ương", "Thành phố Hà Nội", 1, partyworks.KindCity, "Thành ủy Hà Nội"},
		{"Thành phố", "Thành phố Hạ Long", 2, partyworks.KindProvincialCity, "Thành ủy Hạ Long"},
		{"Thành phố", "Thành Phố Bắc Kạn", 2, partyworks.KindProvincialCity, "Thành ủy Bắc Kạn"},
		{"Huyện", "Huyện Cô Tô", 2, partyworks.KindDistrict, "Huyện ủy Cô Tô"},
		{"Quận", "Quận Ba Đình", 2, partyworks.KindUrbanDistrict, "Quận ủy Ba Đình"},
		{"Thị xã", "Thị xã Quảng Yên", 2, partyworks.KindTown, "Thị ủy Quảng Yên"},
		{"Phường", "Phường Hà Khánh", 3, partyworks.KindWard, "Đảng ủy phường Hà Khánh"},
		{"Xã", "Xã Cái Chiên", 3, partyworks.KindCommune, "Đảng ủy xã Cái Chiên"},
		{"Thị trấn", "Thị trấn Cô Tô", 3, partyworks.KindTownship, "Đảng ủy thị trấn Cô Tô"},
		{"", "Đặc khu Vân Đồn", 2, partyworks.KindSpecialZone, "Đảng ủy đặc khu Vân Đồn"},
		{"", "Tỉnh Tuyên Quang", 1, partyworks.KindProvince, "Tỉnh ủy Tuyên Quang"},
		{"", "Thành phố Huế", 1, partyworks.KindCity, "Thành ủy Huế"},
		{"", "Xã Tân Mỹ", 2, partyworks.KindCommune, "Đảng ủy xã Tân Mỹ"},
	} {
		kind, name, ok := partyworks.CommitteeFor(tt.typ, tt.name, tt.level)
		if !ok || kind != tt.kind || name != tt.want {
			t.Errorf("CommitteeFor(%q, %q, %d) = %q, %q, %v; want %q, %q", tt.typ, tt.name, tt.level, kind, name, ok, tt.kind, tt.want)
		}
	}
	if _, _, ok := partyworks.CommitteeFor("Chi bộ", "Chi bộ 1", 0); ok {
		t.Error("a non-administrative type must not derive a committee")
	}
}
