package sheet

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestFastXLSXMatchesExcelize reads files through the fast reader and
// through excelize's rows iterator and wants the same tables; files the
// fast reader must leave to excelize (styled cells) are refused by it.
func TestFastXLSXMatchesExcelize(t *testing.T) {
	var written bytes.Buffer
	if err := WriteXLSX(&written, "Đảng viên", []string{"citizen_id", "full_name", "note"}, [][]string{
		{"022090001234", "Nguyễn Văn An", "a & b < c > d \"e\" 'f'"},
		{"", "", ""},
		{"022090001235", "  Trần Thị Bình  ", ""},
		{"", "Lê Văn Cường", "=1+2"},
		{"1e3", "0.1", "line\nbreak"},
	}); err != nil {
		t.Fatal(err)
	}

	built := excelize.NewFile()
	set := func(cell string, v any) {
		if err := built.SetCellValue("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set("A1", "code")
	set("C1", "name") // B1 empty: a gap
	set("D1", "n")
	set("A2", "22")
	set("C2", "Tỉnh Quảng Ninh & <Hạ Long>")
	set("D2", 0.1+0.2)
	set("A3", 1234567890123456789)
	set("B3", true)
	set("C3", "  spaced  ")
	set("D3", 12.5)
	set("A6", "after a gap of rows") // rows 4 and 5 absent
	set("B6", false)
	if err := built.SetCellFormula("Sheet1", "C6", "=A2&\"x\""); err != nil {
		t.Fatal(err)
	}
	if err := built.SetCellRichText("Sheet1", "D6", []excelize.RichTextRun{{Text: "rich "}, {Text: "text", Font: &excelize.Font{Bold: true}}}); err != nil {
		t.Fatal(err)
	}
	bold, err := built.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		t.Fatal(err)
	}
	// Text in a style of General format, as spreadsheet programs save it.
	built.SetCellStyle("Sheet1", "A1", "A2", bold)
	built.SetCellStyle("Sheet1", "C1", "C3", bold)
	var builtBuf bytes.Buffer
	if err := built.Write(&builtBuf); err != nil {
		t.Fatal(err)
	}

	styled := excelize.NewFile()
	styled.SetCellValue("Sheet1", "A1", "birth_date")
	styled.SetCellValue("Sheet1", "A2", 33000) // a date serial shown through a date format
	style, err := styled.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	styled.SetCellStyle("Sheet1", "A2", "A2", style)
	styled.SetCellValue("Sheet1", "B1", "n")
	styled.SetCellValue("Sheet1", "B2", 123456789012.5) // General rounds a styled number to 10 digits
	boldNumber, err := styled.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		t.Fatal(err)
	}
	styled.SetCellStyle("Sheet1", "B2", "B2", boldNumber)
	var styledBuf bytes.Buffer
	if err := styled.Write(&styledBuf); err != nil {
		t.Fatal(err)
	}

	libre, err := os.ReadFile("testdata/units-qn.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		data    []byte
		fast    bool // the fast reader must read it (else: it must refuse it, or agree)
		mayRead bool
	}{
		{"WriteXLSX (inline strings)", written.Bytes(), true, true},
		{"excelize (shared strings, numbers, booleans, a formula, rich text, gaps)", builtBuf.Bytes(), true, true},
		{"a styled date cell and a styled number", styledBuf.Bytes(), false, false},
		{"LibreOffice (every cell styled, General)", libre, true, true},
	} {
		want, err := readXLSXExcelize(c.data, c.name)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got, ok := readXLSXFast(c.data)
		if c.fast && !ok {
			t.Errorf("%s: the fast reader refused it", c.name)
			continue
		}
		if ok && !c.mayRead {
			t.Errorf("%s: the fast reader read what excelize formats", c.name)
		}
		if !c.fast {
			if ok && !reflect.DeepEqual(got, want) {
				t.Errorf("%s: fast %+v\nexcelize %+v", c.name, got, want)
			}
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n fast     %q %q %v\n excelize %q %q %v", c.name, got.Header, got.Rows, got.Lines, want.Header, want.Rows, want.Lines)
		}
		if len(want.Rows) < 2 {
			t.Errorf("%s: only %d rows read", c.name, len(want.Rows))
		}
	}
}

// TestFastXLSXPast16MiB reads a sheet whose XML is larger than the
// 16 MiB the fast reader first makes room for: it must grow to the size
// the archive declares and keep every row.
func TestFastXLSXPast16MiB(t *testing.T) {
	var rows [][]string
	for i := range 60000 {
		rows = append(rows, []string{fmt.Sprintf("0220900%05d", i), "Nguyễn Văn An " + strings.Repeat("x", 200), fmt.Sprint(i)})
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, "Đảng viên", []string{"citizen_id", "full_name", "n"}, rows); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	largest := uint64(0)
	for _, f := range z.File {
		largest = max(largest, f.UncompressedSize64)
	}
	if largest <= 16<<20 {
		t.Fatalf("the largest part is %d bytes: not past 16 MiB, the test shows nothing", largest)
	}
	tab, ok := readXLSXFast(buf.Bytes())
	if !ok {
		t.Fatal("the fast reader refused the file")
	}
	if len(tab.Rows) != len(rows) {
		t.Fatalf("%d rows, want %d", len(tab.Rows), len(rows))
	}
	for _, i := range []int{0, 29999, 59999} {
		if !reflect.DeepEqual(tab.Rows[i], rows[i]) {
			t.Errorf("row %d: %q, want %q", i, tab.Rows[i], rows[i])
		}
	}
}
