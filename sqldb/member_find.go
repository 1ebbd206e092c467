package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
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
	var stranded bool
	out, total, err := s.findMembers(ctx, f, false, &stranded)
	if err == nil && stranded {
		// A walk without the join to the units found a member whose unit
		// does not stand on the day: read the page again with the join.
		out, total, err = s.findMembers(ctx, f, true, nil)
	}
	return out, total, err
}

// findMembers is FindMembers; withJoin keeps the join to the units' versions
// that a province's walk on PostgreSQL may go without (unitJoin), and
// stranded (if not nil) is set when a page read without it holds a member
// whose unit did not stand on the day.
func (s *MemberService) findMembers(ctx context.Context, f partyworks.MemberFilter, withJoin bool, stranded *bool) ([]*partyworks.Member, int, error) {
	if f.At.IsZero() {
		f.At = partyworks.Today(s.db.Now())
	}
	if f.Limit <= 0 || f.Limit > 100000 {
		f.Limit = 50
	}
	d := fmtDate(f.At)
	cols, scan := memberCols, memberScan(scanMember)
	if f.Brief {
		cols, scan = memberBriefCols, scanMemberBrief
	}
	q := strings.TrimSpace(f.Query)
	fq := ""
	if q != "" && !isDigits(q) {
		fq = vntext.Fold(q)
	}
	today := partyworks.Today(s.db.Now())
	current := !f.At.Before(today)
	if current {
		// A member moved on a day after d (a merge recorded ahead of its
		// day, a transfer dated later) is in the members table from that
		// day only, and in member_history until it: while there is one, a
		// list of d reads the history as a past day's does.
		var one int
		err := s.db.queryRow(ctx, `SELECT 1 FROM member_history WHERE valid_to > ? LIMIT 1`, d).Scan(&one)
		if err == nil {
			current = false
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, 0, fmt.Errorf("find members: %w", err)
		}
	}
	var lo, hi string // the subtree searched, if any
	var kind partyworks.UnitKind
	var underName string
	var top int64  // a province's walk: its members_top (member_top.go)
	var alone bool // top's members are the province's without the join to their units (topFor)
	if f.Under != 0 {
		var path string
		err := s.db.queryRow(ctx, `SELECT path, kind, name FROM unit_versions WHERE unit_id = ? AND valid_from <= ? AND ? < valid_to`, f.Under, d, d).Scan(&path, &kind, &underName)
		if err != nil {
			return nil, 0, nil // the unit did not stand that day: nobody
		}
		lo, hi = subtreeRange(path)
		// (On PostgreSQL, a province's name search or list only: its walk
		// reads members_top alone, which holds no status or other field.)
		if current && (!s.db.Postgres() || (fq != "" || q == "") && len(f.Statuses) == 0 && !fieldFiltered(f)) {
			if top, alone, err = s.topFor(ctx, path, d); err != nil {
				return nil, 0, err
			}
			if top != 0 {
				ctx = planEach(ctx) // (PostgreSQL: its walk's best plan depends on the province and the name)
			}
		}
	}
	// A name search starts from the name indexes (nameFirst), walks the
	// members in sort order (walk), or reads the subtree's units and
	// their members of that name (subtreeFirst): see namePlan.
	var plan namePlan
	if fq != "" {
		var err error
		if plan, err = s.namePlan(ctx, fq, f, d, lo, hi, top); err != nil {
			return nil, 0, err
		}
	}
	nameFirst, walk, subtreeFirst := plan.kind == planIndex, plan.kind == planWalk || plan.kind == planSkip, plan.kind == planSubtree
	// As of today (or later) the members table holds everyone's state:
	// read it directly, so that the name and unit indexes serve the
	// search. A past day needs the state then: for a name search, each
	// found member's history period covering the day (a history period
	// ends before the current state begins, so at most one of the two
	// applies); otherwise the current state ∪ history (stateAt). A state
	// that begins after today (a future-dated import) is not shown before
	// its day.
	var where []string
	var args []any
	var unitCol, statusCol, src string
	// unitJoin: the members are joined to their units' versions on d,
	// which place them in the subtree and scope. PostgreSQL's province
	// walk goes without when the province's members are top_id's alone:
	// its planner, taking the province and the unit's path for two
	// independent conditions, expected a few dozen members of "Dương"
	// where there were 7,000, and sorted the province's 175,000 index
	// entries instead of walking (100 ms against a few). top_id also
	// names the province for a member left in a unit that has ended (one
	// recorded in a unit after its merge was recorded): the page's units
	// are checked (named), and a page holding such a member is read again
	// with the join.
	unitJoin := withJoin || !(current && s.db.Postgres() && top != 0 && alone && f.Within == nil && (walk || q == ""))
	switch {
	case current && !unitJoin:
		where = []string{"m.since <= ?", "m.top_id = ?"}
		args = []any{d, top}
		unitCol, statusCol, src = "m.unit_id", "m.status", "members m"
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
	if f.Under != 0 && unitJoin {
		where = append(where, "v.path >= ? AND v.path < ?")
		args = append(args, lo, hi)
	}
	if nameFirst && top != 0 && unitJoin && !s.db.Postgres() {
		// The country's matches of the name are many; those of other
		// provinces are passed by their row's top_id before their unit
		// is looked up (every member of the province has it: topFor).
		// ("+": members_top would walk the whole province.)
		where = append(where, "+m.top_id = ?")
		args = append(args, top)
	}
	if f.Within != nil {
		if len(f.Within) == 0 {
			return nil, 0, nil
		}
		cond, cargs := withinPaths("v.path", f.Within)
		where, args = append(where, cond), append(args, cargs...)
	}
	nameTerm, nameArg := -1, -1 // the name's term in where, its first argument in args
	if q != "" {
		if fq == "" {
			where = append(where, "m.citizen_id = ?")
			args = append(args, q)
		} else {
			nameTerm, nameArg = len(where), len(args)
			where = append(where, nameCond("m"))
			args = append(args, nameArgs(fq)...)
			if nameFirst && top != 0 {
				// A province's full names from members_top_name: its
				// own, not the country's (the given names' part is read
				// from the country's, kept to the province below).
				where[nameTerm] = "((m.top_id = ? AND " + s.topName("m") + " >= ? AND " + s.topName("m") + " < ?) OR (m.given_fold >= ? AND m.given_fold < ?))"
				args = slices.Insert(args, nameArg, any(top))
			}
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
	// cross and plus are SQLite's hints: CROSS JOIN keeps the tables in
	// the order written, "+" before a column keeps SQLite off its indexes.
	// PostgreSQL has neither: its planner chooses the join order, and a
	// walk's text columns are written as expressions (noIndex).
	cross, plus := ` CROSS JOIN `, `+`
	if s.db.Postgres() {
		cross, plus = ` JOIN `, ``
	}
	join, order := ` JOIN `, `m.sort_key, m.id`
	if nameFirst && !s.db.Postgres() {
		// SQLite: keep members as the outer loop, found by name, and sort
		// the few found ("+" stops it walking the sort index instead).
		join, order = cross, plus+`m.sort_key, m.id`
	}
	// The filters go in WHERE, not in the join's ON: after the LEFT JOIN
	// of a past day's search, SQLite only uses the name indexes for terms
	// of the WHERE clause.
	// fromOf is the FROM clause over src, joined (as join says) to the
	// unit versions unless unitJoin is off, with the terms of w; fromSrc
	// is the query's, rebuilt when a plan below changes the join or terms.
	fromOf := func(join string, w []string) string {
		if !unitJoin {
			return ` FROM ` + src + ` WHERE ` + strings.Join(w, " AND ")
		}
		return ` FROM ` + src + join + `unit_versions v ON v.unit_id = ` + unitCol + ` WHERE ` + strings.Join(w, " AND ")
	}
	fromSrc := func() string { return fromOf(join, where) }
	from := fromSrc()
	// No name inside a subtree on a past day: read the subtree's members
	// (below) when they are few, else walk everyone in sort order (a name
	// is planned by namePlan).
	if f.Under != 0 && !s.db.Postgres() && fq == "" && !current {
		m, err := s.subtreeMatches(ctx, lo, hi, d, "", s.smallSubtree())
		if err != nil {
			return nil, 0, err
		}
		subtreeFirst = m <= s.smallSubtree()
	}
	if current && subtreeFirst && fq != "" {
		// A broad name inside a subtree, as of today: each unit of the
		// subtree, then its members of that name (members_unit_name,
		// members_unit_given): the work grows with the units and the
		// matches of the subtree, not of the country.
		walk = false
		order = plus + `m.sort_key, m.id`
		from = ` FROM unit_versions v` + cross + `members m ON m.unit_id = v.unit_id WHERE ` + strings.Join(where, " AND ")
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
	// unitSet has a walk of today's members keep those of the subtree
	// (and scope) by their unit read from the index entry, checked
	// against the subtree's units read once into a set, before the unit's
	// version is read for the join: 25–35 % of a province-wide walk.
	unitSet := func() {
		if f.Under == 0 && f.Within == nil {
			return
		}
		var in []string
		if f.Under != 0 {
			in = append(in, "path >= ? AND path < ?")
			args = append(args, lo, hi)
		}
		if f.Within != nil {
			cond, cargs := withinPaths("path", f.Within)
			in, args = append(in, cond), append(args, cargs...)
		}
		where = append(where, plus+"m.unit_id IN (SELECT unit_id FROM unit_versions WHERE "+strings.Join(in, " AND ")+" AND valid_from <= ? AND ? < valid_to)")
		args = append(args, d, d)
	}
	// provinceWalk has a walk of today's members under a province pass
	// only the province's own members (members_top, member_top.go): all
	// of them stand in its subtree. False when it does not apply (top 0).
	// (SQLite takes members_top for the top_id and the order unasked; not
	// INDEXED BY, which fails while a bulk import has the index dropped.)
	provinceWalk := func() bool {
		if top == 0 || !unitJoin { // (without the join, where holds it already)
			return top != 0
		}
		where = append(where, "m.top_id = ?")
		args = append(args, top)
		return true
	}
	var fullFrom string // a walk's second part: the members whose full name starts with fq (see below)
	var fullArgs []any
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
		if counted > bigSubtree || top != 0 { // (a province's walk reads a page's entries)
			if !provinceWalk() || f.Within != nil {
				unitSet()
			}
			from = fromSrc()
		} else {
			order = `+m.sort_key, m.id`
			from = ` FROM unit_versions v CROSS JOIN members m ON m.unit_id = v.unit_id WHERE ` + strings.Join(where, " AND ")
		}
	}
	if current && q == "" && top != 0 && s.db.Postgres() {
		// PostgreSQL: a province's list walks its members_top too, the
		// page's ids first (its own plan read the province's members of
		// each unit and sorted them: p50 11 ms, p99 95–430 ms).
		provinceWalk()
		from = fromSrc()
	}
	if walk {
		// A broad name ("nguyen", "an": hundreds of thousands of members
		// nationally): walk the members in sort order and keep those
		// whose name matches until the page is full. members_sort carries
		// the folded names, the unit and the day, so rows that do not
		// match are skipped in the index without reading the table. ("+"
		// keeps SQLite off the name indexes.)
		where[nameTerm] = nameCondOf(s.noIndex("m.name_fold"), s.noIndex("m.given_fold"))
		if current && (top == 0 || f.Within != nil) {
			unitSet()
		}
		lb, full := plan.from, plan.full
		if full <= plan.fullCap && plan.kind == planWalk {
			// The members whose name from the given name starts with fq
			// sort together, from the key of the name typed: the walk
			// starts there, not at "A". Those whose full name starts with
			// fq (a family name that is also a given name, "Mai") are
			// scattered through the order; when few, they are read from
			// the name index (fullFrom) and merged with the walk's page.
			if full > 0 {
				whereFull := slices.Clone(where)
				whereFull[nameTerm] = "m.name_fold >= ? AND m.name_fold < ?"
				fullArgs = slices.Concat(args[:nameArg], []any{fq, fq + "\uffff"}, args[nameArg+4:])
				fullFrom = fromOf(cross, whereFull)
				where[nameTerm] = s.noIndex("m.given_fold") + " >= ? AND " + s.noIndex("m.given_fold") + " < ?"
				args = slices.Concat(args[:nameArg], []any{fq, fq + "\uffff"}, args[nameArg+4:])
			}
			if plan.spellings == nil {
				where = append(where, "m.sort_key >= ?")
				args = append(args, lb)
				if plan.upTo != "" {
					where = append(where, "m.sort_key < ?")
					args = append(args, plan.upTo)
				}
			}
		}
		join, order = cross, `m.sort_key, m.id` // members outer, in sort order
		provinceWalk()
		from = fromSrc()
		if f.Under == 0 && f.Within == nil && plan.broad && len(f.Statuses) == 0 && !fieldFiltered(f) {
			// More than maxCount across the country: namePlan counted
			// them. With other filters, or fewer, the walk does not
			// count (unless its first page says all: see short).
			total = maxCount + 1
		}
	} else if counted >= 0 {
		total = min(counted, maxCount+1)
	} else if (nameFirst || subtreeFirst) && !s.db.Postgres() {
		// SQLite, the name's matches found by the name indexes or the
		// subtree's units (at most smallSubtree): read once (id and sort
		// key), counted, and the page's ids picked here; then only the
		// page's records are read (a count and a sorted page were two
		// passes over the same matches).
		ids, n, err := s.namePage(ctx, `SELECT m.id, m.sort_key`+from, args, f.After, f.Limit)
		if err != nil {
			return nil, 0, err
		}
		total = min(n, maxCount+1)
		if len(ids) == 0 {
			return nil, total, nil
		}
		from += " AND m.id IN (" + marks(len(ids)) + ")"
		for _, id := range ids {
			args = append(args, id)
		}
		f.After = "" // applied
	} else if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1`+from+` LIMIT `+strconv.Itoa(maxCount+1)+`) c`, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count members: %w", err)
	}
	page := from
	pargs := append([]any{}, args...)
	after := func(page string, pargs []any) (string, []any) {
		if f.After == "" {
			return page, pargs
		}
		key, n := splitCursor(f.After)
		return page + " AND (m.sort_key > ? OR m.sort_key = ? AND m.id > ?)", append(pargs, key, key, n)
	}
	page, pargs = after(page, pargs)
	// short is a walk's total: a first page that is not full holds every
	// match.
	short := func(n int) int {
		if walk && f.After == "" && n < f.Limit {
			return n
		}
		return total
	}
	sel := pageSel{cols: `SELECT ` + cols + `, ` + unitCol + `, ` + statusCol + `, v.name`}
	if current && (fq == "" && !s.db.Postgres() || s.db.Postgres() && top != 0) {
		// The page's ids first, then their records: SQLite would carry
		// every candidate's whole record through a list's sort, and
		// PostgreSQL's province walk reads the ids from members_top
		// alone. Their units are named afterwards, once each (a page is
		// mostly one cell's).
		sel.ids = `SELECT ` + cols + `, m.unit_id, m.status, ''`
	}
	// named names the units of a page read ids first (and says whether
	// all of them stood on d, if the walk did not join them).
	named := func(out []*partyworks.Member, err error) ([]*partyworks.Member, error) {
		if err == nil && sel.ids != "" {
			var all bool
			all, err = s.nameUnits(ctx, out, d, f.Under, underName)
			if !all && !unitJoin && stranded != nil {
				*stranded = true
			}
		}
		return out, err
	}
	if plan.kind == planSkip {
		out, err := named(s.skipPage(ctx, fq, top, sel, scan, from, args, after, f.After, f.Limit))
		return out, short(len(out)), err
	}
	query := sel.query(page, order, f.Limit)
	if current && fq == "" && !s.db.Postgres() {
		out, _, err := s.memberPage(ctx, scan, query, pargs)
		out, err = named(out, err)
		return out, total, err
	}
	var out []*partyworks.Member
	var keys []string
	var err error
	if walk && plan.spellings != nil && plan.full <= plan.fullCap {
		// The given names' part, read from each spelling's place.
		out, keys, err = s.prefixesPage(ctx, sel, scan, from, args, after, plan.spellings, f.After, f.Limit)
	} else {
		out, keys, err = s.memberPage(ctx, scan, query, pargs)
	}
	if err != nil || fullFrom == "" {
		out, err = named(out, err)
		return out, short(len(out)), err
	}
	// The walk's page merged with the first members, in sort order, of
	// those whose full name starts with fq (one member may be in both).
	fpage, fargs := after(fullFrom, fullArgs)
	full, fkeys, err := s.memberPage(ctx, scan, sel.query(fpage, plus+`m.sort_key, m.id`, f.Limit), fargs)
	if err != nil {
		return nil, 0, err
	}
	merged := make([]*partyworks.Member, 0, f.Limit)
	for i, j := 0, 0; len(merged) < f.Limit && (i < len(out) || j < len(full)); {
		switch {
		case j == len(full) || i < len(out) && (keys[i] < fkeys[j] || keys[i] == fkeys[j] && out[i].ID < full[j].ID):
			merged = append(merged, out[i])
			i++
		case i == len(out) || keys[i] != fkeys[j] || out[i].ID != full[j].ID:
			merged = append(merged, full[j])
			j++
		default: // the same member in both
			merged = append(merged, out[i])
			i, j = i+1, j+1
		}
	}
	merged, err = named(merged, nil)
	return merged, short(len(merged)), err
}

// pageSel is the select list of a page query (cols: the member's columns,
// unit, status and unit name, over the query's FROM) or, when ids is set,
// the page's ids are read first and then their records (ids: the select
// list over members m alone; the unit names are read afterwards).
type pageSel struct{ cols, ids string }

// query is the page of limit members of from (FROM … WHERE …) in order.
func (p pageSel) query(from, order string, limit int) string {
	n := strconv.Itoa(limit)
	if p.ids == "" {
		return p.cols + from + ` ORDER BY ` + order + ` LIMIT ` + n
	}
	return p.ids + ` FROM members m WHERE m.id IN (SELECT m.id` + from + ` ORDER BY ` + order + ` LIMIT ` + n + `) ORDER BY m.sort_key, m.id`
}

// makeCursor is a list's keyset position after a member: the sort key
// and the id ("key|id"); splitCursor reads it back.
func makeCursor(key string, id int64) string { return key + "|" + strconv.FormatInt(id, 10) }

func splitCursor(c string) (key string, id int64) {
	key, n, _ := strings.Cut(c, "|")
	id, _ = strconv.ParseInt(n, 10, 64)
	return key, id
}

// namePage runs query (a member's id and sort key, for every match) and
// returns the ids of the page after the cursor, in sort order, and how
// many matched.
func (s *MemberService) namePage(ctx context.Context, query string, args []any, cursor string, limit int) ([]int64, int, error) {
	type match struct {
		key string
		id  int64
	}
	less := func(a, b match) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	}
	var from *match
	if cursor != "" {
		key, n := splitCursor(cursor)
		from = &match{key, n}
	}
	rows, err := s.db.query(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find members: %w", err)
	}
	defer rows.Close()
	var page []match
	n := 0
	for rows.Next() {
		var m match
		if err := rows.Scan(&m.id, &m.key); err != nil {
			return nil, 0, fmt.Errorf("find members: %w", err)
		}
		n++
		if from == nil || less(m, *from) > 0 {
			page = append(page, m)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find members: %w", err)
	}
	slices.SortFunc(page, less)
	ids := make([]int64, 0, min(limit, len(page)))
	for _, m := range page[:min(limit, len(page))] {
		ids = append(ids, m.id)
	}
	return ids, n, nil
}

// nameUnits sets each member's UnitName: their unit's name on day d
// (the unit known, named known, needs no read: a cell's list); all says
// whether every unit stood on d.
func (s *MemberService) nameUnits(ctx context.Context, ms []*partyworks.Member, d string, known int64, named string) (all bool, err error) {
	names := map[int64]string{known: named}
	found := map[int64]bool{known: true}
	var ids []any
	for _, m := range ms {
		if _, ok := names[m.UnitID]; !ok {
			names[m.UnitID] = ""
			ids = append(ids, m.UnitID)
		}
	}
	if len(ids) > 0 {
		err := queryIn(s.db.queryFn(ctx), `SELECT unit_id, name FROM unit_versions WHERE unit_id IN ({ids}) AND valid_from <= ? AND ? < valid_to`,
			ids, []any{d, d}, func(sc scanner) error {
				var id int64
				var name string
				err := sc.Scan(&id, &name)
				names[id], found[id] = name, true
				return err
			})
		if err != nil {
			return false, fmt.Errorf("find members: %w", err)
		}
	}
	all = true
	for _, m := range ms {
		m.UnitName = names[m.UnitID]
		all = all && found[m.UnitID]
	}
	return all, nil
}

// memberPage runs a page query of FindMembers (the member's columns read
// by scan, its unit and status, the unit's name) and returns the members
// with their sort keys.
func (s *MemberService) memberPage(ctx context.Context, scan memberScan, query string, args []any) ([]*partyworks.Member, []string, error) {
	rows, err := s.db.query(ctx, query, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("find members: %w", err)
	}
	defer rows.Close()
	var out []*partyworks.Member
	var keys []string
	for rows.Next() {
		var unit int64
		var status partyworks.MemberStatus
		var unitName string
		m, key, err := scan(extraScanner{rows, []any{&unit, &status, &unitName}})
		if err != nil {
			return nil, nil, err
		}
		m.UnitID, m.Status, m.UnitName = unit, status, unitName
		m.Cursor = makeCursor(key, m.ID)
		out = append(out, m)
		keys = append(keys, key)
	}
	return out, keys, rows.Err()
}

// The costs of the name search plans, in µs, fitted to the plans' times
// on the national demo (5.6 M members, SQLite, warm, load 1–4): they
// choose the plan.
const (
	costRow   = 7.0 // a member found by an index, read from the table and sorted (each pass)
	costEntry = 0.4 // a members_sort entry walked whose names do not match (read in the index)
	costProbe = 1.5 // one unit's probe of members_unit_name or members_unit_given (each pass)
)

// The plans of a name search.
const (
	planAuto    = iota // PostgreSQL: the planner's choice
	planIndex          // the name indexes: the country's matches, n, read once (the page and the total)
	planWalk           // members_sort in sort order until the page is full: limit × T / m entries
	planSubtree        // each unit of the subtree, then its members of that name
	planSkip           // a walk that seeks each given name's members of that middle name (member_skip.go)
)

// namePlan is how FindMembers finds the members of a name: kind, and for
// a walk, where the given names' part starts (from), how many members'
// full names start with the text (full, counted up to fullCap+1), and up
// to how many are read from the name index and merged with the walk's
// page instead of walked to (fullCap).
type namePlan struct {
	kind          int
	broad         bool // more than maxCount members (of any day, unit or field) have that name: counted
	from, upTo    string
	spellings     []string // a walk's given names' places: skipPrefixes of fq's first word
	full, fullCap int
}

// namePlan chooses how to find the members whose name starts with fq, by
// the estimated cost of each plan (costRow, costEntry, costProbe): the
// name indexes (the country's n matches read once, for the page and the
// total); a walk of the sort index, which for given names starts at each
// spelling's place and finds the subtree's matches among them (about
// limit × T / sub entries for a subtree of sub of the T members), and for
// full names, spread through the order, reads about limit × T / m entries
// (m matches in the subtree, estimated as n × sub / T; the few full names
// of a text that is also a given name, "Mai", are merged from the name
// index instead); or, inside a subtree, each of its U units' members of
// that name (2 probes a unit and m members; three passes: counting m, the
// total, the page); or, across the country, for a text of two words or
// more whose full names are many (more than skipMin, or more than a walk
// merges), a skip over the given names (member_skip.go). n is counted on the name indexes alone, up to
// probeCap; m is counted before the subtree's plan is chosen unless it is
// the cheapest by far. Across the country a name of at most BroadName
// matches is read from the name indexes (a walk cannot say how many there
// are). A province today (top, member_top.go) is planned as a smaller
// country: its walks and skips pass only its own members (W of them,
// members_top), so its units are never probed. PostgreSQL's planner makes
// this choice itself, except for a province: its planner would walk the
// country's order or read every match of the name, where the province's
// own walk reads a page's entries.
func (s *MemberService) namePlan(ctx context.Context, fq string, f partyworks.MemberFilter, d, lo, hi string, top int64) (plan namePlan, err error) {
	if s.db.Postgres() && top == 0 {
		if len(fq) >= 4 {
			return namePlan{kind: planIndex}, nil
		}
		return namePlan{kind: planAuto}, nil
	}
	probeCap := 20000
	known := -1 // the full names, if counted exactly already
	walk := func(fullCap int) (namePlan, error) {
		full := min(known, fullCap+1) // as fullNames would count them
		if known < 0 {
			var err error
			if full, err = s.fullNames(ctx, fq, fullCap); err != nil {
				return namePlan{}, err
			}
		}
		from, upTo := walkFrom(fq)
		first, _, _ := strings.Cut(fq, " ")
		return namePlan{kind: planWalk, from: from, upTo: upTo, full: full, fullCap: fullCap, spellings: skipPrefixes(first)}, nil
	}
	switch s.plan {
	case "index":
		return namePlan{kind: planIndex}, nil
	case "walk": // from the first match (or the given name's place), never merged
		return walk(0)
	case "merge": // every full-name match merged
		return walk(probeCap)
	case "skip":
		if skipApplies(fq) {
			return namePlan{kind: planSkip}, nil
		}
		return walk(0)
	case "subtree":
		if f.Under != 0 {
			return namePlan{kind: planSubtree}, nil
		}
		return walk(probeCap)
	}
	if top != 0 {
		// A province's walk reads about limit × T / n entries for names
		// spread through the order, so the name indexes (n rows) cost
		// less only below √(limit × T × costEntry / costRow), about 4,000
		// at national scale: counting further decides nothing.
		probeCap = 4000
	}
	if top != 0 && strings.Contains(fq, " ") {
		// Two words or more in a province ("nguyen minh quynh"): if the
		// province has a page or two of such full names, and the country
		// as many names starting with them from the given name, reading
		// them all costs less than any walk or skip (which seeks every
		// given name's block for a whole name).
		own, err := s.provinceNames(ctx, fq, top, provinceFew)
		if err != nil || own <= provinceFew {
			return namePlan{kind: planIndex}, err
		}
	}
	var n int
	if s.db.Postgres() {
		// Its planner ORs the two indexes' bitmaps of every match before
		// the LIMIT (50–90 ms for "nguyen"): each index is read up to the
		// cap instead. A member whose full and given names both start
		// with fq counts twice, which moves an estimate a little.
		if n, err = s.countEither(ctx, "name_fold >= ? AND name_fold < ?", []any{fq, fq + "\uffff"}, fq, probeCap); err != nil {
			return namePlan{}, err
		}
	} else if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM members WHERE `+nameCond("members")+` LIMIT `+strconv.Itoa(probeCap+1)+`) c`,
		nameArgs(fq)...).Scan(&n); err != nil {
		return namePlan{}, fmt.Errorf("find members: %w", err)
	}
	few := s.BroadName
	if few <= 0 {
		few = maxCount
	}
	defer func() { plan.broad = n > maxCount }()
	// whole: the search passes a whole tree's members in sort order, the
	// country's or a province's own (top).
	whole := f.Under == 0 || top != 0
	if whole && f.Within == nil && len(f.Statuses) == 0 && !fieldFiltered(f) && n > skipMin && skipApplies(fq) {
		// Two words or more across the country (or a province), of which
		// more than skipMin full names ("nguyen thi", "dinh thu"): reading
		// them all costs more than seeking the first blocks' (member_skip.go).
		// Not with other filters: few of them may pass, and the name
		// index reads at most few rows where a skip would seek on.
		full, err := s.fullNames(ctx, fq, skipMin)
		if err != nil {
			return namePlan{}, err
		}
		if full > skipMin {
			return namePlan{kind: planSkip}, nil
		}
		known = full
	}
	if f.Under == 0 && n <= few {
		return namePlan{kind: planIndex}, nil
	}
	var all int64
	if err := s.db.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM members`).Scan(&all); err != nil {
		return namePlan{}, fmt.Errorf("find members: %w", err)
	}
	T := float64(max(all, 1))
	sub := T
	if f.Under != 0 {
		n, err := s.memberTotal(ctx, f.Under, partyworks.Today(s.db.Now()))
		if err != nil {
			return namePlan{}, err
		}
		sub = float64(max(n, 1))
	}
	W := T // the members a walk passes: the country's, or a province's (top)
	if top != 0 {
		W = sub
	}
	limit := float64(f.Limit)
	// A walk for names spread through the sort order reads limit × T / m
	// entries and the page's members. The members whose name from the
	// given name starts with fq sort together, from the given name's
	// place: the walk finds the subtree's among them, about limit × T /
	// sub entries. The members whose full name starts with fq, n' across
	// the country, are spread: merged from the name index when that costs
	// less than walking to them, n' × costRow ≤ limit × T / (n' × sub /
	// T) × costEntry.
	fullCap := int(min(float64(probeCap), math.Sqrt(limit*W*T/sub*costEntry/costRow)))
	wp, err := walk(fullCap)
	if err != nil {
		return namePlan{}, err
	}
	walkCost := func(m float64) float64 { return limit*W/max(m, 1)*costEntry + limit*costRow }
	if given := float64(n-wp.full) * sub / T; wp.full <= fullCap && (n > probeCap || given >= 2*limit) {
		walkCost = func(float64) float64 { return limit*W/sub*costEntry + (limit+float64(wp.full))*costRow }
	} else if wp.full <= fullCap {
		// Fewer given names than a page in the subtree: the walk reads
		// to the end of their letter, about W / 20 entries.
		walkCost = func(float64) float64 { return W/20*costEntry + (limit+float64(wp.full))*costRow }
	}
	indexCost := math.Inf(1)
	if n <= probeCap {
		indexCost = float64(n) * costRow
	}
	m := float64(n) * sub / T
	if f.Under != 0 && top == 0 { // (a province's walk costs less than probing its units)
		var units int
		if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM unit_versions WHERE path >= ? AND path < ? AND valid_from <= ? AND ? < valid_to`,
			lo, hi, d, d).Scan(&units); err != nil {
			return namePlan{}, fmt.Errorf("find members: %w", err)
		}
		subtreeCost := func(m float64) float64 { return 3*2*float64(units)*costProbe + 2*m*costRow }
		if small := s.smallSubtree(); m <= float64(small) && subtreeCost(m) < min(indexCost, walkCost(m)) {
			// Names are not spread evenly (minorities' names, a clan's
			// villages): counted exactly, n bounds m; when the subtree's
			// plan is still the cheapest at four times the estimate, it
			// is taken without counting m.
			if m4 := min(4*m, float64(n)); n <= probeCap && m4 <= float64(small) && subtreeCost(m4) < min(indexCost, walkCost(m4)) {
				return namePlan{kind: planSubtree}, nil
			}
			// Counted up to where another plan costs less (the subtree's
			// cost grows with m, the walk's falls).
			upTo := sort.Search(small, func(k int) bool { return subtreeCost(float64(k+1)) > min(indexCost, walkCost(float64(k+1))) })
			k, err := s.subtreeMatches(ctx, lo, hi, d, fq, upTo)
			if err != nil {
				return namePlan{}, err
			}
			if k <= upTo {
				return namePlan{kind: planSubtree}, nil
			}
			m = max(m, float64(k))
		}
	}
	if indexCost <= walkCost(m) {
		return namePlan{kind: planIndex}, nil
	}
	if wp.full > fullCap && whole && f.Within == nil && skipApplies(fq) {
		// Many full names of two words or more ("nguyen thi") are spread
		// through the order in clusters: seek them (member_skip.go).
		return namePlan{kind: planSkip}, nil
	}
	return wp, nil
}

