package partyworks

import "strings"

// adminPrefixes maps the administrative type that starts a unit's name to
// the kind of its party committee and the words that name the committee.
// Longer prefixes come first so that "Thành phố" wins over shorter ones.
var adminPrefixes = []struct {
	prefix    string
	kind      UnitKind
	committee string
}{
	{"Thành phố Trung ương", KindCity, "Thành ủy"},
	{"Thị trấn", KindTownship, "Đảng ủy thị trấn"},
	{"Thị xã", KindTown, "Thị ủy"},
	{"Đặc khu", KindSpecialZone, "Đảng ủy đặc khu"},
	{"Phường", KindWard, "Đảng ủy phường"},
	{"Huyện", KindDistrict, "Huyện ủy"},
	{"Quận", KindUrbanDistrict, "Quận ủy"},
	{"Tỉnh", KindProvince, "Tỉnh ủy"},
	{"Xã", KindCommune, "Đảng ủy xã"},
}

// CommitteeFor derives the party committee of an administrative unit: its
// kind and its name. adminType is the type column of the national list
// ("Tỉnh", "Thành phố Trung ương", "Huyện", "Phường", …) or "" to read the
// type from the start of the name; level (1 province, 2 district, 3
// commune, 0 unknown) tells a city under the centre from a city under a
// province. ok is false when the type is not an administrative one.
//
//	CommitteeFor("Tỉnh", "Tỉnh Quảng Ninh", 1)                 = province, "Tỉnh ủy Quảng Ninh"
//	CommitteeFor("Thành phố Trung ương", "Thành phố Hà Nội", 1) = city, "Thành ủy Hà Nội"
//	CommitteeFor("Thành phố", "Thành phố Hạ Long", 2)           = provincial_city, "Thành ủy Hạ Long"
//	CommitteeFor("Phường", "Phường Hà Khánh", 3)                = ward, "Đảng ủy phường Hà Khánh"
func CommitteeFor(adminType, name string, level int) (UnitKind, string, bool) {
	name = strings.TrimSpace(name)
	adminType = strings.TrimSpace(adminType)
	if adminType == "" || adminType == "Thành phố" {
		if pre := "Thành phố "; len(name) > len(pre) && strings.EqualFold(name[:len(pre)], pre) {
			base := strings.TrimSpace(name[len(pre):])
			if level == 1 {
				return KindCity, "Thành ủy " + base, true
			}
			return KindProvincialCity, "Thành ủy " + base, true
		}
	}
	for _, p := range adminPrefixes {
		if adminType != "" && !strings.EqualFold(adminType, p.prefix) {
			continue
		}
		base := name
		// The name repeats the type: "Tỉnh Quảng Ninh". Strip it, whatever
		// the case of its first letter, and keep the proper name.
		for _, pre := range []string{p.prefix, "Thành phố"} {
			if len(base) > len(pre) && strings.EqualFold(base[:len(pre)], pre) {
				base = strings.TrimSpace(base[len(pre):])
				break
			}
		}
		if adminType == "" && base == name {
			continue
		}
		return p.kind, p.committee + " " + base, true
	}
	return "", "", false
}

// KindFromName guesses the kind of a committee from its name, for rows that
// give no type ("Đảng ủy phường Ba Đình" → ward). It returns "" if unsure.
func KindFromName(name string) UnitKind {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, c := range []struct {
		prefix string
		kind   UnitKind
	}{
		{"đảng ủy thị trấn", KindTownship}, {"đảng ủy đặc khu", KindSpecialZone},
		{"đảng ủy phường", KindWard}, {"đảng ủy xã", KindCommune},
		{"tỉnh ủy", KindProvince}, {"huyện ủy", KindDistrict}, {"quận ủy", KindUrbanDistrict},
		{"thị ủy", KindTown}, {"chi bộ", KindCell}, {"tổ đảng", KindGroup},
		{"đảng bộ", KindGrassroots}, {"ban ", KindDepartment}, {"văn phòng", KindDepartment},
		{"ủy ban kiểm tra", KindDepartment},
	} {
		if strings.HasPrefix(n, c.prefix) {
			return c.kind
		}
	}
	return ""
}
