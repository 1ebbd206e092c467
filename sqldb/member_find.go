package sqldb

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"partyworks"
	"partyworks/vntext"
)

// maxCount caps the total of a member search: counting a national subtree
// exactly would read millions of rows; pages say "more than 10,000".
const maxCount = 10000

// FindMembers lists members as of a day (their unit and status then),
// sorted the Vietnamese way, with the total (capped at maxCount+1).
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
	// A name of a few letters is selective: the search starts from the
	// name indexes, not from the subtree (which SQLite's planner would
	// otherwise read whole, then filter).
	nameFirst := len(fq) >= 4
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
	case nameFirst:
		src = `members m LEFT JOIN member_history h ON h.member_id = m.id AND h.valid_from <= ? AND ? < h.valid_to`
		where = []string{"(h.member_id IS NOT NULL OR m.since <= ?)", "v.valid_from <= ?", "? < v.valid_to"}
		args = []any{d, d, d, d, d}
		unitCol, statusCol = "COALESCE(h.unit_id, m.unit_id)", "COALESCE(h.status, m.status)"
	default:
		where = []string{"v.valid_from <= ?", "? < v.valid_to"}
		args = []any{d, d, d, d, d}
		unitCol, statusCol, src = "st.unit_id", "st.status", `(`+stateAt+`) st JOIN members m ON m.id = st.member_id`
	}
	if f.Under != 0 {
		var path string
		err := s.db.queryRow(ctx, `SELECT path FROM unit_versions WHERE unit_id = ? AND valid_from <= ? AND ? < valid_to`, f.Under, d, d).Scan(&path)
		if err != nil {
			return nil, 0, nil // the unit did not stand that day: nobody
		}
		lo, hi := subtreeRange(path)
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
	if q != "" {
		if fq == "" {
			where = append(where, "m.citizen_id = ?")
			args = append(args, q)
		} else {
			where = append(where, "((m.name_fold >= ? AND m.name_fold < ?) OR (m.given_fold >= ? AND m.given_fold < ?))")
			args = append(args, fq, fq+"\uffff", fq, fq+"\uffff")
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
	from := ` FROM ` + src + join + `unit_versions v ON v.unit_id = ` + unitCol + ` WHERE ` + strings.Join(where, " AND ")
	var total int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1`+from+` LIMIT `+strconv.Itoa(maxCount+1)+`) c`, args...).Scan(&total); err != nil {
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
	rows, err := s.db.query(ctx, `SELECT `+memberCols+`, `+unitCol+`, `+statusCol+`, v.name`+page+
		` ORDER BY `+order+` LIMIT `+strconv.Itoa(f.Limit), pargs...)
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

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
