package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"partyworks"
	"partyworks/sqldb"
)

// The demo at scale: beyond the story's few hundred members with their
// histories, every commune-level committee of a province (Quảng Ninh, about
// 104,000 members) or of the whole country (5.6 million) gets fictional
// grassroots organizations and cells, established on 1 July 2025, and
// members with realistic distributions, loaded through the members import
// (every row validated, as a file from a province would be). They enter
// their cells on 1 July 2025, so statistics before that day show the
// story only.

// Scale is how many members the demo holds.
type Scale string

// The scales.
const (
	ScaleStory    Scale = "story"    // the story only: a few hundred members in Hạ Long
	ScaleProvince Scale = "province" // and about 104,000 in the communes of Quảng Ninh
	ScaleNational Scale = "national" // and about 5.6 million over the whole country
)

// Scales lists the scales, smallest first.
var Scales = []Scale{ScaleStory, ScaleProvince, ScaleNational}

// Options shape a seed.
type Options struct {
	Scale Scale
	// Members overrides the number of bulk members of the scale (for
	// tests); 0 keeps the scale's own.
	Members int
}

// bulkFrom is the day the bulk organizations stand from and their members
// enter them.
var bulkFrom = date("2025-07-01")

// bulkMembers is the number of members a scale adds.
func (o Options) bulkMembers() int {
	if o.Members > 0 {
		return o.Members
	}
	switch o.Scale {
	case ScaleProvince:
		return 104_000
	case ScaleNational:
		return 5_600_000
	}
	return 0
}

// bulkCell is one generated cell: its code and how many members it gets.
type bulkCell struct {
	code     string
	province int // the province's statistical code, for citizen IDs
	hills    bool
	n        int
}

// bulk adds the scale's organizations and members.
func (s *seeder) bulk(ctx context.Context, db *sqldb.DB, o Options) (string, error) {
	total := o.bulkMembers()
	var within []string
	if o.Scale != ScaleNational {
		qn, err := s.units.FindUnitByCode(ctx, provinceCode, bulkFrom)
		if err != nil {
			return "", err
		}
		within = []string{qn.Path}
	}
	var communes []*partyworks.Unit
	for after := ""; ; {
		page, _, err := s.units.FindUnits(ctx, partyworks.UnitFilter{At: bulkFrom, Kinds: communeKinds, Within: within, After: after, Limit: 1000})
		if err != nil {
			return "", err
		}
		communes = append(communes, page...)
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].Code
	}
	if len(communes) == 0 {
		return "", fmt.Errorf("no commune-level committee on %s", partyworks.FormatDate(bulkFrom))
	}
	provinces, err := s.provinceCodes(ctx, communes)
	if err != nil {
		return "", err
	}
	r := rand.New(rand.NewPCG(memberSeed, 7))
	rows, cells := bulkOrgs(r, communes, provinces, total)
	t0 := time.Now()
	if _, err := s.units.ImportUnits(ctx, partyworks.UnitImport{Rows: rows, Effective: bulkFrom, Decision: "100-QĐ/TU"}); err != nil {
		return "", fmt.Errorf("bulk organizations: %w", err)
	}
	unitTime := time.Since(t0)
	table := bulkTable(r, cells, total)
	t1 := time.Now()
	last := time.Now()
	res, err := sqldb.NewMemberService(db).ImportMembers(ctx, partyworks.MemberImport{
		Name: "demo-" + string(o.Scale) + ".csv", Hash: fmt.Sprintf("demo-%s-%d", o.Scale, total), Table: table, Effective: bulkFrom,
		Batch: 50_000,
		Progress: func(done, all int) {
			if time.Since(last) > 10*time.Second {
				last = time.Now()
				fmt.Fprintf(s.out, "demo:   … %d of %d members (%.0f rows/s)\n", done, all, float64(done)/time.Since(t1).Seconds())
			}
		},
	})
	if err != nil {
		return "", fmt.Errorf("bulk members: %w", err)
	}
	if len(res.Errors) > 0 {
		return "", fmt.Errorf("bulk members: %d rows refused, the first: %s", len(res.Errors), res.Errors[0])
	}
	el := time.Since(t1)
	return fmt.Sprintf("%d organizations and cells under %d committees in %v; %d members in %v (%.0f rows/s)",
		len(rows), len(communes), unitTime.Round(time.Millisecond), res.Inserted, el.Round(time.Millisecond), float64(res.Inserted)/el.Seconds()), nil
}

