// Package sheet reads and writes the spreadsheets people exchange: CSV
// (UTF-8, with or without BOM, comma or semicolon) and XLSX (through
// excelize). It knows nothing of units or members: it turns a file into a
// partyworks.Table and back.
package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"partyworks"
)

// MaxSize is the largest file read (64 MiB): a national member list in
// CSV is about 40 MiB per million rows of the core columns.
const MaxSize = 64 << 20

// Read reads a table from a CSV or XLSX file. The kind is told by the
// content, not the name: an XLSX is a ZIP archive; anything else must be
// text. A file that is neither is refused with a clear message.
func Read(r io.Reader, name string) (*partyworks.Table, error) {
	data, err := readAll(r, name)
	if err != nil {
		return nil, err
	}
	return parse(data, name)
}

// readAll reads a file of at most MaxSize.
func readAll(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > MaxSize {
		return nil, partyworks.Errorf(partyworks.EINVALID, "%s is larger than %d MiB", name, MaxSize>>20)
	}
	return data, nil
}

func isXLSX(data []byte) bool { return bytes.HasPrefix(data, []byte("PK\x03\x04")) }

// parse reads a file's content as Read does.
func parse(data []byte, name string) (*partyworks.Table, error) {
	switch {
	case isXLSX(data):
		return readXLSX(data, name)
	case bytes.HasPrefix(data, []byte("\xD0\xCF\x11\xE0")):
		return nil, partyworks.Errorf(partyworks.EINVALID, "%s is an old Excel (.xls) file: save it as .xlsx or CSV", name)
	case bytes.IndexByte(data, 0) >= 0:
		return nil, partyworks.Errorf(partyworks.EINVALID, "%s is not a spreadsheet: give a CSV or XLSX file", name)
	}
	return readCSV(data, name)
}

func readCSV(data []byte, name string) (*partyworks.Table, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if !utf8.Valid(data) {
		// Older Vietnamese files come in Windows-1258.
		dec, err := charmap.Windows1258.NewDecoder().Bytes(data)
		if err != nil {
			return nil, partyworks.Errorf(partyworks.EINVALID, "%s is not UTF-8 text: save it as \"CSV UTF-8\"", name)
		}
		data = dec
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffComma(data)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	t := &partyworks.Table{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, partyworks.Errorf(partyworks.EINVALID, "%s, line %d: %v", name, pe.Line, pe.Err)
			}
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		if t.Header == nil {
			t.Header = rec
			continue
		}
		if blank(rec) {
			continue
		}
		t.Rows = append(t.Rows, rec)
		t.Lines = append(t.Lines, line)
	}
	if t.Header == nil {
		return nil, partyworks.Errorf(partyworks.EINVALID, "%s is empty", name)
	}
	return t, nil
}

// sniffComma picks ';' when the first line has more of them than commas
// (spreadsheets saved with a Vietnamese or European locale).
func sniffComma(data []byte) rune {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		return ';'
	}
	return ','
}

func blank(rec []string) bool {
	for _, s := range rec {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

func readXLSX(data []byte, name string) (*partyworks.Table, error) {
	if t, ok := readXLSXFast(data); ok {
		return t, nil
	}
	return readXLSXExcelize(data, name)
}

// readXLSXExcelize reads the first sheet through excelize's rows iterator.
func readXLSXExcelize(data []byte, name string) (*partyworks.Table, error) {
	t := &partyworks.Table{}
	header, err := excelizeRows(data, name, func(rec []string, line int) bool {
		t.Rows = append(t.Rows, rec)
		t.Lines = append(t.Lines, line)
		return true
	})
	if err != nil {
		return nil, err
	}
	t.Header = header
	return t, nil
}

// excelizeRows reads the first sheet through excelize's rows iterator:
// the header (the first row that is not blank) is returned, and each
// later row that is not blank is handed to add with its sheet row, until
// add returns false.
func excelizeRows(data []byte, name string, add func(rec []string, line int) bool) ([]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 1 << 30, UnzipXMLSizeLimit: 256 << 20})
	if err != nil {
		return nil, partyworks.Errorf(partyworks.EINVALID, "%s is not a readable XLSX file: %v", name, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, partyworks.Errorf(partyworks.EINVALID, "%s has no sheet", name)
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, partyworks.Errorf(partyworks.EINVALID, "%s: %v", name, err)
	}
	defer rows.Close()
	var header []string
	line := 0
	for rows.Next() {
		line++
		rec, err := rows.Columns()
		if err != nil {
			return nil, partyworks.Errorf(partyworks.EINVALID, "%s, row %d: %v", name, line, err)
		}
		if blank(rec) {
			continue
		}
		if header == nil {
			header = rec
			continue
		}
		if !add(rec, line) {
			break
		}
	}
	if header == nil {
		return nil, partyworks.Errorf(partyworks.EINVALID, "%s: the first sheet is empty", name)
	}
	return header, nil
}

// WriteXLSX writes a header and rows as an XLSX workbook with one sheet.
func WriteXLSX(w io.Writer, sheetName string, header []string, rows [][]string) error {
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", sheetName)
	sw, err := f.NewStreamWriter(sheetName)
	if err != nil {
		return err
	}
	put := func(i int, rec []string) error {
		cells := make([]any, len(rec))
		for j, s := range rec {
			cells[j] = s
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		return sw.SetRow(cell, cells)
	}
	if err := put(0, header); err != nil {
		return err
	}
	for i, rec := range rows {
		if err := put(i+1, rec); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

// WriteCSV writes a header and rows as UTF-8 CSV with a BOM, which Excel
// needs to show Vietnamese correctly. Cells that a spreadsheet would run as
// formulas are quoted with a leading apostrophe.
func WriteCSV(w io.Writer, header []string, rows [][]string) error {
	if _, err := w.Write([]byte("\xEF\xBB\xBF")); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write(header)
	for _, rec := range rows {
		safe := make([]string, len(rec))
		for i, s := range rec {
			if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
				s = "'" + s
			}
			safe[i] = s
		}
		cw.Write(safe)
	}
	cw.Flush()
	return cw.Error()
}
