package partyworks

import (
	"fmt"
	"strings"
)

// Table is a spreadsheet read into text: a header and its rows. Line is the
// 1-based line (or sheet row) of each row in the file, for error reports.
type Table struct {
	Header []string
	Rows   [][]string
	Lines  []int
}

// RowError says what is wrong with one row of an imported file.
type RowError struct {
	Line   int    `json:"line"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
}

func (e RowError) String() string {
	if e.Column != "" {
		return fmt.Sprintf("line %d, column %s: %s", e.Line, e.Column, e.Reason)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
}

// RowErrors is an invalid-input error listing the rows at fault.
type RowErrors []RowError

func (rs RowErrors) Error() string {
	var b strings.Builder
	for i, r := range rs {
		if i == 10 {
			fmt.Fprintf(&b, "; and %d more", len(rs)-10)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(r.String())
	}
	return b.String()
}

// Column finds a column by any of its names (case and spaces ignored).
func (t *Table) Column(names ...string) int {
	for i, h := range t.Header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		for _, n := range names {
			if h == n {
				return i
			}
		}
	}
	return -1
}

// Cell returns row r's value in column c, trimmed, or "" if absent.
func (t *Table) Cell(r, c int) string {
	if c < 0 || c >= len(t.Rows[r]) {
		return ""
	}
	return strings.TrimSpace(t.Rows[r][c])
}
