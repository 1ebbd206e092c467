package sheet

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"partyworks"
)

// drain reads a stream to its end, as an import does: a row at a time.
func drain(t *testing.T, s *partyworks.TableStream) (*partyworks.Table, error) {
	t.Helper()
	for n := 0; ; {
		tb, ended, err := s.Next(nil, n)
		if ended {
			return tb, err
		}
		n = len(tb.Rows)
	}
}

// workbook writes an XLSX of n rows of a citizen ID and a name.
func workbook(t *testing.T, n int) []byte {
	t.Helper()
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("0220900%05d", i), fmt.Sprintf("Nguyễn Văn %d", i)}
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, "Sheet1", []string{"citizen_id", "full_name"}, rows); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestStreamMatchesRead: a stream hands on the same rows as Read, for a
// sheet the fast reader scans on its own goroutine (in parts), one it
// refuses part-way (a styled date after thousands of rows: excelize reads
// the rest), files it leaves to excelize, and CSV.
func TestStreamMatchesRead(t *testing.T) {
	rows := make([][]string, 3*streamPart+17)
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("0220900%05d", i), fmt.Sprintf("Nguyễn Văn %d", i), "nam"}
		if i%500 == 7 {
			rows[i] = []string{"", "", ""} // blank rows are skipped
		}
	}
	var written bytes.Buffer
	if err := WriteXLSX(&written, "Đảng viên", []string{"citizen_id", "full_name", "sex"}, rows); err != nil {
		t.Fatal(err)
	}

	late := excelize.NewFile()
	late.SetSheetRow("Sheet1", "A1", &[]any{"citizen_id", "birth_date"})
	for i := range 2500 {
		late.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &[]any{fmt.Sprintf("0220900%05d", i), "01/02/1980"})
	}
	dateStyle, err := late.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	late.SetCellValue("Sheet1", "B2400", 33000)
	late.SetCellStyle("Sheet1", "B2400", "B2400", dateStyle)
	var lateBuf bytes.Buffer
	if err := late.Write(&lateBuf); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name string
		data []byte
		file string
	}{
		{"WriteXLSX, in parts", written.Bytes(), "m.xlsx"},
		{"refused by the fast reader after 2,000 rows", lateBuf.Bytes(), "late.xlsx"},
		{"CSV", []byte("citizen_id,full_name\n022090000001,An\n\n022090000002,Bình\n"), "m.csv"},
	} {
		want, err := Read(bytes.NewReader(c.data), c.file)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		s, err := Stream(bytes.NewReader(c.data), c.file)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got, err := drain(t, s)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !reflect.DeepEqual(got.Header, want.Header) || !reflect.DeepEqual(got.Rows, want.Rows) || !reflect.DeepEqual(got.Lines, want.Lines) {
			t.Errorf("%s: the stream's %d rows differ from Read's %d", c.name, len(got.Rows), len(want.Rows))
		}
		if s.Expected() != len(want.Rows) {
			t.Errorf("%s: %d rows expected once ended, want %d", c.name, s.Expected(), len(want.Rows))
		}
	}
	// A row whose number does not rise: excelize reads it into the row
	// before, which the stream must not have handed on yet.
	plain := workbook(t, 3000)
	// (Line streamPart+3 is the first row after the first part: the row
	// before it is held back. Line 2*streamPart+503 is inside a part.)
	for _, line := range []int{streamPart + 3, 2*streamPart + 503} {
		data := rewritePart(t, plain, "xl/worksheets/sheet1.xml", func(b []byte) []byte {
			return bytes.Replace(b, []byte(fmt.Sprintf(`<row r="%d"`, line)), []byte(fmt.Sprintf(`<row r="%d"`, line-1)), 1)
		})
		want, err := Read(bytes.NewReader(data), "dup.xlsx")
		if err != nil {
			t.Fatal(err)
		}
		s, err := Stream(bytes.NewReader(data), "dup.xlsx")
		if err != nil {
			t.Fatal(err)
		}
		got, err := drain(t, s)
		if err != nil || !reflect.DeepEqual(got.Rows, want.Rows) || !reflect.DeepEqual(got.Lines, want.Lines) {
			t.Errorf("row %d numbered as the one before: the stream's %d rows differ from Read's %d (%v)", line, len(got.Rows), len(want.Rows), err)
		}
	}
	if _, err := Stream(strings.NewReader("\x00\x01"), "x.bin"); err == nil {
		t.Error("a file that is not a spreadsheet was streamed")
	}
}

// TestStreamEstimate: a large sheet is handed on before it is all read
// (its 20,000 rows take some 0.1 s to scan), with a first estimate of its
// rows near their count.
func TestStreamEstimate(t *testing.T) {
	n := 20 * streamPart
	s, err := Stream(bytes.NewReader(workbook(t, n)), "m.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	first, ended, _ := s.Next(nil, 0)
	if ended || len(first.Rows) >= n {
		t.Errorf("all %d rows were read before the first were handed on", len(first.Rows))
	}
	if e := s.Expected(); e < n*9/10 || e > n*11/10 {
		t.Errorf("estimated %d rows, the sheet has %d", e, n)
	}
	s.Stop()
}

// TestStreamBrokenSheet: a sheet with a cell that cannot be read (a
// reference that is not one) after thousands of rows hands on the rows
// before it and then ends with Read's error.
func TestStreamBrokenSheet(t *testing.T) {
	broken := rewritePart(t, workbook(t, 40*streamPart), "xl/worksheets/sheet1.xml", func(b []byte) []byte {
		i := bytes.Index(b, []byte(`<row r="30000"`))
		return slices.Concat(b[:i], []byte(`<row r="30000"><c r="A!" t="inlineStr"><is><t>0</t></is></c></row>`), b[i:])
	})
	_, readErr := Read(bytes.NewReader(broken), "broken.xlsx")
	s, err := Stream(bytes.NewReader(broken), "broken.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := s.Next(nil, 0)
	got, streamErr := drain(t, s)
	if len(first.Rows) >= 29998 {
		t.Errorf("%d rows handed on first: want the first before the break", len(first.Rows))
	}
	if readErr == nil || streamErr == nil || streamErr.Error() != readErr.Error() {
		t.Fatalf("Read: %v; the stream: %v", readErr, streamErr)
	}
	if len(got.Rows) < 29990 {
		t.Errorf("only %d rows before the break", len(got.Rows))
	}
}

// TestStreamStops: a stream given up ends its reading goroutine.
func TestStreamStops(t *testing.T) {
	n := 50 * streamPart
	data := workbook(t, n)
	before := runtime.NumGoroutine()
	s, err := Stream(bytes.NewReader(data), "m.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	s.Stop()
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before; {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after Stop, %d before", runtime.NumGoroutine(), before)
		}
		time.Sleep(time.Millisecond)
	}
	if tb, _, _ := s.Next(nil, 0); len(tb.Rows) >= n {
		t.Errorf("the stream read all %d rows though stopped", len(tb.Rows))
	}
}

// rewritePart returns the archive with one part changed by fn.
func rewritePart(t *testing.T, data []byte, name string, fn func([]byte) []byte) []byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := zip.NewWriter(&out)
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == name {
			b = fn(b)
		}
		fw, err := w.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(b)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
