package sqldb

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/collate"

	"partyworks"
	"partyworks/vntext"
)

// maxCount caps the total of a member search: counting a national subtree
// exactly would read millions of rows; pages say "more than 10,000".
const maxCount = 10000

// bigSubtree is the size above which today's list of a subtree walks the
// members in sort order instead of sorting the subtree's members: about
// where the two cost the same at national scale (~10 ms).
const bigSubtree = 100_000

// FindMembers lists members as of a day (their unit and status then),
// sorted the Vietnamese way, with the total (capped at maxCount+1; −1 when
// a broad name was searched inside a subtree and not counted).
// A query of 12 digits finds a citizen ID; other text is a prefix of the
// folded full name or of the name starting at the given name, so "dang"
// finds "Đặng Văn Lâm" and "an" finds "Nguyễn Văn An"; subtree and field
// filters apply to the unit as it stood on the day.
func (s *MemberService) FindMembers(ctx context.Context, f partyworks.MemberFilter) ([]*partyworks.Member, int, error) {
	if f.At.IsZero() {
		f.At = partyworks.Today(s.db.Now())
	}
	if f.Limit <= 0 || f.Limit > 100000 {
		f.Limit = 50
	}
	d := fmtDate(f.At)
	q := strings.TrimSpace(f.Query)
	fq := ""
	if q != "" && !isDigits(q) {
		fq = vntext.Fold(q)
	}
	// A name search starts from the name indexes (nameFirst), or, for a
	// broad name, walks the members in sort order (walk): see namePlan.
	nameFirst, walk, subtreeFirst, nameBroad := false, false, false, false
	if fq != "" {
		var err error
		if nameFirst, walk, nameBroad, err = s.namePlan(ctx, fq, f, d); err != nil {
			return nil, 0, err
		}
	}
	// As of today (or later) the members table holds everyone's state:
	// read it directly, so that the name and unit indexes serve the
	// search. A past day needs the state then: for a name search, each
	// found member's history period covering the day (a history period
	// ends before the current state begins, so at most one of the two
	// applies); otherwise the current state ∪ history (stateAt). A state
	// that begins after today (a future-dated import) is not shown before
	// its day.
	current := !f.At.Before(partyworks.Today(s.db.Now()))
	var where []string
	var args []any
	var unitCol, statusCol, src string
	switch {
	case current:
		where = []string{"m.since <= ?", "v.valid_from <= ?", "? < v.valid_to"}
		args = []any{d, d, d}
		unitCol, statusCol, src = "m.unit_id", "m.status", "members m"
	case nameFirst || walk || !s.db.Postgres():
		src = `members m LEFT JOIN member_history h ON h.member_id = m.id AND h.valid_from <= ? AND ? < h.valid_to`
		where = []string{"(h.member_id IS NOT NULL OR m.since <= ?)", "v.valid_from <= ?", "? < v.valid_to"}
		args = []any{d, d, d, d, d}
		unitCol, statusCol = "COALESCE(h.unit_id, m.unit_id)", "COALESCE(h.status, m.status)"
	default:
		where = []string{"v.valid_from <= ?", "? < v.valid_to"}
		args = []any{d, d, d, d, d}
		unitCol, statusCol, src = "st.unit_id", "st.status", `(`+stateAt+`) st JOIN members m ON m.id = st.member_id`
	}
	var lo, hi string // the subtree searched, if any
	var kind partyworks.UnitKind
	if f.Under != 0 {
		var path string
		err := s.db.queryRow(ctx, `SELECT path, kind FROM unit_versions WHERE unit_id = ? AND valid_from <= ? AND ? < valid_to`, f.Under, d, d).Scan(&path, &kind)
		if err != nil {
			return nil, 0, nil // the unit did not stand that day: nobody
		}
		lo, hi = subtreeRange(path)
		where = append(where, "v.path >= ? AND v.path < ?")
		args = append(args, lo, hi)
	}
	if f.Within != nil {
		if len(f.Within) == 0 {
			return nil, 0, nil
		}
		var or []string
		for _, p := range f.Within {
			lo, hi := subtreeRange(p)
			or = append(or, "(v.path >= ? AND v.path < ?)")
			args = append(args, lo, hi)
		}
		where = append(where, "("+strings.Join(or, " OR ")+")")
	}
	nameTerm := -1
	if q != "" {
		if fq == "" {
			where = append(where, "m.citizen_id = ?")
			args = append(args, q)
		} else {
			nameTerm = len(where)
			where = append(where, nameCond("m"))
			args = append(args, nameArgs(fq)...)
		}
	}
	if len(f.Statuses) > 0 {
		ph := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			ph[i] = "?"
			args = append(args, string(st))
		}
		where = append(where, statusCol+" IN ("+strings.Join(ph, ", ")+")")
	}
	for _, eq := range []struct{ col, val string }{
		{"m.sex", string(f.Sex)}, {"m.ethnicity", f.Ethnicity}, {"m.religion", f.Religion},
		{"m.education", f.Education}, {"m.theory", f.Theory}, {"m.professional", f.Professional},
	} {
		if eq.val != "" {
			where = append(where, eq.col+" = ?")
			args = append(args, eq.val)
		}
	}
	for _, r := range []struct {
		col    string
		lo, hi partyworks.Date
	}{{"m.birth_date", f.BirthFrom, f.BirthTo}, {"m.admitted", f.AdmittedFrom, f.AdmittedTo}} {
		if !r.lo.IsZero() {
			where = append(where, r.col+" >= ?")
			args = append(args, fmtDate(r.lo))
		}
		if !r.hi.IsZero() {
			where = append(where, r.col+" <= ? AND "+r.col+" <> ''")
			args = append(args, fmtDate(r.hi))
		}
	}
	join, order := ` JOIN `, `m.sort_key, m.id`
	if nameFirst && !s.db.Postgres() {
		// SQLite: keep members as the outer loop, found by name, and sort
		// the few found ("+" stops it walking the sort index instead).
		join, order = ` CROSS JOIN `, `+m.sort_key, m.id`
	}
	// The filters go in WHERE, not in the join's ON: after the LEFT JOIN
	// of a past day's search, SQLite only uses the name indexes for terms
	// of the WHERE clause.
	// fromSrc is the FROM clause over src, joined (as join says) to the
	// unit versions; rebuilt when a plan below changes the join or terms.
	fromSrc := func() string {
		return ` FROM ` + src + join + `unit_versions v ON v.unit_id = ` + unitCol + ` WHERE ` + strings.Join(where, " AND ")
	}
	from := fromSrc()
	// A broad name or no name inside a subtree: read the subtree's
	// members (below) when they are few, else walk (cost: ~10 µs a member
	// read and sorted, ~2.5 µs an index entry walked, limit × T / m entries
	// for m members found in a subtree: equal near m = 8,000).
	if f.Under != 0 && !s.db.Postgres() && (nameBroad || fq == "" && !current) {
		var m int
		name, nargs := "1 = 1", []any(nil)
		if fq != "" {
			name = nameCond("m2")
			nargs = nameArgs(fq)
		}
		if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM unit_versions v2 CROSS JOIN members m2 ON m2.unit_id = v2.unit_id
			WHERE v2.path >= ? AND v2.path < ? AND v2.valid_from <= ? AND ? < v2.valid_to AND `+name+` LIMIT `+strconv.Itoa(s.smallSubtree()+1)+`) c`,
			append([]any{lo, hi, d, d}, nargs...)...).Scan(&m); err != nil {
			return nil, 0, fmt.Errorf("find members: %w", err)
		}
		subtreeFirst = m <= s.smallSubtree()
		walk = walk && !subtreeFirst
	}
	if current && subtreeFirst && fq != "" {
		// A broad name inside a subtree, as of today: each unit of the
		// subtree, then its members of that name (members_unit_name,
		// members_unit_given): the work grows with the units and the
		// matches of the subtree, not of the country.
		walk = false
		order = `+m.sort_key, m.id`
		from = ` FROM unit_versions v CROSS JOIN members m ON m.unit_id = v.unit_id WHERE ` + strings.Join(where, " AND ")
	} else if !current && subtreeFirst {
		// The same on a past day (a broad name, or no name in a small
		// subtree): the members whose period then was in one of the
		// subtree's units, current or past (member_history_unit), read
		// by id.
		walk = false
		name := func(t string) string { return "1 = 1" }
		var nargs []any
		if fq != "" {
			where[nameTerm] = nameCond("+m")
			name = nameCond
			nargs = nameArgs(fq)
		}
		where = append(where, `m.id IN (SELECT m2.id FROM unit_versions v2 CROSS JOIN members m2 ON m2.unit_id = v2.unit_id
			WHERE v2.path >= ? AND v2.path < ? AND v2.valid_from <= ? AND ? < v2.valid_to AND m2.since <= ? AND `+name("m2")+`
			UNION SELECT h2.member_id FROM unit_versions v2 CROSS JOIN member_history h2 ON h2.unit_id = v2.unit_id CROSS JOIN members m3 ON m3.id = h2.member_id
			WHERE v2.path >= ? AND v2.path < ? AND v2.valid_from <= ? AND ? < v2.valid_to AND h2.valid_from <= ? AND ? < h2.valid_to AND `+name("m3")+`)`)
		args = append(args, lo, hi, d, d, d)
		args = append(args, nargs...)
		args = append(args, lo, hi, d, d, d, d)
		args = append(args, nargs...)
		join, order = ` CROSS JOIN `, `+m.sort_key, m.id`
		from = fromSrc()
	}
	if !current && fq == "" && !subtreeFirst && !s.db.Postgres() {
		// A past day's list of a large subtree or of the country: walk
		// everyone in sort order, each member's period on the day read
		// by its id (the union of all states would be read whole).
		join = ` CROSS JOIN `
		from = fromSrc()
	}
	total := -1   // a broad name in a subtree: not counted (it would cost what the walk saves)
	counted := -1 // the list's size from the statistics, if they answer it
	if !walk {
		n, ok, err := s.statsTotal(ctx, f, q, kind)
		if err != nil {
			return nil, 0, err
		}
		if ok {
			counted = n
		}
	}
	if current && fq == "" && f.Under != 0 && !s.db.Postgres() {
		// Today's list of a subtree: the subtree's units, then their
		// members (members_unit), sorted; or, for a subtree of more than
		// bigSubtree members, a walk in sort order keeping the subtree's
		// (about limit × T / n index entries for n of T members).
		join = ` CROSS JOIN `
		if counted > bigSubtree {
			from = fromSrc()
		} else {
			order = `+m.sort_key, m.id`
			from = ` FROM unit_versions v CROSS JOIN members m ON m.unit_id = v.unit_id WHERE ` + strings.Join(where, " AND ")
		}
	}
	if walk {
		// A broad name ("nguyen", "an": hundreds of thousands of members
		// nationally): walk the members in sort order and keep those
		// whose name matches until the page is full. members_sort carries
		// the folded names, the unit and the day, so rows that do not
		// match are skipped in the index without reading the table. ("+"
		// keeps SQLite off the name indexes.)
		where[nameTerm] = nameCond("+m")
		if lb, ok, err := s.walkFrom(ctx, fq); err != nil {
			return nil, 0, err
		} else if ok {
			// Only given names match: they sort together, from the key
			// of the name typed; the walk starts there, not at "A".
			where = append(where, "m.sort_key >= ?")
			args = append(args, lb)
		}
		join, order = ` CROSS JOIN `, `m.sort_key, m.id` // members outer, in sort order
		from = fromSrc()
		if f.Under == 0 && f.Within == nil {
			total = maxCount + 1 // more than maxCount across the country: namePlan counted them
		}
	} else if counted >= 0 {
		total = min(counted, maxCount+1)
	} else if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1`+from+` LIMIT `+strconv.Itoa(maxCount+1)+`) c`, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count members: %w", err)
	}
	page := from
	pargs := append([]any{}, args...)
	if f.After != "" {
		key, id, _ := strings.Cut(f.After, "|")
		n, _ := strconv.ParseInt(id, 10, 64)
		page += " AND (m.sort_key > ? OR m.sort_key = ? AND m.id > ?)"
		pargs = append(pargs, key, key, n)
	}
	query := `SELECT ` + memberCols + `, ` + unitCol + `, ` + statusCol + `, v.name` + page + ` ORDER BY ` + order + ` LIMIT ` + strconv.Itoa(f.Limit)
	if current && fq == "" && !s.db.Postgres() {
		// The page's ids first, then their records: SQLite would carry
		// every candidate's whole record through the sort.
		query = `SELECT ` + memberCols + `, m.unit_id, m.status, v.name FROM members m JOIN unit_versions v ON v.unit_id = m.unit_id
			WHERE m.id IN (SELECT m.id` + page + ` ORDER BY ` + order + ` LIMIT ` + strconv.Itoa(f.Limit) + `) AND v.valid_from <= ? AND ? < v.valid_to
			ORDER BY m.sort_key, m.id`
		pargs = append(pargs, d, d)
	}
	rows, err := s.db.query(ctx, query, pargs...)
	if err != nil {
		return nil, 0, fmt.Errorf("find members: %w", err)
	}
	defer rows.Close()
	var out []*partyworks.Member
	for rows.Next() {
		var unit int64
		var status partyworks.MemberStatus
		var unitName string
		m, key, err := scanMemberExtra(rows, &unit, &status, &unitName)
		if err != nil {
			return nil, 0, err
		}
		m.UnitID, m.Status, m.UnitName = unit, status, unitName
		m.Cursor = key + "|" + strconv.FormatInt(m.ID, 10)
		out = append(out, m)
	}
	return out, total, rows.Err()
}