// provinceCodes maps each commune to its province's statistical code.
func (s *seeder) provinceCodes(ctx context.Context, communes []*partyworks.Unit) (map[int64]int, error) {
	byID := map[int64]int{}
	out := map[int64]int{}
	for _, c := range communes {
		ids := strings.Split(strings.Trim(c.Path, "/"), "/")
		pid, _ := strconv.ParseInt(ids[0], 10, 64) // the province heads the path
		code, ok := byID[pid]
		if !ok {
			p, err := s.units.FindUnitByID(ctx, pid, bulkFrom)
			if err != nil {
				return nil, err
			}
			code, _ = strconv.Atoi(p.Code)
			byID[pid] = code
		}
		out[c.ID] = code
	}
	return out, nil
}

// hillProvinces are the provinces (codes after 1 July 2025) of the
// northern mountains and the Central Highlands, where minority groups are
// a large share of members.
var hillProvinces = map[int]bool{4: true, 8: true, 11: true, 12: true, 14: true, 15: true, 19: true, 20: true, 25: true, 66: true, 64: true, 68: true}

// grassrootsKinds name the generated grassroots organizations and their
// cells.
var grassrootsKinds = []struct {
	name  string
	cells []string
}{
	{"Đảng bộ Trường THCS %s", []string{"Chi bộ Tổ Khoa học tự nhiên", "Chi bộ Tổ Khoa học xã hội", "Chi bộ Khối Văn phòng"}},
	{"Đảng bộ Trường Tiểu học %s", []string{"Chi bộ Khối 1–3", "Chi bộ Khối 4–5"}},
	{"Đảng bộ Công an %s", []string{"Chi bộ Đội An ninh", "Chi bộ Đội Cảnh sát", "Chi bộ Đội Tổng hợp"}},
	{"Đảng bộ Quân sự %s", []string{"Chi bộ Dân quân thường trực", "Chi bộ Ban Chỉ huy"}},
	{"Đảng bộ Trạm Y tế %s", []string{"Chi bộ Khám chữa bệnh", "Chi bộ Y tế dự phòng"}},
	{"Đảng bộ Hợp tác xã %s", []string{"Chi bộ Sản xuất", "Chi bộ Dịch vụ", "Chi bộ Văn phòng"}},
}

// bulkOrgs draws each commune's cells (villages or street groups) and
// grassroots organizations with theirs, and shares total members among
// the cells.
func bulkOrgs(r *rand.Rand, communes []*partyworks.Unit, provinces map[int64]int, total int) ([]partyworks.UnitRow, []bulkCell) {
	var rows []partyworks.UnitRow
	var cells []bulkCell
	add := func(code, name string, kind partyworks.UnitKind, parent string) {
		rows = append(rows, partyworks.UnitRow{Line: len(rows) + 2, Code: code, Name: name, Kind: kind, ParentCode: parent})
	}
	for _, c := range communes {
		place := c.Name
		for _, p := range []string{"Đảng ủy xã ", "Đảng ủy phường ", "Đảng ủy đặc khu ", "Đảng ủy thị trấn "} {
			place = strings.TrimPrefix(place, p)
		}
		village := "Thôn"
		if c.Kind == partyworks.KindWard {
			village = "Khu phố"
		}
		prov := provinces[c.ID]
		cell := func(code, name, parent string) {
			add(code, name, partyworks.KindCell, parent)
			cells = append(cells, bulkCell{code: code, province: prov, hills: hillProvinces[prov]})
		}
		for i := range 5 + r.IntN(6) {
			cell(fmt.Sprintf("%s.T%02d", c.Code, i+1), fmt.Sprintf("Chi bộ %s %d", village, i+1), c.Code)
		}
		for _, g := range r.Perm(len(grassrootsKinds))[:1+r.IntN(3)] {
			gk := grassrootsKinds[g]
			gc := fmt.Sprintf("%s.G%d", c.Code, g+1)
			add(gc, fmt.Sprintf(gk.name, place), partyworks.KindGrassroots, c.Code)
			for i, name := range gk.cells {
				cell(fmt.Sprintf("%s.C%d", gc, i+1), name, gc)
			}
		}
	}
	// Cells get members in proportion to a drawn size (0.4–1.6 of the mean).
	w := make([]float64, len(cells))
	sum := 0.0
	for i := range cells {
		w[i] = 0.4 + 1.2*r.Float64()
		sum += w[i]
	}
	left := total
	for i := range cells {
		n := int(float64(total) * w[i] / sum)
		if i == len(cells)-1 || n > left {
			n = left
		}
		cells[i].n = n
		left -= n
	}
	return rows, cells
}

