package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"partyworks"
	"partyworks/vntext"
)

// ImportMembers loads a members file: every row is validated; good rows
// go in, in transactions of imp.Batch rows (20,000) with multi-row
// INSERTs (500 rows a statement);
// bad rows come back with line, column and reason. A row whose citizen ID
// is already recorded changes nothing, so importing a file again changes
// nothing. The job (keyed by the file's hash) records how far it got after
// each batch, so an interrupted import resumes after the last batch
// committed. Rows are read, validated and made ready to bind on another
// goroutine (prepareImport) while the transactions insert them. The
// statistics of each batch are added per unit in memory (importStats) and
// written once per batch, up the tree.
func (s *MemberService) ImportMembers(ctx context.Context, imp partyworks.MemberImport) (_ *partyworks.MemberImportResult, err error) {
	if imp.Effective.IsZero() {
		imp.Effective = partyworks.Today(s.db.Now())
	}
	st := imp.Stream
	if st == nil {
		if imp.Table == nil {
			return nil, partyworks.Errorf(partyworks.EINVALID, "no rows to import")
		}
		st = partyworks.StreamOf(imp.Table)
	}
	defer st.Stop() // a stream still being read: the rest is not wanted
	today := partyworks.Today(s.db.Now())
	if _, err := partyworks.NewMemberRowReader(&partyworks.Table{Header: st.Header}, today); err != nil {
		return nil, err
	}
	expect := st.Expected()
	res := &partyworks.MemberImportResult{Rows: expect}
	d := fmtDate(imp.Effective)
	units, err := s.unitsOn(ctx, d, imp.Within)
	if err != nil {
		return nil, err
	}
	job, done, err := s.importJob(ctx, imp, expect, res)
	if err != nil {
		return nil, err
	}
	res.JobID, res.Resumed = job, done
	defer func() {
		if err == nil {
			return
		}
		// The job says why it stopped (what committed stays: importing
		// the file again resumes after it).
		why := err.Error()
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if ferr := s.db.update(fctx, func(tx *Tx) error {
			_, xerr := tx.Exec(`UPDATE member_import_jobs SET status = 'failed', failure = ?, updated_at = ? WHERE id = ?`, why, fmtTime(tx.now), job)
			return xerr
		}); ferr != nil {
			err = errors.Join(err, ferr)
		}
	}()
	if imp.Started != nil {
		imp.Started(job)
	}
	// An earlier bulk load that was cut short may have left the indexes
	// dropped: build them back first. A bulk load into an empty members
	// table drops the secondary indexes and builds them once at the end
	// (even when it fails or is cancelled), which beats maintaining them
	// row by row.
	if err := s.memberIndexes(ctx, false); err != nil {
		return nil, err
	}
	// A batch is a transaction: its rows, the job's progress and the
	// statistics of its units (one flush, some 300 rows a unit that keeps
	// them, up the tree). A bulk load takes batches of 100,000: the
	// flushes were 14 % of an import of 100,000 rows in batches of 20,000.
	batch := imp.Batch
	bulk, err := s.bulkLoad(ctx, st, done)
	if err != nil {
		return nil, err
	}
	if batch <= 0 {
		batch = 20000
		if bulk {
			batch = 100000
		}
	}
	if bulk {
		if err := s.memberIndexes(ctx, true); err != nil {
			return nil, err
		}
		defer func() {
			ictx := context.WithoutCancel(ctx)
			ierr := s.memberIndexes(ictx, false)
			if ierr == nil && s.db.Postgres() {
				// PostgreSQL's figures for a table that was empty (SQLite
				// plans without them, as elsewhere: see DB.analyze).
				ierr = s.db.ExecRaw(ictx, "ANALYZE members")
			}
			if ierr != nil && err == nil {
				err = ierr
			}
		}()
	}
	// Rows are read, validated and made ready to bind on another
	// goroutine, a batch or so ahead of the transaction that inserts them.
	chunk := importChunk
	if s.db.Postgres() {
		chunk = copyChunk
	}
	parts := make(chan *importPart, importAhead)
	stop, stopped := make(chan struct{}), make(chan struct{})
	defer func() { st.Stop(); close(stop); <-stopped }() // it reads the rows: gone before we return (and their reader told)
	go func() {
		defer close(stopped)
		prepareImport(prepareArgs{st: st, today: today, expect: expect, batch: batch, done: done, units: units, day: d, chunk: chunk}, parts, stop)
	}()
	// The batches end where the preparing goroutine ends them: every
	// batch rows, and at the file's last row (a stream's count is known
	// only at its end). A batch's transaction begins once its first part
	// is ready.
	for end, last := 0, false; !last; {
		var first *importPart
		select {
		case first = <-parts:
		case <-ctx.Done():
			return res, ctx.Err()
		}
		if first.err != nil {
			return res, first.err
		}
		err := s.db.updateConn(ctx, func(tx *Tx) (err error) {
			end, last, err = tx.importBatch(first, parts, done, d, res, job)
			return err
		})
		if err != nil {
			return res, err
		}
		res.Rows = end
		if imp.Progress != nil {
			imp.Progress(end, max(end, st.Expected()))
		}
	}
	err = s.db.update(ctx, func(tx *Tx) error {
		report, err := json.Marshal(res.Errors[:min(len(res.Errors), partyworks.MaxImportReport)])
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE member_import_jobs SET status = 'done', rows = ?, errors = ?, report = ?, failure = '', updated_at = ? WHERE id = ?`,
			res.Rows, len(res.Errors), string(report), fmtTime(tx.now), job); err != nil {
			return err
		}
		return tx.audit("member.import", fmt.Sprintf("import:%d", job), nil, map[string]any{
			"file": imp.Name, "rows": res.Rows, "inserted": res.Inserted, "existing": res.Existing, "errors": len(res.Errors), "resumed": res.Resumed})
	})
	return res, err
}

// FindImportJob returns an import's record.
func (s *MemberService) FindImportJob(ctx context.Context, id int64) (*partyworks.MemberImportJob, error) {
	j := &partyworks.MemberImportJob{}
	var report, updated string
	err := s.db.queryRow(ctx, `SELECT id, name, scope, rows, done, inserted, existing, errors, report, status, failure, updated_at
		FROM member_import_jobs WHERE id = ?`, id).Scan(&j.ID, &j.Name, &j.Scope, &j.Rows, &j.Done, &j.Inserted, &j.Existing, &j.Errors, &report, &j.Status, &j.Failure, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, partyworks.Errorf(partyworks.ENOTFOUND, "import %d does not exist", id)
	} else if err != nil {
		return nil, fmt.Errorf("import %d: %w", id, err)
	}
	j.Updated = parseTime(updated)
	if report != "" {
		if err := json.Unmarshal([]byte(report), &j.Report); err != nil {
			return nil, fmt.Errorf("import %d: its report: %w", id, err)
		}
	}
	return j, nil
}

// memberIndexSQL are the secondary indexes of members, as the
// migrations create them (the citizen ID's unique index stays: imports
// rely on it): name, columns, and PostgreSQL's columns where they differ
// (0015_members_top.sql, 0018_members_top_name_lower.sql).
var memberIndexSQL = [][3]string{
	{"members_unit", "members (unit_id, sort_key, since)"},
	{"members_name", "members (name_fold)"},
	{"members_given", "members (given_fold)"},
	{"members_sort", "members (sort_key, name_fold, given_fold, unit_id, since)"},
	{"members_transfer", "members (transfer_to)"},
	{"members_unit_name", "members (unit_id, name_fold)"},
	{"members_unit_given", "members (unit_id, given_fold)"},
	{"members_top", "members (top_id, sort_key, name_fold, given_fold, unit_id, since)",
		"members (top_id, sort_key, id) INCLUDE (name_fold, given_fold, unit_id, since)"},
	{"members_top_name", "members (top_id, name_fold)", "members (top_id, lower(name_fold))"},
}

// memberIndexes drops the secondary indexes of members, or creates those
// missing.
func (s *MemberService) memberIndexes(ctx context.Context, drop bool) error {
	for _, q := range memberIndexStatements(s.db.Postgres(), drop) {
		if err := s.db.ExecRaw(ctx, q); err != nil {
			return fmt.Errorf("member indexes: %w", err)
		}
	}
	return nil
}

// memberIndexStatements are the statements that drop the secondary
// indexes of members, or create those missing.
func memberIndexStatements(postgres, drop bool) []string {
	var out []string
	for _, ix := range memberIndexSQL {
		cols := ix[1]
		if postgres && ix[2] != "" {
			cols = ix[2]
		}
		q := "CREATE INDEX IF NOT EXISTS " + ix[0] + " ON " + cols
		if drop {
			q = "DROP INDEX IF EXISTS " + ix[0]
		}
		out = append(out, q)
	}
	return out
}

// defaultBulkRows is how many rows make an import into an empty members
// table a bulk load.
const defaultBulkRows = 50000

// bulkLoad reports whether the rows of st after done make a bulk load
// into the members table: at least BulkRows and at least four times the
// rows already there (a national load after a few hundred recorded by hand
// is one). The count of a stream still being read is an estimate: where
// the table holds rows, whose indexes a bulk load builds again, the rows
// that outnumber them four times must have been read (a small file
// estimated large must not cost a rebuild of the table's indexes).
func (s *MemberService) bulkLoad(ctx context.Context, st *partyworks.TableStream, done int) (bool, error) {
	min := s.BulkRows
	if min <= 0 {
		min = defaultBulkRows
	}
	n := st.Expected() - done
	if n < min {
		return false, nil
	}
	var k int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM members LIMIT ?) x`, n/4+1).Scan(&k); err != nil {
		return false, err
	}
	if k > n/4 || k == 0 {
		return k == 0, nil
	}
	for {
		t, ended, err := st.Next(ctx.Done(), done+4*k-1)
		if t == nil {
			return false, errors.Join(ctx.Err(), err)
		}
		if len(t.Rows)-done >= 4*k || ended {
			return len(t.Rows)-done >= 4*k, nil
		}
	}
}

// unitsOn maps the codes of the units standing on day d (inside the
// importer's subtrees) to their ids.
func (s *MemberService) unitsOn(ctx context.Context, d string, within []string) (map[string]int64, error) {
	rows, err := s.db.query(ctx, `SELECT code, unit_id, path FROM unit_versions WHERE valid_from <= ? AND ? < valid_to`, d, d)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var code, path string
		var id int64
		if err := rows.Scan(&code, &id, &path); err != nil {
			return nil, err
		}
		if within != nil && !insideAny(path, within) {
			id = -id // known, but outside the importer's units
		}
		out[code] = id
	}
	return out, rows.Err()
}