// provinceFew is how many matches of a name of two words or more a
// province's search reads from the name indexes rather than walk: two
// pages.
const provinceFew = 100

// provinceNames counts, up to limit+1, the members of province top whose
// full name starts with fq (members_top_name) and the members of the
// country whose name from the given name does (members_given): what the
// name index plan reads in a province.
func (s *MemberService) provinceNames(ctx context.Context, fq string, top int64, limit int) (int, error) {
	return s.countEither(ctx, "top_id = ? AND "+s.topName("m")+" >= ? AND "+s.topName("m")+" < ?", []any{top, fq, fq + "\uffff"}, fq, limit)
}

// countEither counts, up to limit+1, the members of full (a condition on
// members m, with its arguments) and those whose name from the given name
// starts with fq, each read from its index up to the cap; one of both
// counts twice.
func (s *MemberService) countEither(ctx context.Context, full string, fargs []any, fq string, limit int) (int, error) {
	var n int
	cap := ` LIMIT ` + strconv.Itoa(limit+1)
	if err := s.db.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM members m WHERE `+full+cap+`) a)
		+ (SELECT COUNT(*) FROM (SELECT 1 FROM members WHERE given_fold >= ? AND given_fold < ?`+cap+`) b)`,
		append(slices.Clip(fargs), fq, fq+"\uffff")...).Scan(&n); err != nil {
		return 0, fmt.Errorf("find members: %w", err)
	}
	return min(n, limit+1), nil
}

// topName is table t's folded full name as members_top_name holds it:
// lower(name_fold) on PostgreSQL, so that its planner, which cannot tell
// a prefix's share, has no other index to take for it (0018).
func (s *MemberService) topName(t string) string {
	if s.db.Postgres() {
		return "lower(" + t + ".name_fold)"
	}
	return t + ".name_fold"
}

// subtreeMatches counts, up to limit+1, the members of the subtree's
// units (lo, hi: its paths) on day d whose name starts with fq (everyone
// for "").
func (s *MemberService) subtreeMatches(ctx context.Context, lo, hi, d, fq string, limit int) (int, error) {
	name, nargs := "1 = 1", []any(nil)
	if fq != "" {
		name = nameCond("m2")
		nargs = nameArgs(fq)
	}
	var m int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM unit_versions v2 CROSS JOIN members m2 ON m2.unit_id = v2.unit_id
		WHERE v2.path >= ? AND v2.path < ? AND v2.valid_from <= ? AND ? < v2.valid_to AND `+name+` LIMIT `+strconv.Itoa(limit+1)+`) c`,
		append([]any{lo, hi, d, d}, nargs...)...).Scan(&m); err != nil {
		return 0, fmt.Errorf("find members: %w", err)
	}
	return m, nil
}

