package sheet

import (
	"io"

	"partyworks"
)

// streamPart is how many rows the stream hands on at a time.
const streamPart = 1000

// Stream reads a table as Read does, the same rows, but an XLSX that the
// fast reader reads is returned once its first rows are scanned, and the
// rest of the sheet is scanned on another goroutine while the caller uses
// the first rows (an import of 100,000 rows spent 0.5 s scanning before its
// first row went in). The estimate of its rows (TableStream.Expected) is
// the rows so far scaled by the share of the sheet read. Should the scanner
// meet something only excelize reads after it has handed rows on, the rest
// comes from excelize (the same rows); a sheet excelize cannot read either
// ends the stream with its error, after the rows before it. CSV and the
// other XLSX files are read whole, as an ended stream.
func Stream(r io.Reader, name string) (*partyworks.TableStream, error) {
	data, err := readAll(r, name)
	if err != nil {
		return nil, err
	}
	if isXLSX(data) {
		if fs, ok := openXLSXFast(data); ok {
			if s := streamXLSX(fs, data, name); s != nil {
				return s, nil
			}
		}
	}
	t, err := parse(data, name)
	if err != nil {
		return nil, err
	}
	return partyworks.StreamOf(t), nil
}

// streamXLSX scans fs on a goroutine into a stream, returned once the
// first streamPart rows are read (or the sheet is), nil if the scanner
// gave up before that (nothing handed on: the caller reads the file whole).
func streamXLSX(fs *fastSheet, data []byte, name string) *partyworks.TableStream {
	first := make(chan *partyworks.TableStream, 1)
	go func() {
		var (
			s          *partyworks.TableStream
			header     []string
			rows       [][]string
			lines      []int
			headEnd    int
			last       int // the last row handed on
			sent, gone bool
		)
		// flush hands the rows read on; the first time, it makes the
		// stream and its estimate.
		flush := func(at int) bool {
			if !sent {
				expect := len(rows)
				if at > headEnd {
					expect = int(int64(len(rows)) * int64(len(fs.b)-headEnd) / int64(at-headEnd))
				}
				s = partyworks.NewTableStream(header, max(expect, len(rows)))
				s.Add(rows, lines)
				first <- s
				sent = true
			} else if !s.Add(rows, lines) {
				gone = true
				return false
			}
			if len(lines) > 0 {
				last = lines[len(lines)-1]
			}
			rows, lines = make([][]string, 0, streamPart), make([]int, 0, streamPart)
			return true
		}
		ok := fs.scan(func(cells []string, line, at int) bool {
			if header == nil {
				header, headEnd = cells, at
				return true
			}
			rows, lines = append(rows, cells), append(lines, line)
			if len(rows) == streamPart {
				return flush(at)
			}
			return true
		})
		switch {
		case gone:
			return
		case ok: // (after a header: scan refuses a sheet without one)
			if len(rows) > 0 || !sent {
				flush(len(fs.b))
			}
			s.End(nil)
			return
		case !sent:
			first <- nil // nothing handed on: read whole
			return
		}
		// Refused after rows were handed on: excelize reads the rest.
		if len(rows) > 0 && !flush(len(fs.b)) {
			return
		}
		t, err := readXLSXExcelize(data, name)
		if err != nil {
			s.End(err)
			return
		}
		k := 0
		for k < len(t.Lines) && t.Lines[k] <= last {
			k++
		}
		if k < len(t.Rows) && !s.Add(t.Rows[k:], t.Lines[k:]) {
			return
		}
		s.End(nil)
	}()
	return <-first
}
