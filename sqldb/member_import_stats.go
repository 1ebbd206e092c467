package sqldb

import (
	"cmp"
	"slices"
	"strings"

	"partyworks"
)

// importStats sums an import batch's members per unit and per (dimension,
// value), the values numbered as they first appear: a row costs one map
// lookup by unit id, one small map lookup per text value and a few slice
// increments, where the string-keyed deltas cost nine updates of a map
// keyed by (unit, dimension, value, day). Every row of an import has the
// same day. The counts are then spread up the tree once per batch
// (flush). count must agree with statDims: TestImportStatsMatchStatDims.
type importStats struct {
	text  [numTextDims]map[string]int32 // value → pair, per text dimension
	years [2]map[int]int32              // birth, admitted: year → pair
	pairs [][2]string                   // pair → (dimension, value)
	units map[int64][]int64             // unit → count per pair
}

// The text dimensions of statDims, in its order.
const (
	dimStatus = iota
	dimSex
	dimEthnicity
	dimReligion
	dimEducation
	dimProfessional
	dimTheory
	numTextDims
)

var textDimNames = [numTextDims]string{"status", "sex", "ethnicity", "religion", "education", "professional", "theory"}

func newImportStats() *importStats {
	st := &importStats{units: map[int64][]int64{}}
	for i := range st.text {
		st.text[i] = map[string]int32{}
	}
	for i := range st.years {
		st.years[i] = map[int]int32{}
	}
	return st
}

// textPair numbers (dimension, val).
func (st *importStats) textPair(dim int, val string) int32 {
	p, ok := st.text[dim][val]
	if !ok {
		p = int32(len(st.pairs))
		st.pairs = append(st.pairs, [2]string{textDimNames[dim], val})
		st.text[dim][val] = p
	}
	return p
}

// yearPair numbers the year of d in dimension birth (k = 0) or admitted
// (k = 1), written as statDims writes it.
func (st *importStats) yearPair(k int, d partyworks.Date) int32 {
	p, ok := st.years[k][d.Year()]
	if !ok {
		p = int32(len(st.pairs))
		st.pairs = append(st.pairs, [2]string{[2]string{"birth", "admitted"}[k], yearText(d)})
		st.years[k][d.Year()] = p
	}
	return p
}

// count adds n (+1, or −1 for a row that turned out to be recorded
// already) for m at unit: the dimensions of statDims.
func (st *importStats) count(unit int64, m *partyworks.Member, n int64) {
	v := st.units[unit]
	bump := func(p int32) {
		if int(p) >= len(v) {
			v = append(v, make([]int64, int(p)+1-len(v))...)
		}
		v[p] += n
	}
	bump(st.textPair(dimStatus, string(m.Status)))
	if m.Status.Counted() {
		bump(st.textPair(dimSex, string(m.Sex)))
		bump(st.textPair(dimEthnicity, m.Ethnicity))
		bump(st.textPair(dimReligion, m.Religion))
		bump(st.textPair(dimEducation, m.Education))
		bump(st.textPair(dimProfessional, m.Professional))
		bump(st.textPair(dimTheory, m.Theory))
		bump(st.yearPair(0, m.BirthDate))
		if !m.Admitted.IsZero() {
			bump(st.yearPair(1, m.Admitted))
		}
	}
	st.units[unit] = v
}

// flush spreads the counts, as of day, to every unit that keeps rows
// among each unit and its ancestors over each stretch of the tree, and
// writes them in the order statBuf.flush writes (unit, dimension, value,
// day), so that concurrent writers on PostgreSQL lock rows alike.
func (st *importStats) flush(tx *Tx, day string) error {
	if len(st.units) == 0 {
		return nil
	}
	b := newStatBuf()
	ids := make([]int64, 0, len(st.units))
	for u, v := range st.units {
		if slices.ContainsFunc(v, func(n int64) bool { return n != 0 }) {
			ids = append(ids, u) // (all zero: every row of the unit was recorded already)
		}
	}
	if err := b.loadSegments(tx, ids); err != nil {
		return err
	}
	var all []int64 // the units and their ancestors
	for _, u := range ids {
		for _, s := range b.segs[u] {
			all = append(all, s.ids...)
		}
	}
	slices.Sort(all)
	if err := b.loadKinds(tx, slices.Compact(all)); err != nil {
		return err
	}
	type at struct {
		unit int64
		day  string
	}
	sums := map[at][]int64{}
	add := func(k at, v []int64, sign int64) {
		s := sums[k]
		if len(s) < len(st.pairs) {
			s = append(s, make([]int64, len(st.pairs)-len(s))...)
		}
		for p, n := range v {
			s[p] += sign * n
		}
		sums[k] = s
	}
	for _, u := range ids {
		spans, err := b.spans(tx, u, day)
		if err != nil {
			return err
		}
		v := st.units[u]
		for id, sp := range spans {
			for _, s := range sp {
				add(at{id, s.from}, v, 1)
				if s.to != "9999-12-31" {
					add(at{id, s.to}, v, -1)
				}
			}
		}
	}
	keys := make([]at, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, c at) int {
		if d := cmp.Compare(a.unit, c.unit); d != 0 {
			return d
		}
		return strings.Compare(a.day, c.day)
	})
	order := make([]int, len(st.pairs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, c int) int {
		if d := strings.Compare(st.pairs[a][0], st.pairs[c][0]); d != 0 {
			return d
		}
		return strings.Compare(st.pairs[a][1], st.pairs[c][1])
	})
	var rows []statRow
	for i := 0; i < len(keys); {
		j := i // keys[i:j]: one unit's days, in order
		for j < len(keys) && keys[j].unit == keys[i].unit {
			j++
		}
		for _, p := range order {
			for _, k := range keys[i:j] {
				if n := sums[k][p]; n != 0 {
					rows = append(rows, statRow{statKey{k.unit, st.pairs[p][0], st.pairs[p][1], k.day}, n})
				}
			}
		}
		i = j
	}
	return writeStats(tx, rows)
}

// loadSegments reads the segments of the units not yet known, a few
// hundred units a query.
func (b *statBuf) loadSegments(tx *Tx, ids []int64) error {
	var missing []any
	for _, id := range ids {
		if _, ok := b.segs[id]; !ok {
			missing = append(missing, id)
		}
	}
	return queryIn(tx.Query, `SELECT unit_id, path, valid_from, valid_to FROM unit_versions WHERE unit_id IN ({ids}) ORDER BY unit_id, valid_from`,
		missing, nil, func(sc scanner) error {
			var s segment
			var id int64
			var path string
			if err := sc.Scan(&id, &path, &s.from, &s.to); err != nil {
				return err
			}
			s.ids = pathIDs(path)
			b.segs[id] = append(b.segs[id], s)
			return nil
		})
}
