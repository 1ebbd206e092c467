package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// TableSum is one table's row count and a checksum of its rows.
type TableSum struct {
	Rows int64
	Sum  string
}

// queryer is what the checksums read through: the pool, or one connection
// holding a transaction (a copy checks what it wrote before committing).
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Checksums returns every table's row count and a checksum of its rows, so
// that two databases (a backup and its restore, a SQLite file and its
// PostgreSQL copy, a pg_dump and its pg_restore) can be compared table by
// table. The checksum is the same on both databases for the same data:
//
//   - each value is hashed as text, the way it reads: integers in decimal,
//     booleans as 1 and 0 (SQLite stores them as integers), BLOBs and bytea
//     as their bytes, NULL as its own mark, distinct from any text;
//   - columns are hashed in the order of their names, not of the table's
//     definition (a column added by a migration stands last on both, but
//     nothing should depend on it);
//   - the rows' hashes are added (mod 2²⁵⁶), so the order in which the
//     database returns them does not matter: the two databases do not sort
//     text alike (byte order against the server's collation) and not every
//     table has a one-column key;
//   - the search index is compared as document and tokens (an FTS4 table
//     and its shadow tables on SQLite, a text[] column on PostgreSQL), and
//     schema_migrations by version only (when a database was migrated is
//     not data).
func (db *DB) Checksums(ctx context.Context) (map[string]TableSum, error) {
	return checksums(ctx, db.read, db.dialect)
}

func checksums(ctx context.Context, q queryer, d dialect) (map[string]TableSum, error) {
	tables, err := listTables(ctx, q, d)
	if err != nil {
		return nil, err
	}
	out := make(map[string]TableSum, len(tables))
	for _, t := range tables {
		sum, err := tableSum(ctx, q, checksumQuery(d, t))
		if err != nil {
			return nil, fmt.Errorf("checksum %s: %w", t, err)
		}
		out[t] = sum
	}
	return out, nil
}

// checksumQuery reads a table in the form both databases share.
func checksumQuery(d dialect, table string) string {
	switch {
	case table == "schema_migrations":
		return `SELECT version FROM schema_migrations`
	case table == "document_search" && d == sqlite:
		return `SELECT docid AS document_id, toks FROM document_search`
	case table == "document_search" && d == postgres:
		return `SELECT document_id, array_to_string(toks, ' ') AS toks FROM document_search`
	}
	return `SELECT * FROM ` + table
}

func tableSum(ctx context.Context, q queryer, query string) (TableSum, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return TableSum{}, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return TableSum{}, err
	}
	order := make([]int, len(cols)) // column indexes in the order of their names
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return cols[order[a]] < cols[order[b]] })
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var total [4]uint64 // the sum of the rows' hashes, a 256-bit number
	var n int64
	h := sha256.New()
	var digest [sha256.Size]byte
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return TableSum{}, err
		}
		n++
		h.Reset()
		for _, i := range order {
			text, null := canonical(vals[i])
			if null {
				fmt.Fprintf(h, "%s=NULL|", cols[i])
			} else {
				fmt.Fprintf(h, "%s=%d:%s|", cols[i], len(text), text)
			}
		}
		add256(&total, h.Sum(digest[:0]))
	}
	if err := rows.Err(); err != nil {
		return TableSum{}, err
	}
	var sum [32]byte
	for i, w := range total {
		binary.BigEndian.PutUint64(sum[8*(3-i):], w)
	}
	return TableSum{Rows: n, Sum: hex.EncodeToString(sum[:])}, nil
}

// add256 adds a 32-byte big-endian number to a 256-bit sum (least
// significant word first), dropping the carry out of the top.
func add256(sum *[4]uint64, digest []byte) {
	var carry uint64
	for i := range 4 {
		w := binary.BigEndian.Uint64(digest[8*(3-i):])
		sum[i], carry = bits.Add64(sum[i], w, carry)
	}
}

// canonical is a value as text, the same on both databases, and whether
// it is NULL.
func canonical(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, false
	case []byte:
		return string(x), false
	case int64:
		return strconv.FormatInt(x, 10), false
	case int32:
		return strconv.FormatInt(int64(x), 10), false
	case bool:
		if x {
			return "1", false
		}
		return "0", false
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), false
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano), false
	}
	return fmt.Sprint(v), false
}

// ftsShadows are the tables SQLite keeps behind an FTS4 table: they are
// the index's storage, compared through the FTS table itself.
var ftsShadows = []string{"_content", "_segments", "_segdir", "_docsize", "_stat"}

// listTables lists the application's tables, sorted: SQLite's own tables
// and the shadow tables of its full-text index left out.
func listTables(ctx context.Context, q queryer, d dialect) ([]string, error) {
	query := `SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if d == postgres {
		query = `SELECT tablename, '' FROM pg_tables WHERE schemaname = current_schema()`
	}
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all, virtual []string
	for rows.Next() {
		var t, def string
		if err := rows.Scan(&t, &def); err != nil {
			return nil, err
		}
		if strings.ContainsAny(t, `"; `) {
			continue
		}
		all = append(all, t)
		if strings.HasPrefix(strings.ToUpper(def), "CREATE VIRTUAL TABLE") {
			virtual = append(virtual, t)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := all[:0]
	for _, t := range all {
		if !isShadow(t, virtual) {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out, nil
}

func isShadow(table string, virtual []string) bool {
	for _, v := range virtual {
		if rest, ok := strings.CutPrefix(table, v); ok && slices.Contains(ftsShadows, rest) {
			return true
		}
	}
	return false
}
