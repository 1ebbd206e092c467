package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"partyworks"
)

// Member statistics are kept as dated deltas per unit and every ancestor
// (member_stats): a member entering or leaving a category adds +1 or −1
// on the day to their unit and to each unit above it *as the tree stands
// from that day on*. A subtree's figure on day D is then one index range
// on its root's rows (SUM(n) WHERE unit_id = root AND day <= D), whatever
// the size of the subtree. When a unit moves (DB.OnMove), its subtree's
// rows move from the old ancestors to the new ones.
//
// Cells and party groups keep no rows: they are most of the units and
// hold a few dozen members each, so their rows were most of the table
// (and of an import's time) while counting their members directly takes
// well under a millisecond (directStats). Birth and admission are kept by
// year, not month: ages and party ages are counted in years reached in
// the day's year, as the statistical reports count them, and a unit's
// histogram has some 60 values instead of 700.

// statDims are the dimensions counted for counted members; "status" is
// counted for everyone.
func statDims(m *partyworks.Member) [][2]string {
	var buf [9][2]string
	return statDimsInto(buf[:0], m)
}

// statDimsInto appends m's dimensions to dims (a caller counting many
// members reuses one buffer).
func statDimsInto(dims [][2]string, m *partyworks.Member) [][2]string {
	dims = append(dims, [2]string{"status", string(m.Status)})
	if !m.Status.Counted() {
		return dims
	}
	dims = append(dims,
		[2]string{"sex", string(m.Sex)},
		[2]string{"ethnicity", m.Ethnicity},
		[2]string{"religion", m.Religion},
		[2]string{"education", m.Education},
		[2]string{"professional", m.Professional},
		[2]string{"theory", m.Theory},
		[2]string{"birth", yearText(m.BirthDate)},
	)
	if !m.Admitted.IsZero() {
		dims = append(dims, [2]string{"admitted", yearText(m.Admitted)})
	}
	return dims
}

// years holds the text of the years a record can carry, made once.
var years = func() (ys [300]string) {
	for i := range ys {
		ys[i] = strconv.Itoa(1900 + i)
	}
	return ys
}()

// yearText is d's year as text ("1975"), as d.Format("2006") writes it.
func yearText(d partyworks.Date) string {
	if y := d.Year(); y >= 1900 && y < 1900+len(years) {
		return years[y-1900]
	}
	return d.Format("2006")
}

type statKey struct {
	unit     int64
	dim, val string
	day      string
}

// directKind reports whether a unit of kind k keeps no statistics rows and
// is counted from its members instead.
func directKind(k partyworks.UnitKind) bool {
	return k == partyworks.KindCell || k == partyworks.KindGroup
}

// direct reports whether unit id is counted directly (its latest
// version's kind: a unit does not change between cell and committee).
func (b *statBuf) direct(tx *Tx, id int64) (bool, error) {
	if d, ok := b.kinds[id]; ok {
		return d, nil
	}
	var k partyworks.UnitKind
	err := tx.QueryRow(`SELECT kind FROM unit_versions WHERE unit_id = ? ORDER BY valid_from DESC LIMIT 1`, id).Scan(&k)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	b.kinds[id] = directKind(k)
	return b.kinds[id], nil
}

// loadKinds reads, in one query, whether each of ids not yet known is
// counted directly: the ancestors of a member's unit, at each change.
func (b *statBuf) loadKinds(tx *Tx, ids []int64) error {
	var missing []any
	for _, id := range ids {
		if _, ok := b.kinds[id]; !ok {
			missing = append(missing, id)
		}
	}
	return queryIn(tx.Query, `SELECT unit_id, kind FROM unit_versions WHERE unit_id IN ({ids}) ORDER BY valid_from`, missing, nil, func(s scanner) error {
		var id int64
		var k partyworks.UnitKind
		err := s.Scan(&id, &k)
		b.kinds[id] = directKind(k) // the latest version's kind wins
		return err
	})
}

// segment is a stretch of days over which a unit had the same ancestors.
type segment struct {
	ids      []int64 // the unit and its ancestors
	from, to string  // [from, to)
}

