package sqldb

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"partyworks"
)

// TestImportStatsMatchStatDims: an import's counts per unit are those of
// statDims, member by member, including members counted and then
// uncounted (rows found recorded already) and statuses that count only by
// status.
func TestImportStatsMatchStatDims(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	st := newImportStats()
	want := map[int64]map[[2]string]int64{}
	statuses := []partyworks.MemberStatus{partyworks.StatusOfficial, partyworks.StatusProbationary, partyworks.StatusCandidate, partyworks.StatusExempted, partyworks.StatusDeceased}
	var counted []*partyworks.Member
	for i := range 3000 {
		m := &partyworks.Member{
			Status:       statuses[r.Intn(len(statuses))],
			Sex:          []partyworks.Sex{partyworks.Male, partyworks.Female}[r.Intn(2)],
			Ethnicity:    []string{"Kinh", "Tày", "Dao", ""}[r.Intn(4)],
			Religion:     []string{"Không", "Phật giáo", ""}[r.Intn(3)],
			Education:    []string{"12/12", "9/12"}[r.Intn(2)],
			Professional: []string{"Đại học", "Thạc sĩ", ""}[r.Intn(3)],
			Theory:       []string{"Trung cấp", "Cao cấp", "Sơ cấp"}[r.Intn(3)],
			BirthDate:    time.Date(1930+r.Intn(80), time.Month(1+r.Intn(12)), 1+r.Intn(28), 0, 0, 0, 0, time.UTC),
		}
		if r.Intn(4) > 0 {
			m.Admitted = m.BirthDate.AddDate(18+r.Intn(20), r.Intn(12), 0)
		}
		unit := int64(1 + r.Intn(7))
		n := int64(1)
		if i%5 == 4 && len(counted) > 0 { // uncount one counted before
			m, n = counted[r.Intn(len(counted))], -1
			unit = m.UnitID
		} else {
			m.UnitID = unit
			counted = append(counted, m)
		}
		st.count(unit, m, n)
		if want[unit] == nil {
			want[unit] = map[[2]string]int64{}
		}
		for _, dv := range statDims(m) {
			want[unit][dv] += n
		}
	}
	for unit, w := range want {
		got := map[[2]string]int64{}
		for p, n := range st.units[unit] {
			if n != 0 {
				got[st.pairs[p]] = n
			}
		}
		for dv, n := range w {
			if n == 0 {
				delete(w, dv)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("unit %d:\n import %v\n statDims %v", unit, got, w)
		}
	}
}

// TestSortKeysMatchSortKey: the import's cached keys are SortKey's.
func TestSortKeysMatchSortKey(t *testing.T) {
	k := newSortKeys()
	for _, name := range []string{"Nguyễn Văn An", "An", "Trần Thị Phương Anh", "Lê Hữu Cường", "Nguyễn Văn Ân", "Nguyễn Văn An", "Đặng Thị Ánh Nguyệt", "ĐỖ văn  BÌNH", ""} {
		if got, want := k.key(name), SortKey(name); got != want {
			t.Errorf("%q: %s, SortKey %s", name, got, want)
		}
	}
}