func insideAny(path string, within []string) bool {
	for _, w := range within {
		if strings.HasPrefix(path, w) {
			return true
		}
	}
	return false
}

// importJob finds or starts the job of this file; done is the number of
// rows an earlier run committed.
func (s *MemberService) importJob(ctx context.Context, imp partyworks.MemberImport, expect int, res *partyworks.MemberImportResult) (int64, int, error) {
	var id int64
	var done int
	var status string
	err := s.db.update(ctx, func(tx *Tx) error {
		err := tx.QueryRow(`SELECT id, done, inserted, existing, status FROM member_import_jobs WHERE hash = ?`, imp.Hash).Scan(&id, &done, &res.Inserted, &res.Existing, &status)
		if err == nil {
			if status == "done" {
				done = 0 // a finished file imported again: run it through, it changes nothing
				res.Inserted, res.Existing = 0, 0
			}
			_, err = tx.Exec(`UPDATE member_import_jobs SET status = 'running', scope = ?, failure = '', updated_at = ? WHERE id = ?`, imp.Scope, fmtTime(tx.now), id)
			return err
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		id, err = tx.InsertID(`INSERT INTO member_import_jobs (name, hash, rows, status, scope, created_at, updated_at) VALUES (?, ?, ?, 'running', ?, ?, ?)`,
			imp.Name, imp.Hash, expect, imp.Scope, fmtTime(tx.now), fmtTime(tx.now))
		return err
	})
	return id, done, err
}

// importCols are the columns an import writes, importChunk how many rows
// one INSERT carries: a statement a row cost a round trip per member on
// PostgreSQL and the statement overhead on SQLite.
const (
	importCols = `citizen_id, full_name, name_fold, given_fold, sort_key, sex, birth_date, birthplace, hometown,
	address, ethnicity, religion, occupation, education, professional, theory, card_number, record_number, unit_id, status,
	since, admitted, ceremony, top_id, updated_at`
	importColN  = 25
	importChunk = 500
	// copyChunk is how many rows one COPY carries on PostgreSQL.
	copyChunk = 5000
)

// stageSQL creates the transaction's staging table of a PostgreSQL
// import: rows are COPied in, then moved to members by one INSERT … SELECT
// that skips citizen IDs already recorded.
func stageSQL() string {
	var cols []string
	for _, c := range strings.Split(importCols, ",") {
		c = strings.TrimSpace(c)
		typ := "TEXT"
		if c == "unit_id" || c == "top_id" {
			typ = "BIGINT"
		}
		cols = append(cols, c+" "+typ)
	}
	return "CREATE TEMP TABLE member_stage (" + strings.Join(cols, ", ") + ") ON COMMIT DROP"
}

// importCopy inserts rows by COPY through the staging table and returns
// the citizen IDs inserted.
func (tx *Tx) importCopy(rows [][]any, staged *bool) (map[string]bool, error) {
	if !*staged {
		if _, err := tx.Exec(stageSQL()); err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		*staged = true
	}
	cols := strings.Split(importCols, ",")
	for i := range cols {
		cols[i] = strings.TrimSpace(cols[i])
	}
	if err := tx.copyFrom("member_stage", cols, rows); err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	res, err := tx.Query(`INSERT INTO members (` + importCols + `) SELECT ` + importCols + ` FROM member_stage ON CONFLICT (citizen_id) DO NOTHING RETURNING citizen_id`)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	added := make(map[string]bool, len(rows))
	for res.Next() {
		var cid string
		if err := res.Scan(&cid); err != nil {
			res.Close()
			return nil, err
		}
		added[cid] = true
	}
	res.Close()
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	if _, err := tx.Exec(`TRUNCATE member_stage`); err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	return added, nil
}

// importSQL inserts n rows, skipping citizen IDs already recorded, and
// returns the citizen IDs it inserted (so the statistics count exactly
// those, even if another writer got there first).
func importSQL(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO members (" + importCols + ") VALUES ")
	row := "(" + marks(importColN) + ")"
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	b.WriteString(" ON CONFLICT (citizen_id) DO NOTHING RETURNING citizen_id")
	return b.String()
}

// importPart is what prepareImport hands to a batch's transaction: the
// rows of one INSERT (or one COPY), validated and ready to bind, and the
// row errors met before the last of them (so that res.Errors grows as it
// did when one loop read and wrote).
type importPart struct {
	errs    []partyworks.RowError
	members []*partyworks.Member
	vals    []any // importColN values a member; top_id and updated_at are the transaction's
	end     bool  // the last part of its batch
	// With end: the batch's statistics, each of its members counted as
	// inserted (the transaction uncounts those already recorded), the
	// row the batch ends before, and whether it is the file's last.
	stats *importStats
	upTo  int
	last  bool
	// err stops the import: the file could not be read on (a stream's
	// error), after the rows before it.
	err error
}

// importAhead is how many parts the preparing goroutine may run ahead:
// over a batch of 20,000 rows at 500 a part.
const importAhead = 64

type prepareArgs struct {
	st                  *partyworks.TableStream
	today               partyworks.Date
	expect, batch, done int
	units               map[string]int64
	day                 string
	chunk               int
}

// prepareImport reads and validates every row in order, as the stream
// gives them, and sends each batch of a.batch rows (the last one: to the
// end) as parts of at most a.chunk rows, the batch's last marked end, the
// file's last marked last. Rows before a.done (committed by an earlier
// run) are only checked. It stops when stop is closed.
func prepareImport(a prepareArgs, out chan<- *importPart, stop <-chan struct{}) {
	send := func(p *importPart) bool {
		select {
		case out <- p:
			return true
		case <-stop:
			return false
		}
	}
	seen := make(map[string]int, min(a.expect, 1<<18)) // (an estimate: bounded)
	keys := newSortKeys()
	newPart := func() *importPart {
		return &importPart{members: make([]*partyworks.Member, 0, a.chunk), vals: make([]any, 0, a.chunk*importColN)}
	}
	// The rows so far (t), their reader, whether the stream has ended and
	// the error that ended it (met once its rows are taken).
	t := &partyworks.Table{Header: a.st.Header}
	var rr *partyworks.MemberRowReader
	ended := false
	var readErr error
	// wait waits until the stream holds row i or has ended. In the middle
	// of a batch (mid: its transaction has begun), it gives up (cut) once
	// the rows come slowly: the batch ends there.
	wait := func(i int, mid bool) (cut bool, err error) {
		for i >= len(t.Rows) && !ended {
			if mid && a.st.Slow() {
				return true, nil
			}
			read := a.st.Next
			if mid {
				read = a.st.NextUnlessSlow
			}
			next, e, err := read(stop, i)
			if next == nil {
				return false, err // stopped
			}
			t, ended, readErr = next, e, err
			if rr, err = partyworks.NewMemberRowReader(t, a.today); err != nil {
				return false, err
			}
		}
		return false, nil
	}
	// have waits for row i as wait does and reports whether there is one:
	// false at the end, with the error that ended the stream.
	have := func(i int, mid bool) (ok, cut bool, err error) {
		if cut, err = wait(i, mid); cut || err != nil {
			return false, cut, err
		}
		if i < len(t.Rows) {
			return true, false, nil
		}
		return false, false, readErr
	}
	for start, last := 0, false; !last; {
		st := newImportStats()
		p := newPart()
		// Rows that come slowly (a sheet the fast reader gave up on part
		// way) are all read before the batch is handed on: its write
		// transaction, which holds the database's one writer, begins with
		// its first part and must not wait on the reading.
		if a.st.Slow() {
			if _, err := wait(start+a.batch-1, false); err != nil {
				send(&importPart{err: err})
				return
			}
		}
		i := start
		for ; i < start+a.batch; i++ {
			ok, cut, err := have(i, i > start)
			if err != nil {
				p.err = err
				send(p)
				return
			}
			if !ok || cut {
				break
			}
			m, code, rerr := rr.Row(i)
			if rerr == nil {
				if prev, dup := seen[m.CitizenID]; dup {
					rerr = &partyworks.RowError{Line: t.Lines[i], Column: "citizen_id", Reason: fmt.Sprintf("the citizen ID %s is also on line %d", m.CitizenID, prev)}
				} else if id, ok := a.units[code]; !ok {
					rerr = &partyworks.RowError{Line: t.Lines[i], Column: "unit_code", Reason: fmt.Sprintf("no unit has the code %q on %s", code, a.day)}
				} else if id < 0 {
					rerr = &partyworks.RowError{Line: t.Lines[i], Column: "unit_code", Reason: fmt.Sprintf("the unit %q is outside the units you may import into", code)}
				} else {
					m.UnitID = id
					seen[m.CitizenID] = t.Lines[i]
				}
			}
			if rerr != nil {
				p.errs = append(p.errs, *rerr)
				continue
			}
			if i < a.done {
				continue
			}
			folded := vntext.Fold(m.FullName)
			p.members = append(p.members, m)
			p.vals = append(p.vals, m.CitizenID, m.FullName, folded, givenFromFolded(folded), keys.key(m.FullName),
				string(m.Sex), fmtDate(m.BirthDate), m.Birthplace, m.Hometown, m.Address, m.Ethnicity, m.Religion, m.Occupation, m.Education,
				m.Professional, m.Theory, m.CardNumber, m.RecordNumber, m.UnitID, string(m.Status), a.day, optDate(m.Admitted), optDate(m.Ceremony), nil, nil)
			st.count(m.UnitID, m, 1)
			if len(p.members) == a.chunk {
				if !send(p) {
					return
				}
				p = newPart()
			}
		}
		// Is there a row after the batch? An error met there fails the
		// next batch, not this one.
		ok, cut, err := have(i, true)
		last = !ok && !cut && err == nil
		p.end, p.stats, p.upTo, p.last = true, st, i, last
		if !send(p) {
			return
		}
		if err != nil {
			send(&importPart{err: err})
			return
		}
		start = i
	}
}

// importBatch inserts the parts of one batch in one transaction, and
// records the job's progress; end is the row the batch ends before, last
// whether it is the file's last. A batch that ends at or before done was
// committed by an earlier run: its rows were only checked.
func (tx *Tx) importBatch(first *importPart, parts <-chan *importPart, done int, d string, res *partyworks.MemberImportResult, job int64) (end int, last bool, err error) {
	stmts := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	now := fmtTime(tx.now)
	var nowVal any = now
	inserted, existing := 0, 0
	staged := false
	var stats *importStats
	var absent []*partyworks.Member // rows already recorded, uncounted at the end
	// count counts the part's rows inserted.
	count := func(p *importPart, added map[string]bool) {
		for _, m := range p.members {
			if added[m.CitizenID] {
				inserted++
			} else {
				existing++
				absent = append(absent, m)
			}
		}
	}
	// The rows' provinces (topOf) are read in the batch's transaction: a
	// unit moved between two batches (moveTops moved the rows already in)
	// takes the next batches' rows with it.
	tops := map[int64]int64{}
	// write inserts a part's rows in one statement (or one COPY).
	write := func(p *importPart) error {
		var missing []any
		for _, m := range p.members {
			if _, ok := tops[m.UnitID]; !ok {
				tops[m.UnitID] = 0
				missing = append(missing, m.UnitID)
			}
		}
		if err := tx.topsOf(missing, tops); err != nil {
			return err
		}
		for i, m := range p.members {
			p.vals[i*importColN+importColN-2] = tops[m.UnitID]
			p.vals[i*importColN+importColN-1] = nowVal
		}
		if tx.conn != nil {
			rows := make([][]any, len(p.members))
			for i := range rows {
				rows[i] = p.vals[i*importColN : (i+1)*importColN]
			}
			added, err := tx.importCopy(rows, &staged)
			if err != nil {
				return err
			}
			count(p, added)
			return nil
		}
		stmt, ok := stmts[len(p.members)]
		if !ok {
			var err error
			if stmt, err = tx.Prepare(importSQL(len(p.members))); err != nil {
				return err
			}
			stmts[len(p.members)] = stmt
		}
		rows, err := stmt.QueryContext(tx.ctx, p.vals...)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		added := make(map[string]bool, len(p.members))
		for rows.Next() {
			var cid string
			if err := rows.Scan(&cid); err != nil {
				rows.Close()
				return err
			}
			added[cid] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("import: %w", err)
		}
		count(p, added)
		return nil
	}
	for p := first; stats == nil; {
		if p == nil {
			select {
			case p = <-parts:
			case <-tx.ctx.Done():
				return 0, false, tx.ctx.Err()
			}
		}
		if p.err != nil {
			return 0, false, p.err
		}
		res.Errors = append(res.Errors, p.errs...)
		if len(p.members) > 0 {
			if err := write(p); err != nil {
				return 0, false, err
			}
		}
		if p.end {
			stats, end, last = p.stats, p.upTo, p.last
		}
		p = nil
	}
	for _, m := range absent {
		stats.count(m.UnitID, m, -1)
	}
	if err := stats.flush(tx, d); err != nil {
		return 0, false, err
	}
	// Rows written into units that ended after the import's day follow
	// those units' folds (followFolds).
	if err := tx.followImported(tops); err != nil {
		return 0, false, err
	}
	if end <= done {
		return end, last, nil
	}
	res.Inserted += inserted
	res.Existing += existing
	_, err = tx.Exec(`UPDATE member_import_jobs SET done = ?, inserted = ?, existing = ?, updated_at = ? WHERE id = ?`,
		end, res.Inserted, res.Existing, now, job)
	return end, last, err
}
