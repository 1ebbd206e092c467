package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"partyworks"
)

// TableCheck is one table of a copy: its rows and checksum on both sides.
type TableCheck struct {
	Name           string
	Source, Target TableSum
}

// Match reports whether the copy holds what the source held.
func (c TableCheck) Match() bool { return c.Source == c.Target }

// CopyFromSQLite copies every row of the SQLite database file src into db,
// a PostgreSQL database that holds no data yet (its schema is migrated by
// Open), and returns each table's checksums on both sides.
//
// It is all or nothing, and checked before it counts: the source is read
// in one read transaction (one snapshot, even if a service still writes to
// it), the target is written in one transaction, table by table in the
// order of their foreign keys, with COPY, keeping every id; the identity
// sequences then start after the largest id; and the checksums of both
// sides (Checksums: the same for the same data on both databases) are
// compared inside the target's transaction, which commits only if every
// table matches. Afterwards ANALYZE gives the planner the new tables'
// statistics.
//
// The source is never written; it must be at the same migration as this
// program (run partyworks migrate on it first).
func (db *DB) CopyFromSQLite(ctx context.Context, src string) ([]TableCheck, error) {
	if db.dialect != postgres {
		return nil, partyworks.Errorf(partyworks.EINVALID, "copy: the target must be a postgres:// database")
	}
	from, err := openReadOnly(src)
	if err != nil {
		return nil, err
	}
	defer from.Close()
	s, err := from.read.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if _, err := s.ExecContext(ctx, `BEGIN`); err != nil {
		return nil, err
	}
	defer s.ExecContext(context.Background(), `ROLLBACK`)

	t, err := db.write.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	if _, err := t.ExecContext(ctx, `BEGIN`); err != nil {
		return nil, err
	}
	committed := false
	defer func() {
		if committed {
			return
		}
		if _, err := t.ExecContext(context.Background(), `ROLLBACK`); err != nil {
			// A connection in an unknown state must not go back to the pool.
			t.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()

	checks, err := copyTables(ctx, s, t)
	if err != nil {
		return checks, err
	}
	if _, err := t.ExecContext(ctx, `COMMIT`); err != nil {
		return checks, fmt.Errorf("copy: commit: %w", err)
	}
	committed = true
	for _, c := range checks {
		if _, err := db.write.ExecContext(ctx, `ANALYZE `+c.Name); err != nil {
			return checks, fmt.Errorf("copy: analyze %s: %w", c.Name, err)
		}
	}
	return checks, nil
}

// copyTables does the copy between the two open transactions.
func copyTables(ctx context.Context, s, t *sql.Conn) ([]TableCheck, error) {
	if err := sameMigrations(ctx, s); err != nil {
		return nil, err
	}
	if held, err := dataTables(ctx, t, postgres); err != nil {
		return nil, err
	} else if len(held) > 0 {
		return nil, partyworks.Errorf(partyworks.ECONFLICT, "the target already holds data (%s): a copy goes only into an empty database; nothing was written", strings.Join(held, ", "))
	}
	order, err := copyOrder(ctx, s, t)
	if err != nil {
		return nil, err
	}
	for _, table := range seeded {
		if table != "schema_migrations" {
			if _, err := t.ExecContext(ctx, `DELETE FROM `+table); err != nil {
				return nil, err
			}
		}
	}
	for _, table := range order {
		if table == "schema_migrations" {
			continue // the target's own, compared above
		}
		if err := copyTable(ctx, s, t, table); err != nil {
			return nil, fmt.Errorf("copy %s: %w", table, err)
		}
	}
	if err := resetSequences(ctx, t); err != nil {
		return nil, err
	}
	return verifyCopy(ctx, s, t)
}

// sameMigrations refuses a source whose schema is not this program's:
// its migrations must be exactly the SQLite migrations embedded here (the
// target has just been migrated to the PostgreSQL ones, which may hold
// tables of its own, such as read_pins).
func sameMigrations(ctx context.Context, s *sql.Conn) error {
	rows, err := s.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return partyworks.Errorf(partyworks.EINVALID, "the source is not a partyworks database: %v", err)
	}
	defer rows.Close()
	var have []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return err
		}
		have = append(have, v)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	want, err := migrationVersions(sqlite)
	if err != nil {
		return err
	}
	if !slices.Equal(have, want) {
		return partyworks.Errorf(partyworks.EINVALID, "the source's schema (migrations %s) is not this program's (%s): run partyworks migrate on it first, with this version of partyworks",
			strings.Join(have, ","), strings.Join(want, ","))
	}
	return nil
}