// statBuf gathers deltas in memory and writes them once.
type statBuf struct {
	d     map[statKey]int64
	segs  map[int64][]segment // unit → its segments (cached for a bulk load)
	kinds map[int64]bool      // unit → counted directly (see direct)
	// spanCache holds spans per (unit, day): a bulk load spreads many
	// (dim, val) of one unit and day.
	spanCache map[statKey]map[int64][]stretch
}

func newStatBuf() *statBuf {
	return &statBuf{d: map[statKey]int64{}, segs: map[int64][]segment{}, kinds: map[int64]bool{},
		spanCache: map[statKey]map[int64][]stretch{}}
}

// segments returns the unit's ancestor chains from day on.
func (b *statBuf) segments(tx *Tx, unit int64, day string) ([]segment, error) {
	all, ok := b.segs[unit]
	if !ok {
		rows, err := tx.Query(`SELECT path, valid_from, valid_to FROM unit_versions WHERE unit_id = ? ORDER BY valid_from`, unit)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var s segment
			var path string
			if err := rows.Scan(&path, &s.from, &s.to); err != nil {
				rows.Close()
				return nil, err
			}
			s.ids = pathIDs(path)
			all = append(all, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		b.segs[unit] = all
	}
	var out []segment
	for _, s := range all {
		if s.to <= day {
			continue
		}
		if s.from < day {
			s.from = day
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, partyworks.Errorf(partyworks.EINVALID, "unit %d does not stand on %s", unit, day)
	}
	return out, nil
}

// stretch is a stretch of days [from, to).
type stretch struct{ from, to string }

// spans returns, per unit that keeps statistics rows among unit and its
// ancestors, the stretches from day on where it is at or above unit
// (adjacent stretches merged); cached per (unit, day) for a bulk load.
func (b *statBuf) spans(tx *Tx, unit int64, day string) (map[int64][]stretch, error) {
	key := statKey{unit: unit, day: day}
	if sp, ok := b.spanCache[key]; ok {
		return sp, nil
	}
	segs, err := b.segments(tx, unit, day)
	if err != nil {
		return nil, err
	}
	for _, s := range segs {
		if err := b.loadKinds(tx, s.ids); err != nil {
			return nil, err
		}
	}
	spans := map[int64][]stretch{}
	for _, s := range segs {
		for _, id := range s.ids {
			if d, err := b.direct(tx, id); err != nil {
				return nil, err
			} else if d {
				continue
			}
			sp := spans[id]
			if k := len(sp); k > 0 && sp[k-1].to == s.from {
				sp[k-1].to = s.to
			} else {
				sp = append(sp, stretch{s.from, s.to})
			}
			spans[id] = sp
		}
	}
	b.spanCache[key] = spans
	return spans, nil
}

// add records n for (dim, val) at unit from day on, for the unit and every
// ancestor over each segment of the tree: +n at the start of each stretch
// where the ancestor is above the unit, −n at its end.
func (b *statBuf) add(tx *Tx, unit int64, day string, dims [][2]string, n int64) error {
	spans, err := b.spans(tx, unit, day)
	if err != nil {
		return err
	}
	b.addSpans(spans, "9999-12-31", dims, n)
	return nil
}

// addSpans records n for each of dims over spans, cut at to.
func (b *statBuf) addSpans(spans map[int64][]stretch, to string, dims [][2]string, n int64) {
	for id, sp := range spans {
		for _, st := range sp {
			end := min(st.to, to)
			if st.from >= end {
				continue
			}
			for _, dv := range dims {
				b.d[statKey{id, dv[0], dv[1], st.from}] += n
				if end != "9999-12-31" {
					b.d[statKey{id, dv[0], dv[1], end}] -= n
				}
			}
		}
	}
}

// member counts (n = +1) or uncounts (−1) a member at a unit from day on.
// (An import counts its rows with importStats instead.)
func (b *statBuf) member(tx *Tx, m *partyworks.Member, unit int64, day string, n int64) error {
	return b.add(tx, unit, day, statDims(m), n)
}

// correct moves a member's figures from her old attributes (old) to her
// new ones (m) from day on: in each period of her placement that reaches
// past day (her current one and any of the history that a change recorded
// ahead of its date has closed later than day), each with its own unit and
// status. A member whose current placement starts after day is counted
// elsewhere until then, so moving "her unit from day" would be wrong.
func (b *statBuf) correct(tx *Tx, old, m *partyworks.Member, day string) error {
	type period struct {
		unit     int64
		status   partyworks.MemberStatus
		from, to string
	}
	rows, err := tx.Query(`SELECT unit_id, status, valid_from, valid_to FROM member_history WHERE member_id = ? AND valid_to > ?`, old.ID, day)
	if err != nil {
		return err
	}
	ps, err := collect(rows, func(s scanner) (period, error) {
		var p period
		return p, s.Scan(&p.unit, &p.status, &p.from, &p.to)
	})
	if err != nil {
		return err
	}
	ps = append(ps, period{old.UnitID, old.Status, fmtDate(old.Since), "9999-12-31"})
	for _, p := range ps {
		from := max(p.from, day)
		if from >= p.to {
			continue
		}
		was, now := *old, *m
		was.Status, now.Status = p.status, p.status
		if err := b.addUntil(tx, p.unit, from, p.to, statDims(&was), -1); err != nil {
			return err
		}
		if err := b.addUntil(tx, p.unit, from, p.to, statDims(&now), 1); err != nil {
			return err
		}
	}
	return nil
}

// addUntil is add for the days [from, to) alone. A unit that does not
// stand on from (a member left in an ended unit) has no figures to move.
func (b *statBuf) addUntil(tx *Tx, unit int64, from, to string, dims [][2]string, n int64) error {
	spans, err := b.spans(tx, unit, from)
	if partyworks.ErrorCode(err) == partyworks.EINVALID {
		return nil
	} else if err != nil {
		return err
	}
	b.addSpans(spans, to, dims, n)
	return nil
}

// flush writes the deltas (in a stable order, so that concurrent writers
// on PostgreSQL lock rows in the same order).
func (b *statBuf) flush(tx *Tx) error {
	keys := make([]statKey, 0, len(b.d))
	for k, n := range b.d {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, c := keys[i], keys[j]
		if a.unit != c.unit {
			return a.unit < c.unit
		}
		if a.dim != c.dim {
			return a.dim < c.dim
		}
		if a.val != c.val {
			return a.val < c.val
		}
		return a.day < c.day
	})
	rows := make([]statRow, len(keys))
	for i, k := range keys {
		rows[i] = statRow{k, b.d[k]}
	}
	b.d = map[statKey]int64{}
	return writeStats(tx, rows)
}

// statRow is one delta to add to member_stats.
type statRow struct {
	statKey
	n int64
}

// statChunk is how many deltas one upsert statement carries: one
// statement per delta made the statements' overhead half the cost of a
// bulk import's statistics.
const statChunk = 200

// writeStats upserts rows, statChunk a statement (the keys must be
// distinct, as PostgreSQL's ON CONFLICT DO UPDATE requires).
func writeStats(tx *Tx, rows []statRow) error {
	if len(rows) == 0 {
		return nil
	}
	prepared := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range prepared {
			st.Close()
		}
	}()
	args := make([]any, 0, 5*statChunk)
	for start := 0; start < len(rows); start += statChunk {
		chunk := rows[start:min(start+statChunk, len(rows))]
		st, ok := prepared[len(chunk)]
		if !ok {
			var q strings.Builder
			q.WriteString(`INSERT INTO member_stats (unit_id, dim, val, day, n) VALUES `)
			for i := range chunk {
				if i > 0 {
					q.WriteString(", ")
				}
				q.WriteString("(?, ?, ?, ?, ?)")
			}
			q.WriteString(` ON CONFLICT (unit_id, dim, val, day) DO UPDATE SET n = member_stats.n + excluded.n`)
			var err error
			if st, err = tx.Prepare(q.String()); err != nil {
				return err
			}
			prepared[len(chunk)] = st
		}
		args = args[:0]
		for _, r := range chunk {
			args = append(args, r.unit, r.dim, r.val, r.day, r.n)
		}
		if _, err := st.ExecContext(tx.ctx, args...); err != nil {
			return fmt.Errorf("member stats: %w", err)
		}
	}
	return nil
}