// nameCond is the name-prefix condition on table t's folded names (four
// arguments: fq and its end, twice); "+m" keeps SQLite off the name
// indexes.
func nameCond(t string) string { return nameCondOf(t+".name_fold", t+".given_fold") }

// nameCondOf is nameCond on the full name's and the given name's folds
// as written (noIndex).
func nameCondOf(name, given string) string {
	return "((" + name + " >= ? AND " + name + " < ?) OR (" + given + " >= ? AND " + given + " < ?))"
}

// noIndex writes a text column of a walk so that the database does not
// look its condition up in an index: the walk reads its index in sort
// order and tests the column there. SQLite: "+column". PostgreSQL: an
// expression ("column || ”"), which its planner cannot match to an index
// either; it had taken "Võ Thị" for one member where there were 19,000
// (its statistics cannot tell a name's share from a prefix) and read all
// 19,000 rows of the name index to keep the 9 of a block.
func (s *MemberService) noIndex(col string) string {
	if s.db.Postgres() {
		return "(" + col + " || '')"
	}
	return "+" + col
}

// nameArgs are nameCond's arguments for the folded prefix fq.
func nameArgs(fq string) []any { return []any{fq, fq + "\uffff", fq, fq + "\uffff"} }

// fullNames counts, up to limit+1, the members whose full name starts
// with fq.
func (s *MemberService) fullNames(ctx context.Context, fq string, limit int) (int, error) {
	var full int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM members WHERE name_fold >= ? AND name_fold < ? LIMIT `+strconv.Itoa(limit+1)+`) c`,
		fq, fq+"\uffff").Scan(&full); err != nil {
		return 0, fmt.Errorf("find members: %w", err)
	}
	return full, nil
}

// walkFrom is where a walk for fq's given names may start and end in sort
// order (upTo "": at the end). The members whose name from the given
// name starts with fq sort from the collation key of fq's first word
// (folded: no marks, lower case), as the sort key begins with the given
// name's key, and before the key of the letter after its first letter
// (a–y: the letters with marks, ă â đ ê ô ơ ư, sort before the next one).
func walkFrom(fq string) (from, upTo string) {
	first, _, _ := strings.Cut(fq, " ")
	c := collators.Get().(*collate.Collator)
	defer collators.Put(c)
	var buf collate.Buffer
	from = hex.EncodeToString(nameKey(nil, c, &buf, first))
	if first != "" && first[0] >= 'a' && first[0] < 'z' {
		upTo = hex.EncodeToString(nameKey(nil, c, &buf, string(first[0]+1)))
	}
	return from, upTo
}

// smallSubtree is how many members a subtree's search may read directly
// (SmallSubtree, default 8,000).
func (s *MemberService) smallSubtree() int {
	if s.SmallSubtree > 0 {
		return s.SmallSubtree
	}
	return 8000
}

// fieldFiltered says whether f filters by a member's fields: not the
// status, the subtree, the day or the name.
func fieldFiltered(f partyworks.MemberFilter) bool {
	return f.Sex != "" || f.Ethnicity != "" || f.Religion != "" || f.Education != "" || f.Theory != "" ||
		f.Professional != "" || !f.BirthFrom.IsZero() || !f.BirthTo.IsZero() || !f.AdmittedFrom.IsZero() || !f.AdmittedTo.IsZero()
}

// statsTotal answers a list's total from the maintained statistics when
// it filters by nothing but the subtree and statuses (ok false
// otherwise): counting a national list would read millions of rows.
func (s *MemberService) statsTotal(ctx context.Context, f partyworks.MemberFilter, q string, kind partyworks.UnitKind) (int, bool, error) {
	if directKind(kind) {
		return 0, false, nil // a cell's members are few: counting them costs less than its statistics
	}
	if q != "" || f.Within != nil || fieldFiltered(f) {
		return 0, false, nil // (statuses are answered: the figures are by status)
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
