package partyworks

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// UnitRow is one unit to import: its code, its name as given, its
// administrative type or its kind, and its parent's code ("" for a root,
// or for a unit placed under the import's root).
type UnitRow struct {
	Line       int
	Code       string
	Name       string // the committee's name, derived when Type is administrative
	Kind       UnitKind
	ParentCode string
}

// UnitImport is a tree to add: rows whose parent code is empty go under
// Under (0: they become roots, which only a national administrator may
// add). Units stand from Effective; Decision is optional for an import.
type UnitImport struct {
	Rows      []UnitRow
	Under     int64
	Effective Date
	Decision  string
}

// ImportResult says what an import did.
type ImportResult struct {
	Created int        `json:"created"`
	Skipped int        `json:"skipped"` // rows already present, unchanged
	Errors  []RowError `json:"errors,omitempty"`
}

// UnitRowsFromTable reads a tree from a table with the columns code, name,
// type (or kind) and parent_code (and optionally level). An administrative
// type ("Tỉnh", "Huyện", "Phường", …) makes the row the party committee of
// that unit, named accordingly; a kind ("cell", "grassroots", …) keeps the
// name as given. Every fault is reported with its line; no partial result
// is returned when there is one, since a tree with holes would misplace its
// children.
func UnitRowsFromTable(t *Table) ([]UnitRow, error) {
	code, name := t.Column("code", "mã", "ma"), t.Column("name", "tên", "ten")
	typ := t.Column("type", "kind", "loại", "loai")
	parent := t.Column("parent_code", "parent", "mã cấp trên", "ma cap tren")
	level := t.Column("level", "cấp", "cap")
	var missing []string
	for col, idx := range map[string]int{"code": code, "name": name, "type": typ, "parent_code": parent} {
		if idx < 0 {
			missing = append(missing, col)
		}
	}
	if len(missing) > 0 {
		return nil, Errorf(EINVALID, "the file has no column %s; expected the columns code, name, type, parent_code", strings.Join(missing, ", "))
	}
	var errs RowErrors
	rows := make([]UnitRow, 0, len(t.Rows))
	seen := make(map[string]int, len(t.Rows))
	for i := range t.Rows {
		line := t.Lines[i]
		r := UnitRow{Line: line, Code: t.Cell(i, code), ParentCode: t.Cell(i, parent)}
		rawName, rawType := t.Cell(i, name), t.Cell(i, typ)
		lvl, _ := strconv.Atoi(t.Cell(i, level))
		switch {
		case r.Code == "":
			errs = append(errs, RowError{line, "code", "the code is empty"})
			continue
		case !validCode(r.Code):
			errs = append(errs, RowError{line, "code", fmt.Sprintf("the code %q may hold only letters, digits, '.', '-' and '_' (at most 32)", r.Code)})
			continue
		case rawName == "":
			errs = append(errs, RowError{line, "name", "the name is empty"})
			continue
		case utf8.RuneCountInString(rawName) > 200:
			errs = append(errs, RowError{line, "name", "the name is longer than 200 characters"})
			continue
		}
		if first, dup := seen[r.Code]; dup {
			errs = append(errs, RowError{line, "code", fmt.Sprintf("the code %s is already used on line %d", r.Code, first)})
			continue
		}
		seen[r.Code] = line
		if k := UnitKind(rawType); k.Valid() {
			r.Kind, r.Name = k, rawName
		} else if k, n, ok := CommitteeFor(rawType, rawName, lvl); ok {
			r.Kind, r.Name = k, n
		} else {
			errs = append(errs, RowError{line, "type", fmt.Sprintf("unknown type %q: give an administrative type (Tỉnh, Huyện, Xã, …) or a kind (%s)", rawType, kindList())})
			continue
		}
		if r.ParentCode == r.Code {
			errs = append(errs, RowError{line, "parent_code", "a unit cannot be its own parent"})
			continue
		}
		rows = append(rows, r)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return rows, nil
}

func kindList() string {
	s := make([]string, len(UnitKinds))
	for i, k := range UnitKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func validCode(s string) bool {
	if len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '.' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// ValidCode reports whether s can be a unit code.
func ValidCode(s string) bool { return s != "" && validCode(s) }