// moveStats moves a moved unit's subtree totals from the ancestors it
// left to those it joined: its totals up to the day, on the day, and each
// later delta on its own day.
func moveStats(tx *Tx, mv Move) error {
	oldIDs, newIDs := pathIDs(mv.OldPath), pathIDs(mv.NewPath)
	in := func(ids []int64, id int64) bool {
		for _, x := range ids {
			if x == id {
				return true
			}
		}
		return false
	}
	var left, joined []int64
	for _, id := range oldIDs {
		if id != mv.Unit && !in(newIDs, id) {
			left = append(left, id)
		}
	}
	for _, id := range newIDs {
		if id != mv.Unit && !in(oldIDs, id) {
			joined = append(joined, id)
		}
	}
	b := newStatBuf()
	keep := func(ids []int64) ([]int64, error) {
		var out []int64
		for _, id := range ids {
			if d, err := b.direct(tx, id); err != nil {
				return nil, err
			} else if !d {
				out = append(out, id)
			}
		}
		return out, nil
	}
	var err error
	if left, err = keep(left); err != nil {
		return err
	}
	if joined, err = keep(joined); err != nil {
		return err
	}
	if len(left) == 0 && len(joined) == 0 {
		return nil
	}
	if d, err := b.direct(tx, mv.Unit); err != nil {
		return err
	} else if d {
		return moveDirect(tx, b, mv, left, joined)
	}
	rows, err := tx.Query(`SELECT dim, val, d, SUM(n) FROM (SELECT dim, val, CASE WHEN day < ? THEN ? ELSE day END AS d, n
		FROM member_stats WHERE unit_id = ?) x GROUP BY dim, val, d`, mv.Day, mv.Day, mv.Unit)
	if err != nil {
		return fmt.Errorf("move stats: %w", err)
	}
	for rows.Next() {
		var dim, val, day string
		var n int64
		if err := rows.Scan(&dim, &val, &day, &n); err != nil {
			rows.Close()
			return err
		}
		for _, id := range left {
			b.d[statKey{id, dim, val, day}] -= n
		}
		for _, id := range joined {
			b.d[statKey{id, dim, val, day}] += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return b.flush(tx)
}

// moveDirect moves a cell's (or group's) figures, which have no rows of
// their own, from the ancestors it left to those it joined: every period
// a member spent in its subtree from the day on, counted from the records.
func moveDirect(tx *Tx, b *statBuf, mv Move, left, joined []int64) error {
	var units []int64
	for _, p := range []string{mv.OldPath, mv.NewPath} {
		lo, hi := subtreeRange(p)
		rows, err := tx.Query(`SELECT DISTINCT unit_id FROM unit_versions WHERE path >= ? AND path < ?`, lo, hi)
		if err != nil {
			return err
		}
		ids, err := collect(rows, scanID)
		if err != nil {
			return err
		}
		units = append(units, ids...)
	}
	err := memberPeriods(tx.Query, units, "", func(m *partyworks.Member, from, to string) {
		if to <= mv.Day {
			return
		}
		from = max(from, mv.Day)
		for _, dv := range statDims(m) {
			for _, id := range left {
				b.d[statKey{id, dv[0], dv[1], from}]--
				if to != "9999-12-31" {
					b.d[statKey{id, dv[0], dv[1], to}]++
				}
			}
			for _, id := range joined {
				b.d[statKey{id, dv[0], dv[1], from}]++
				if to != "9999-12-31" {
					b.d[statKey{id, dv[0], dv[1], to}]--
				}
			}
		}
	})
	if err != nil {
		return fmt.Errorf("move stats: %w", err)
	}
	return b.flush(tx)
}

// scanID scans one id.
func scanID(s scanner) (int64, error) {
	var id int64
	return id, s.Scan(&id)
}

// memberPeriods calls fn for each period a member spent in one of units
// (with the period's status): the current one, [since, 9999-12-31), and
// those in the history. With day set, only the periods covering day.
func memberPeriods(query func(q string, args ...any) (*sql.Rows, error), units []int64, day string, fn func(m *partyworks.Member, from, to string)) error {
	if len(units) == 0 {
		return nil
	}
	in := "(" + marks(len(units)) + ")"
	const cols = `m.sex, m.ethnicity, m.religion, m.education, m.professional, m.theory, m.birth_date, m.admitted`
	cur := `SELECT m.status, ` + cols + `, m.since, '9999-12-31' FROM members m WHERE m.unit_id IN ` + in
	hist := `SELECT h.status, ` + cols + `, h.valid_from, h.valid_to FROM member_history h JOIN members m ON m.id = h.member_id WHERE h.unit_id IN ` + in
	args := make([]any, 0, 2*len(units)+3)
	for _, u := range units {
		args = append(args, u)
	}
	curArgs := append([]any(nil), args...)
	if day != "" {
		cur += ` AND m.since <= ?`
		hist += ` AND h.valid_from <= ? AND ? < h.valid_to`
		curArgs = append(curArgs, day)
		args = append(args, day, day)
	}
	for _, qa := range []struct {
		q    string
		args []any
	}{{cur, curArgs}, {hist, args}} {
		rows, err := query(qa.q, qa.args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var m partyworks.Member
			var birth, admitted, from, to string
			if err := rows.Scan(&m.Status, &m.Sex, &m.Ethnicity, &m.Religion, &m.Education, &m.Professional, &m.Theory,
				&birth, &admitted, &from, &to); err != nil {
				rows.Close()
				return err
			}
			m.BirthDate, m.Admitted = parseDate(birth), parseDate(admitted)
			fn(&m, from, to)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// directStats counts the figures of a cell's (or group's) subtree on day d
// from its members' records.
func (s *MemberService) directStats(ctx context.Context, path, d string, st *partyworks.MemberStats) error {
	lo, hi := subtreeRange(path)
	query := s.db.queryFn(ctx)
	rows, err := query(`SELECT unit_id FROM unit_versions WHERE path >= ? AND path < ? AND valid_from <= ? AND ? < valid_to`, lo, hi, d, d)
	if err != nil {
		return err
	}
	units, err := collect(rows, scanID)
	if err != nil {
		return err
	}
	return memberPeriods(query, units, d, func(m *partyworks.Member, _, _ string) { countMember(st, m) })
}

// MemberStats returns a subtree's figures on a day: one range read of the
// subtree root's rows, or, for a cell or a group, a count of its members.
// Unit 0 is the whole country: the rows of the tree's roots on the day.
func (s *MemberService) MemberStats(ctx context.Context, unitID int64, at partyworks.Date) (*partyworks.MemberStats, error) {
	return s.memberStats(ctx, unitID, at, "")
}

// memberTotal is MemberStats(unitID, at).Total(), read from the status
// figures alone (a name search's plan needs only the total, and every
// figure of a province is some 300 rows).
func (s *MemberService) memberTotal(ctx context.Context, unitID int64, at partyworks.Date) (int, error) {
	st, err := s.memberStats(ctx, unitID, at, "status")
	if err != nil {
		return 0, err
	}
	return st.Total(), nil
}

// memberStats is MemberStats, the figures read from member_stats kept to
// one dimension when dim is not "" (a count of members gives them all).
func (s *MemberService) memberStats(ctx context.Context, unitID int64, at partyworks.Date, dim string) (*partyworks.MemberStats, error) {
	var kind partyworks.UnitKind
	var path string
	d := fmtDate(at)
	only, dargs := "", []any(nil)
	if dim != "" {
		only, dargs = " AND dim = ?", []any{dim}
	}
	if unitID == 0 {
		return s.readStats(ctx, unitID, at, `SELECT dim, val, SUM(n) FROM member_stats WHERE unit_id IN
			(SELECT unit_id FROM unit_versions WHERE parent_id IS NULL AND valid_from <= ? AND ? < valid_to) AND day <= ?`+only+` GROUP BY dim, val`,
			append([]any{d, d, d}, dargs...)...)
	}
	err := s.db.queryRow(ctx, `SELECT kind, path FROM unit_versions WHERE unit_id = ? AND valid_from <= ? AND ? < valid_to`, unitID, d, d).Scan(&kind, &path)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("member stats: %w", err)
	}
	if directKind(kind) {
		st := &partyworks.MemberStats{UnitID: unitID, At: at, Counts: map[string]map[string]int{}}
		if err := s.directStats(ctx, path, d, st); err != nil {
			return nil, fmt.Errorf("member stats: %w", err)
		}
		return st, nil
	}
	return s.readStats(ctx, unitID, at, `SELECT dim, val, SUM(n) FROM member_stats WHERE unit_id = ? AND day <= ?`+only+` GROUP BY dim, val`,
		append([]any{unitID, d}, dargs...)...)
}

// readStats reads figures (dim, val, n) by q.
func (s *MemberService) readStats(ctx context.Context, unitID int64, at partyworks.Date, q string, args ...any) (*partyworks.MemberStats, error) {
	rows, err := s.db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("member stats: %w", err)
	}
	defer rows.Close()
	st := &partyworks.MemberStats{UnitID: unitID, At: at, Counts: map[string]map[string]int{}}
	for rows.Next() {
		var dim, val string
		var n int
		if err := rows.Scan(&dim, &val, &n); err != nil {
			return nil, err
		}
		if n == 0 {
			continue
		}
		if st.Counts[dim] == nil {
			st.Counts[dim] = map[string]int{}
		}
		st.Counts[dim][val] = n
	}
	return st, rows.Err()
}

// RecountMemberStats counts a subtree's figures on a day from the records
// themselves (every member's unit and status on the day, the tree on the
// day): slow, for tests and for checking the maintained figures.
func (s *MemberService) RecountMemberStats(ctx context.Context, unitID int64, at partyworks.Date) (*partyworks.MemberStats, error) {
	d := fmtDate(at)
	var path string
	if err := s.db.queryRow(ctx, `SELECT path FROM unit_versions WHERE unit_id = ? AND valid_from <= ? AND ? < valid_to`, unitID, d, d).Scan(&path); err != nil {
		return &partyworks.MemberStats{UnitID: unitID, At: at, Counts: map[string]map[string]int{}}, nil
	}
	lo, hi := subtreeRange(path)
	rows, err := s.db.query(ctx, `SELECT `+memberCols+`, st.unit_id, st.status FROM (`+stateAt+`) st
		JOIN members m ON m.id = st.member_id
		JOIN unit_versions v ON v.unit_id = st.unit_id AND v.valid_from <= ? AND ? < v.valid_to
		WHERE v.path >= ? AND v.path < ?`, d, d, d, d, d, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	st := &partyworks.MemberStats{UnitID: unitID, At: at, Counts: map[string]map[string]int{}}
	for rows.Next() {
		var unit int64
		var status partyworks.MemberStatus
		m, _, err := scanMemberExtra(rows, &unit, &status)
		if err != nil {
			return nil, err
		}
		m.Status = status
		countMember(st, m)
	}
	return st, rows.Err()
}

// countMember counts one member in figures computed from the records.
func countMember(st *partyworks.MemberStats, m *partyworks.Member) {
	var buf [9][2]string
	for _, dv := range statDimsInto(buf[:0], m) {
		if st.Counts[dv[0]] == nil {
			st.Counts[dv[0]] = map[string]int{}
		}
		st.Counts[dv[0]][dv[1]]++
	}
}

// stateAt is every member's (unit, status) on a day: the current state if
// it began by then, else the history period that covers the day. It takes
// the day three times.
const stateAt = `SELECT id AS member_id, unit_id, status FROM members WHERE since <= ?
	UNION ALL SELECT member_id, unit_id, status FROM member_history WHERE valid_from <= ? AND ? < valid_to`

// scanMemberExtra scans memberCols followed by extra columns.
func scanMemberExtra(rows interface{ Scan(...any) error }, extra ...any) (*partyworks.Member, string, error) {
	return scanMember(extraScanner{rows, extra})
}

type extraScanner struct {
	s     interface{ Scan(...any) error }
	extra []any
}

func (e extraScanner) Scan(dest ...any) error { return e.s.Scan(append(dest, e.extra...)...) }