// migrationVersions lists the embedded migrations of a dialect, in order.
func migrationVersions(d dialect) ([]string, error) {
	dir := "migrations/" + d.name()
	names, err := fs.Glob(migrations, dir+"/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for i, n := range names {
		names[i] = strings.TrimSuffix(n[len(dir)+1:], ".sql")
	}
	return names, nil
}

// copyOrder lists the tables so that every table comes after those its
// foreign keys point to; both sides must have the same tables.
func copyOrder(ctx context.Context, s, t *sql.Conn) ([]string, error) {
	st, err := listTables(ctx, s, sqlite)
	if err != nil {
		return nil, err
	}
	tt, err := listTables(ctx, t, postgres)
	if err != nil {
		return nil, err
	}
	for _, table := range st { // the target may have tables of its own, left empty
		if !slices.Contains(tt, table) {
			return nil, partyworks.Errorf(partyworks.EINVALID, "the target has no table %s", table)
		}
	}
	rows, err := t.QueryContext(ctx, `SELECT cl.relname, cf.relname
		FROM pg_constraint c
		JOIN pg_class cl ON cl.oid = c.conrelid
		JOIN pg_class cf ON cf.oid = c.confrelid
		JOIN pg_namespace n ON n.oid = cl.relnamespace
		WHERE c.contype = 'f' AND n.nspname = current_schema()`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	deps := map[string][]string{}
	for rows.Next() {
		var from, to string
		if err := rows.Scan(&from, &to); err != nil {
			return nil, err
		}
		if from != to { // a self-reference (tasks.parent_id): rows go in id order
			deps[from] = append(deps[from], to)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return topoSort(st, deps)
}

// topoSort orders names so that each comes after its dependencies,
// alphabetically among equals.
func topoSort(names []string, deps map[string][]string) ([]string, error) {
	done := map[string]bool{}
	var out []string
	for len(out) < len(names) {
		progress := false
		for _, n := range names {
			if done[n] {
				continue
			}
			ready := true
			for _, d := range deps[n] {
				if !done[d] && slices.Contains(names, d) {
					ready = false
				}
			}
			if ready {
				done[n] = true
				out = append(out, n)
				progress = true
			}
		}
		if !progress {
			return nil, fmt.Errorf("copy: the foreign keys form a cycle among the tables not yet copied")
		}
	}
	return out, nil
}

// column is one target column and how the source names it.
type column struct {
	name, source, pgType string
}

// copyColumns pairs the target table's columns with the source's: every
// column on one side must be on the other, so nothing is dropped.
func copyColumns(ctx context.Context, s, t *sql.Conn, table string) ([]column, error) {
	rows, err := t.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, table)
	if err != nil {
		return nil, err
	}
	var cols []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.name, &c.pgType); err != nil {
			rows.Close()
			return nil, err
		}
		c.source = c.name
		if table == "document_search" && c.name == "document_id" {
			c.source = "docid" // the FTS4 table's row id
		}
		cols = append(cols, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var srcCols []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		srcCols = append(srcCols, n)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, n := range srcCols {
		if !slices.ContainsFunc(cols, func(c column) bool { return c.source == n }) {
			return nil, fmt.Errorf("the target has no column %s", n)
		}
	}
	for _, c := range cols {
		if c.source != "docid" && !slices.Contains(srcCols, c.source) {
			return nil, fmt.Errorf("the source has no column %s", c.name)
		}
	}
	return cols, nil
}

// copyTable streams one table from the source into the target with COPY,
// in row id order (so a task's parent comes before it).
func copyTable(ctx context.Context, s, t *sql.Conn, table string) error {
	cols, err := copyColumns(ctx, s, t, table)
	if err != nil {
		return err
	}
	names := make([]string, len(cols))
	exprs := make([]string, len(cols))
	for i, c := range cols {
		names[i], exprs[i] = c.name, c.source
	}
	rows, err := s.QueryContext(ctx, `SELECT `+strings.Join(exprs, ", ")+` FROM `+table+` ORDER BY rowid`)
	if err != nil {
		return err
	}
	defer rows.Close()
	src := &rowSource{rows: rows, cols: cols, vals: make([]any, len(cols)), ptrs: make([]any, len(cols))}
	for i := range src.vals {
		src.ptrs[i] = &src.vals[i]
	}
	return copyInto(ctx, t, table, names, src)
}

// rowSource feeds pgx's COPY from the source's rows, converting each value
// to the target column's type.
type rowSource struct {
	rows *sql.Rows
	cols []column
	vals []any
	ptrs []any
	out  []any
	err  error
}

func (r *rowSource) Next() bool {
	if r.err != nil || !r.rows.Next() {
		return false
	}
	if r.err = r.rows.Scan(r.ptrs...); r.err != nil {
		return false
	}
	r.out = make([]any, len(r.cols))
	for i, c := range r.cols {
		if r.out[i], r.err = convert(r.vals[i], c.pgType); r.err != nil {
			r.err = fmt.Errorf("column %s: %w", c.name, r.err)
			return false
		}
	}
	return true
}

func (r *rowSource) Values() ([]any, error) { return r.out, r.err }

func (r *rowSource) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.rows.Err()
}

// convert turns a SQLite value into the Go value pgx writes into a column
// of the given PostgreSQL type (information_schema's data_type).
func convert(v any, pgType string) (any, error) {
	if v == nil {
		return nil, nil
	}
	text, _ := canonical(v)
	switch pgType {
	case "bigint", "integer", "smallint":
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			if x == math.Trunc(x) {
				return int64(x), nil
			}
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		}
		return strconv.ParseInt(text, 10, 64)
	case "boolean":
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		}
		return strconv.ParseBool(text)
	case "bytea":
		if b, ok := v.([]byte); ok {
			return b, nil
		}
		return []byte(text), nil
	case "ARRAY": // the search tokens: space-separated in SQLite's FTS4 table
		return strings.Fields(text), nil
	case "double precision", "real", "numeric":
		if f, ok := v.(float64); ok {
			return f, nil
		}
		return strconv.ParseFloat(text, 64)
	}
	return text, nil
}

