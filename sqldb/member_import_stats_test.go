package sqldb

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

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

// TestNameKeyOrder: nameKey orders name parts as the collation's whole key
// does but for case (its tertiary level), and keyPart finds where each
// part of a sort key ends.
func TestNameKeyOrder(t *testing.T) {
	c := collate.New(language.Vietnamese)
	var buf collate.Buffer
	parts := []string{"", "An", "an", "AN", "Ân", "Ấn", "Ăn", "Anh", "Ánh", "Ảnh", "Ạnh", "Đặng", "Dang", "Ðặng", "đặng", "Nguyễn", "Nguyên", "Nguyen",
		"Thị", "Thi", "Thì", "Thỉ", "Thĩ", "Thí", "O'Neil", "Ma Lý", "ß", "Æ", "漢", "𝔄", "Ư", "Ừ", "ư", "Ơ", "ờ", "Y", "Ý", "Zô"}
	secondary := func(s string) []byte { // the collation's key without its tertiary level
		k := c.KeyFromString(&buf, s)
		defer buf.Reset()
		seps := 0
		for i := 0; i+1 < len(k); {
			if k[i] == 0 && k[i+1] == 0 {
				if seps++; seps == 2 {
					return slices.Clone(k[:i])
				}
				i += 2
				continue
			}
			if seps == 0 && k[i] >= 0x80 {
				i += 3
			} else {
				i += 2
			}
		}
		return slices.Clone(k)
	}
	// weights reads a key's primary bytes and its secondary weights: of
	// the collation's key (two bytes a weight) or of nameKey's.
	weights := func(k []byte, short bool) (prim []byte, sec []int) {
		i := 0
		for i+1 < len(k) && (k[i] != 0 || k[i+1] != 0) {
			n := 2
			if k[i] >= 0x80 {
				n = 3
			}
			prim = append(prim, k[i:min(i+n, len(k))]...)
			i += n
		}
		for i += 2; i < len(k); {
			switch {
			case short && k[i] == 0, !short && i+1 < len(k) && k[i] == 0 && k[i+1] == 0:
				return prim, sec
			case short && k[i] == 0xff:
				sec, i = append(sec, int(k[i+1])<<8|int(k[i+2])), i+3
			case short:
				sec, i = append(sec, int(k[i])), i+1
			default:
				sec, i = append(sec, int(k[i])<<8|int(k[i+1])), i+2
			}
		}
		return prim, sec
	}
	for _, a := range parts {
		raw := c.KeyFromString(&buf, a)
		wantP, wantS := weights(raw, false)
		buf.Reset()
		if p, sec := weights(nameKey(nil, c, &buf, a), true); !bytes.Equal(p, wantP) || !slices.Equal(sec, wantS) {
			t.Errorf("%q: nameKey holds %x %x, the collation %x %x", a, p, sec, wantP, wantS)
		}
		for _, b := range parts {
			ka, kb := nameKey(nil, c, &buf, a), nameKey(nil, c, &buf, b)
			if got, want := bytes.Compare(ka, kb), bytes.Compare(secondary(a), secondary(b)); got != want {
				t.Errorf("%q against %q: %d, the collation says %d (%x, %x)", a, b, got, want, ka, kb)
			}
		}
		if a == "" || strings.Contains(a, " ") {
			continue // one word: SortKey's three parts are then a's
		}
		key := SortKey(a + " " + a + " " + a)
		for i, end := 0, 0; i < 3; i++ {
			end = keyPart(key, end)
			if want := len(hex.EncodeToString(nameKey(nil, c, &buf, a))) * (i + 1); end != want+2*i {
				t.Errorf("%q: part %d ends at %d of %q, want %d", a, i, end, key, want+2*i)
			}
			end += 2 // the 01 between parts
		}
	}
}