// namePlan chooses how to find the members whose name starts with fq:
// from the name indexes (nameFirst: the work grows with the matches across
// the country, n) or by walking the sort index (walk: the work grows with
// how far one walks to fill a page, about limit × T / m entries, where T
// is the number of members and m the matches inside the subtree searched,
// estimated as n × subtree / T). n is counted on the name indexes alone,
// up to probeCap. PostgreSQL's planner makes this choice itself.
func (s *MemberService) namePlan(ctx context.Context, fq string, f partyworks.MemberFilter, d string) (nameFirst, walk, broad bool, err error) {
	if s.db.Postgres() {
		return len(fq) >= 4, false, false, nil
	}
	const probeCap = 20000
	var n int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM members WHERE `+nameCond("members")+` LIMIT `+strconv.Itoa(probeCap+1)+`) c`,
		nameArgs(fq)...).Scan(&n); err != nil {
		return false, false, false, fmt.Errorf("find members: %w", err)
	}
	few := s.BroadName
	if few <= 0 {
		few = maxCount
	}
	if n <= few {
		return true, false, false, nil
	}
	var all int64
	if err := s.db.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM members`).Scan(&all); err != nil {
		return false, false, false, fmt.Errorf("find members: %w", err)
	}
	T := float64(max(all, 1))
	sub := T
	if f.Under != 0 {
		st, err := s.MemberStats(ctx, f.Under, partyworks.Today(s.db.Now()))
		if err != nil {
			return false, false, false, err
		}
		sub = float64(max(st.Total(), 1))
	}
	// A match found by name costs a table read and, with the count, is
	// read twice; a walked index entry is read in order: measured on the
	// national demo, one match costs about as much as eight entries.
	m := float64(n) * sub / T
	walkCost := float64(f.Limit) * T / max(m, 1)
	if n <= probeCap && 8*float64(n) <= walkCost {
		return true, false, true, nil
	}
	return false, true, true, nil
}