// resetSequences makes every identity column continue after the largest
// id copied (COPY with explicit ids does not advance them).
func resetSequences(ctx context.Context, t *sql.Conn) error {
	rows, err := t.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES'`)
	if err != nil {
		return err
	}
	type ident struct{ table, column string }
	var ids []ident
	for rows.Next() {
		var i ident
		if err := rows.Scan(&i.table, &i.column); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, i)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, i := range ids {
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', '%s'), (SELECT COALESCE(MAX(%s), 0) + 1 FROM %s), false)`, i.table, i.column, i.column, i.table)
		if _, err := t.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("copy: sequence of %s.%s: %w", i.table, i.column, err)
		}
	}
	return nil
}

// verifyCopy compares both sides' checksums, table by table.
func verifyCopy(ctx context.Context, s, t *sql.Conn) ([]TableCheck, error) {
	ss, err := checksums(ctx, s, sqlite)
	if err != nil {
		return nil, err
	}
	ts, err := checksums(ctx, t, postgres)
	if err != nil {
		return nil, err
	}
	var checks []TableCheck
	var bad []string
	for name, sum := range ss {
		if name == "schema_migrations" {
			continue // each dialect's own list, checked by sameMigrations
		}
		c := TableCheck{Name: name, Source: sum, Target: ts[name]}
		checks = append(checks, c)
		if !c.Match() {
			bad = append(bad, name)
		}
	}
	sort.Slice(checks, func(i, j int) bool { return checks[i].Name < checks[j].Name })
	if len(bad) > 0 {
		sort.Strings(bad)
		return checks, partyworks.Errorf(partyworks.EINTERNAL, "the copy does not match the source in %s; it was rolled back, nothing was written", strings.Join(bad, ", "))
	}
	return checks, nil
}
