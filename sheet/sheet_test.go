package sheet_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"partyworks"
	"partyworks/sheet"
)

func TestReadCSVVariants(t *testing.T) {
	want := [][]string{{"22", "Tỉnh Quảng Ninh", "Tỉnh", ""}, {"193", "Thành phố Hạ Long", "Thành phố", "22"}}
	plain := "code,name,type,parent_code\n22,Tỉnh Quảng Ninh,Tỉnh,\n\n193,Thành phố Hạ Long,Thành phố,22\n"
	// Windows-1258 has Đ, ô and ư precomposed.
	legacy, err := charmap.Windows1258.NewEncoder().String("code,name,type,parent_code\n22,Đông Hưng,cell,\n\n193,Đông Hưng,cell,22\n")
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{
		"plain":       plain,
		"bom":         "\ufeff" + plain,
		"semicolon":   strings.ReplaceAll(plain, ",", ";"),
		"crlf":        strings.ReplaceAll(plain, "\n", "\r\n"),
		"windows1258": legacy,
	} {
		tab, err := sheet.Read(strings.NewReader(data), name+".csv")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(tab.Rows) != 2 || tab.Lines[1] != 4 {
			t.Errorf("%s: rows %v lines %v", name, tab.Rows, tab.Lines)
			continue
		}
		if name == "windows1258" {
			if tab.Cell(0, 1) != "Đông Hưng" {
				t.Errorf("windows-1258: %q", tab.Cell(0, 1))
			}
			continue
		}
		for i, row := range want {
			for j, cell := range row {
				if tab.Cell(i, j) != cell {
					t.Errorf("%s: row %d col %d = %q, want %q", name, i, j, tab.Cell(i, j), cell)
				}
			}
		}
	}
}

func TestReadRefusesWhatIsNotASpreadsheet(t *testing.T) {
	for name, data := range map[string][]byte{
		"png":   []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
		"xls":   []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"),
		"empty": nil,
		"zip":   []byte("PK\x03\x04not really a workbook"),
	} {
		_, err := sheet.Read(bytes.NewReader(data), name)
		if partyworks.ErrorCode(err) != partyworks.EINVALID || !strings.Contains(partyworks.ErrorMessage(err), name) {
			t.Errorf("%s: %v", name, err)
		}
	}
	big := bytes.Repeat([]byte("a,b\n"), sheet.MaxSize/4+1)
	if _, err := sheet.Read(bytes.NewReader(big), "big.csv"); partyworks.ErrorCode(err) != partyworks.EINVALID {
		t.Errorf("an oversized file: %v", err)
	}
}

// units-qn.xlsx was made by LibreOffice Calc from units-qn.csv (Quảng
// Ninh's 185 units of March 2025): a real spreadsheet, not one excelize
// wrote itself.
func TestReadLibreOfficeXLSX(t *testing.T) {
	f, err := os.Open("testdata/units-qn.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	x, err := sheet.Read(f, "units-qn.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := os.Open("testdata/units-qn.csv")
	defer c.Close()
	want, err := sheet.Read(c, "units-qn.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Rows) != 185 || len(x.Rows) != len(want.Rows) {
		t.Fatalf("xlsx has %d rows, csv %d", len(x.Rows), len(want.Rows))
	}
	for i := range want.Rows {
		for j := range want.Header {
			if x.Cell(i, j) != want.Cell(i, j) {
				t.Fatalf("row %d col %d: xlsx %q, csv %q", i, j, x.Cell(i, j), want.Cell(i, j))
			}
		}
	}
	rows, err := partyworks.UnitRowsFromTable(x)
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].Name != "Tỉnh ủy Quảng Ninh" || rows[0].Kind != partyworks.KindProvince {
		t.Errorf("first row: %+v", rows[0])
	}
}

func TestWriteXLSXRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	rows := [][]string{{"22", "Tỉnh ủy Quảng Ninh"}, {"=1+1", "công thức"}}
	if err := sheet.WriteXLSX(&buf, "Đơn vị", []string{"code", "name"}, rows); err != nil {
		t.Fatal(err)
	}
	tab, err := sheet.Read(&buf, "out.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if tab.Cell(0, 1) != "Tỉnh ủy Quảng Ninh" || tab.Cell(1, 0) != "=1+1" {
		t.Errorf("round trip: %v", tab.Rows)
	}
	var csvBuf bytes.Buffer
	sheet.WriteCSV(&csvBuf, []string{"code", "name"}, rows)
	if !strings.Contains(csvBuf.String(), "'=1+1") {
		t.Errorf("a formula was written into the CSV unquoted: %q", csvBuf.String())
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte("code,name,type,parent_code\n22,Tỉnh Quảng Ninh,Tỉnh,\n"), "a.csv")
	f.Add([]byte("a;b\n\"x\";y\n"), "b.csv")
	f.Add([]byte("PK\x03\x04"), "c.xlsx")
	// A real spreadsheet (made by LibreOffice), so that the fuzzer mutates
	// archives both XLSX readers open.
	if libre, err := os.ReadFile("testdata/units-qn.xlsx"); err == nil {
		f.Add(libre, "d.xlsx")
	}
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		tab, err := sheet.Read(bytes.NewReader(data), name)
		if err != nil {
			if partyworks.ErrorCode(err) == partyworks.EINTERNAL {
				t.Fatalf("an internal error for bad input: %v", err)
			}
			return
		}
		if len(tab.Rows) != len(tab.Lines) {
			t.Fatal("rows and lines differ")
		}
		partyworks.UnitRowsFromTable(tab)
		partyworks.PlanFromTable(tab)
	})
}
