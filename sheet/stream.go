package sheet

import (
	"bytes"
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
// the rows so far scaled by the share of the sheet's rows read. Should the
// scanner meet something only excelize reads after it has handed rows on,
// the rest comes from excelize, slowly (TableStream.SetSlow), and a sheet
// excelize cannot read either ends the stream with Read's error, after the
// rows before it. CSV and the other XLSX files are read whole, as an ended
// stream. The archive itself (its checksums) is checked before any row is
// handed on.
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
			s       *partyworks.TableStream
			header  []string
			rows    [][]string
			lines   []int
			headEnd int
			last    int // the last row handed on
			sent    bool
		)
		defer func() {
			if r := recover(); r != nil {
				if !sent {
					first <- nil // the whole read meets it again, on the caller's goroutine (the web recovers it; the CLI stops, as with Read)
				} else {
					s.End(partyworks.Errorf(partyworks.EINVALID, "%s could not be read: %v", name, r))
				}
			}
		}()
		// The rows of the sheet end at </sheetData>: what follows is no
		// row, and counts for no estimate.
		rowsEnd := bytes.LastIndex(fs.b, []byte("</sheetData>"))
		if rowsEnd < 0 {
			rowsEnd = len(fs.b)
		}
		// flush hands on the rows read but the last: excelize reads a row
		// again with the next one when their numbers do not rise, so a row
		// goes only once the next has begun as the scanner reads it (or
		// the sheet has ended). The first time, it makes the stream and
		// its estimate.
		flush := func(keep, at int) bool {
			n := len(rows) - keep
			if !sent {
				expect := n
				if at > headEnd && at < rowsEnd {
					expect = int(int64(n) * int64(rowsEnd-headEnd) / int64(at-headEnd))
				}
				s = partyworks.NewTableStream(header, max(expect, n))
				s.Add(rows[:n], lines[:n])
				first <- s
				sent = true
			} else if !s.Add(rows[:n], lines[:n]) {
				return false
			}
			if n > 0 {
				last = lines[n-1]
			}
			rows, lines = append(make([][]string, 0, streamPart+1), rows[n:]...), append(make([]int, 0, streamPart+1), lines[n:]...)
			return true
		}
		gone := false
		ok := fs.scan(func(cells []string, line, at int) bool {
			if header == nil {
				header, headEnd = cells, at
				return true
			}
			rows, lines = append(rows, cells), append(lines, line)
			if len(rows) > streamPart && !flush(1, at) {
				gone = true
				return false
			}
			return true
		})
		switch {
		case gone:
			return
		case ok: // (after a header: scan refuses a sheet without one)
			flush(0, rowsEnd)
			s.End(nil) // (nothing, if stopped: Stop ended it)
			return
		case !sent:
			first <- nil // nothing handed on: read whole
			return
		}
		// Refused after rows were handed on: excelize reads the sheet
		// again, from the start, and the rows after the last handed on
		// follow, a part at a time.
		s.SetSlow()
		if s.Stopped() {
			return
		}
		rows, lines = rows[:0], lines[:0]
		_, err := excelizeRows(data, name, func(rec []string, line int) bool {
			if line <= last {
				return !s.Stopped()
			}
			rows, lines = append(rows, rec), append(lines, line)
			if len(rows) == streamPart {
				if !s.Add(rows, lines) {
					return false
				}
				rows, lines = nil, nil
			}
			return true
		})
		if len(rows) > 0 {
			s.Add(rows, lines)
		}
		s.End(err)
	}()
	return <-first
}