// The distributions of the bulk members (Kinh and Không weighted as in the
// country; minorities heavier in the hills).
var (
	bulkEthnic     = weights("Kinh", 86, "Tày", 3, "Thái", 3, "Mường", 3, "Khmer", 1, "Hoa", 1, "Nùng", 2, "H'Mông", 1)
	bulkEthnicHill = weights("Kinh", 45, "Tày", 15, "Thái", 12, "Mường", 6, "Nùng", 8, "H'Mông", 6, "Dao", 5, "Ê Đê", 2, "Gia Rai", 1)
	bulkReligion   = weights("Không", 92, "Phật giáo", 5, "Công giáo", 2, "Tin lành", 1)
	bulkEducation  = weights("12/12", 85, "9/12", 8, "10/10", 5, "7/10", 2)
	bulkProf       = weights("Đại học", 52, "Trung cấp", 14, "Cao đẳng", 8, "Thạc sĩ", 7, "Tiến sĩ", 1, "Không", 18)
	bulkTheory     = weights("Sơ cấp", 58, "Trung cấp", 27, "Cao cấp", 8, "Cử nhân", 2, "Không", 5)
	bulkOccupation = weights("Cán bộ, công chức", 24, "Viên chức", 22, "Nông dân", 14, "Công nhân", 8, "Lực lượng vũ trang", 10, "Hưu trí", 16, "Kinh doanh", 6)
	bulkFamily     = []string{"Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Vũ", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ", "Ngô", "Hồ", "Dương", "Đinh", "Lý", "Hà", "Lương", "Lò", "Triệu"}
	bulkMiddleM    = []string{"Văn", "Hữu", "Đức", "Minh", "Quang", "Thành", "Xuân", "Công", "Đình", "Ngọc"}
	bulkMiddleF    = []string{"Thị", "Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng", "Kim", "Phương"}
	bulkGivenM     = []string{"An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Khánh", "Long", "Minh", "Nam", "Phong", "Quân", "Sơn", "Thắng", "Trung", "Tuấn", "Việt", "Vinh", "Hiếu"}
	bulkGivenF     = []string{"Anh", "Chi", "Dung", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Ngân", "Nhung", "Phương", "Thảo", "Trang", "Tuyết", "Vân", "Yến", "Hằng", "Quỳnh"}
)

// bulkTable writes the members of the cells as an import file would hold
// them: all official (admitted before the day they enter, so recognized by
// now) but a share of elderly members exempted from activities.
func bulkTable(r *rand.Rand, cells []bulkCell, total int) *partyworks.Table {
	t := &partyworks.Table{
		Header: []string{"citizen_id", "full_name", "sex", "birth_date", "unit_code", "status", "admitted", "ceremony",
			"ethnicity", "religion", "education", "professional", "theory", "occupation"},
		Rows:  make([][]string, 0, total),
		Lines: make([]int, 0, total),
	}
	serial := map[[2]int]int{}
	limit := bulkFrom.AddDate(0, 0, -14)
	for _, c := range cells {
		for range c.n {
			female := r.IntN(100) < 37
			// Ages 20–90, most between 30 and 65.
			age := 20 + r.IntN(25) + r.IntN(25) + r.IntN(21)
			birth := time.Date(bulkFrom.Year()-age, time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
			admitted := birth.AddDate(18+r.IntN(max(1, min(age-18, 30))), r.IntN(12), r.IntN(28))
			if admitted.After(limit) {
				admitted = limit.AddDate(0, 0, -r.IntN(300))
			}
			ceremony := admitted.AddDate(0, 0, 7+r.IntN(21))
			century := (birth.Year()/100 - 19) * 2
			sex, middle, given := "nam", bulkMiddleM, bulkGivenM
			if female {
				sex, middle, given, century = "nữ", bulkMiddleF, bulkGivenF, century+1
			}
			key := [2]int{c.province, birth.Year()*10 + century}
			serial[key]++
			cid := fmt.Sprintf("%03d%d%02d%06d", c.province, century, birth.Year()%100, serial[key])
			status := "official"
			if age >= 75 && r.IntN(3) == 0 {
				status = "exempted"
			}
			ethnic := bulkEthnic
			if c.hills {
				ethnic = bulkEthnicHill
			}
			occ := bulkOccupation.draw(r)
			if age >= 62 {
				occ = "Hưu trí"
			}
			t.Rows = append(t.Rows, []string{cid,
				bulkFamily[r.IntN(len(bulkFamily))] + " " + middle[r.IntN(len(middle))] + " " + given[r.IntN(len(given))],
				sex, birth.Format("02/01/2006"), c.code, status, admitted.Format("02/01/2006"), ceremony.Format("02/01/2006"),
				ethnic.draw(r), bulkReligion.draw(r), bulkEducation.draw(r), bulkProf.draw(r), bulkTheory.draw(r), occ})
			t.Lines = append(t.Lines, len(t.Lines)+2)
		}
	}
	return t
}