// nameCond is the name-prefix condition on table t's folded names (four
// arguments: fq and its end, twice); "+m" keeps SQLite off the name
// indexes.
func nameCond(t string) string {
	return "((" + t + ".name_fold >= ? AND " + t + ".name_fold < ?) OR (" + t + ".given_fold >= ? AND " + t + ".given_fold < ?))"
}

// nameArgs are nameCond's arguments for the folded prefix fq.
func nameArgs(fq string) []any { return []any{fq, fq + "\uffff", fq, fq + "\uffff"} }

// walkFrom is where a walk for fq may start in sort order, when no full
// name starts with fq (ok false otherwise): the members found are then
// those whose name from the given name starts with fq, and the sort key
// begins with the given name's collation key, which is at least that of
// fq's first word (folded: no marks, lower case).
func (s *MemberService) walkFrom(ctx context.Context, fq string) (string, bool, error) {
	var n int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM members WHERE name_fold >= ? AND name_fold < ? LIMIT 1) c`, fq, fq+"\uffff").Scan(&n); err != nil {
		return "", false, fmt.Errorf("find members: %w", err)
	}
	if n > 0 {
		return "", false, nil
	}
	first, _, _ := strings.Cut(fq, " ")
	c := collators.Get().(*collate.Collator)
	defer collators.Put(c)
	var buf collate.Buffer
	return hex.EncodeToString(c.KeyFromString(&buf, first)), true, nil
}

// smallSubtree is how many members a subtree's search may read directly
// (SmallSubtree, default 8,000).
func (s *MemberService) smallSubtree() int {
	if s.SmallSubtree > 0 {
		return s.SmallSubtree
	}
	return 8000
}

// statsTotal answers a list's total from the maintained statistics when
// it filters by nothing but the subtree and statuses (ok false
// otherwise): counting a national list would read millions of rows.
func (s *MemberService) statsTotal(ctx context.Context, f partyworks.MemberFilter, q string, kind partyworks.UnitKind) (int, bool, error) {
	if directKind(kind) {
		return 0, false, nil // a cell's members are few: counting them costs less than its statistics
	}
	if q != "" || f.Within != nil || f.Sex != "" || f.Ethnicity != "" || f.Religion != "" || f.Education != "" || f.Theory != "" ||
		f.Professional != "" || !f.BirthFrom.IsZero() || !f.BirthTo.IsZero() || !f.AdmittedFrom.IsZero() || !f.AdmittedTo.IsZero() {
		return 0, false, nil
	}
	d := fmtDate(f.At)
	var rows *sql.Rows
	var err error
	if f.Under == 0 {
		rows, err = s.db.query(ctx, `SELECT val, SUM(n) FROM member_stats WHERE unit_id IN
			(SELECT unit_id FROM unit_versions WHERE parent_id IS NULL AND valid_from <= ? AND ? < valid_to) AND dim = 'status' AND day <= ? GROUP BY val`, d, d, d)
	} else {
		rows, err = s.db.query(ctx, `SELECT val, SUM(n) FROM member_stats WHERE unit_id = ? AND dim = 'status' AND day <= ? GROUP BY val`, f.Under, d)
	}
	if err != nil {
		return 0, false, fmt.Errorf("count members: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var status string
		var c int
		if err := rows.Scan(&status, &c); err != nil {
			return 0, false, err
		}
		if len(f.Statuses) == 0 || slices.Contains(f.Statuses, partyworks.MemberStatus(status)) {
			n += c
		}
	}
	return n, true, rows.Err()
}

// FindIncoming lists the members in transfer to a unit of the subtree
// (as it stands today), in Vietnamese order, with the unit sending them.
func (s *MemberService) FindIncoming(ctx context.Context, unitID int64) ([]*partyworks.Member, error) {
	d := fmtDate(partyworks.Today(s.db.Now()))
	var path string
	err := s.db.queryRow(ctx, `SELECT path FROM unit_versions WHERE unit_id = ? AND valid_from <= ? AND ? < valid_to`, unitID, d, d).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("incoming members: %w", err)
	}
	lo, hi := subtreeRange(path)
	// The sending unit is named with its parent: two wards' cells are
	// often both "Chi bộ khu phố 1".
	rows, err := s.db.query(ctx, `SELECT `+memberCols+`, v.name, COALESCE(pv.name, '') FROM members m
		JOIN unit_versions v ON v.unit_id = m.unit_id AND v.valid_from <= ? AND ? < v.valid_to
		LEFT JOIN unit_versions pv ON pv.unit_id = v.parent_id AND pv.valid_from <= ? AND ? < pv.valid_to
		WHERE m.status = ? AND m.transfer_to IN (SELECT unit_id FROM unit_versions WHERE path >= ? AND path < ? AND valid_from <= ? AND ? < valid_to)
		ORDER BY m.sort_key, m.id LIMIT 500`, d, d, d, d, string(partyworks.StatusTransferring), lo, hi, d, d)
	if err != nil {
		return nil, fmt.Errorf("incoming members: %w", err)
	}
	defer rows.Close()
	var out []*partyworks.Member
	for rows.Next() {
		var unitName, parentName string
		m, _, err := scanMemberExtra(rows, &unitName, &parentName)
		if err != nil {
			return nil, err
		}
		m.UnitName = unitName
		if parentName != "" {
			m.UnitName += ", " + parentName
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
