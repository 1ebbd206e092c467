package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"partyworks"
)

// readXLSXFast reads the first sheet of an XLSX file straight from the
// archive, with a scanner made for the few elements of a sheet's cells,
// when the file is one whose every cell excelize would return unformatted:
// no cell carries a style (a style may carry a number format: a date typed
// in Excel is a number shown through one), and nothing in the sheet is
// outside what it understands. ok is false otherwise, and readXLSX reads the
// file through excelize: the same table, about 20 times slower (excelize
// decodes each cell with encoding/xml). TestFastXLSXMatchesExcelize holds
// the two to the same tables.
func readXLSXFast(data []byte) (t *partyworks.Table, ok bool) {
	fs, ok := openXLSXFast(data)
	if !ok {
		return nil, false
	}
	t = &partyworks.Table{}
	ok = fs.scan(func(cells []string, line, _ int) bool {
		if t.Header == nil {
			t.Header = cells
		} else {
			t.Rows = append(t.Rows, cells)
			t.Lines = append(t.Lines, line)
		}
		return true
	})
	return t, ok
}

// fastSheet is a first sheet the fast reader may scan: its XML, the shared
// strings and which styles are plain.
type fastSheet struct {
	b     []byte
	sst   []string
	plain []bool
}

// scan hands each row that is not blank to add, the header first, with
// its sheet row and where it ends in b; ok false where excelize must
// read the sheet (scanSheet). add returns false to stop (ok then true).
func (fs *fastSheet) scan(add func(cells []string, line, at int) bool) bool {
	return scanSheet(fs.b, fs.sst, fs.plain, add)
}

// openXLSXFast unzips the first sheet of an XLSX file and what its cells
// refer to, when the fast reader may read it (readXLSXFast).
func openXLSXFast(data []byte) (*fastSheet, bool) {
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, false
	}
	files := map[string]*zip.File{}
	var total uint64
	for _, f := range z.File {
		files[f.Name] = f
		total += f.UncompressedSize64
	}
	if total > 1<<30 { // excelize's UnzipSizeLimit, as readXLSX sets it
		return nil, false
	}
	read := func(name string) ([]byte, bool) {
		f := files[name]
		if f == nil || f.UncompressedSize64 > 256<<20 { // UnzipXMLSizeLimit
			return nil, false
		}
		r, err := f.Open()
		if err != nil {
			return nil, false
		}
		defer r.Close()
		// The declared size is the archive's word: start at most at
		// 16 MiB, and only once that much has really come take the
		// declared size (at most 256 MiB, above): the reader fails a file
		// longer than it declared. (append's growth by a quarter copied a
		// 60 MB sheet a dozen times: 0.23 s of a 0.95 s read.)
		b := make([]byte, 0, min(f.UncompressedSize64, 16<<20)+1)
		for {
			n, err := r.Read(b[len(b):cap(b)])
			b = b[:len(b)+n]
			if err == io.EOF {
				return b, true
			} else if err != nil {
				return nil, false
			}
			if len(b) == cap(b) {
				nb := make([]byte, len(b), max(uint64(2*cap(b)), f.UncompressedSize64+1))
				copy(nb, b)
				b = nb
			}
		}
	}
	sheetPath, ok := firstSheetPath(read)
	if !ok {
		return nil, false
	}
	var sst []string
	if _, has := files["xl/sharedStrings.xml"]; has {
		b, ok := read("xl/sharedStrings.xml")
		if !ok {
			return nil, false
		}
		if !utf8.Valid(b) {
			return nil, false
		}
		if sst, ok = scanSharedStrings(b); !ok {
			return nil, false
		}
	}
	var plain []bool
	if _, has := files["xl/styles.xml"]; has {
		b, ok := read("xl/styles.xml")
		if !ok {
			return nil, false
		}
		if plain, ok = plainStyles(b); !ok {
			return nil, false
		}
	}
	b, ok := read(sheetPath)
	if !ok || !utf8.Valid(b) {
		return nil, false
	}
	return &fastSheet{b: b, sst: sst, plain: plain}, true
}

// plainStyles reports, per cell style (cellXfs), whether excelize returns
// a text cell of that style unchanged: its number format is General or
// text ("@"), built in (0, 49) or custom with that code, as LibreOffice
// writes them. (Such a format leaves text alone; numbers General may
// round, so styled numbers are left to excelize.)
func plainStyles(b []byte) ([]bool, bool) {
	var ss struct {
		NumFmts []struct {
			ID     int    `xml:"numFmtId,attr"`
			Code   string `xml:"formatCode,attr"`
			Code16 string `xml:"http://schemas.microsoft.com/office/spreadsheetml/2015/02/main formatCode16,attr"`
		} `xml:"numFmts>numFmt"`
		Xfs []struct {
			NumFmtID *int `xml:"numFmtId,attr"`
		} `xml:"cellXfs>xf"`
	}
	if xml.Unmarshal(b, &ss) != nil {
		return nil, false
	}
	textFmt := map[int]bool{0: true, 49: true}
	for _, f := range ss.NumFmts {
		code := f.Code
		if f.Code16 != "" {
			code = f.Code16
		}
		textFmt[f.ID] = code == "General" || code == "@"
	}
	plain := make([]bool, len(ss.Xfs))
	for i, x := range ss.Xfs {
		id := 0
		if x.NumFmtID != nil {
			id = *x.NumFmtID
		}
		plain[i] = textFmt[id]
	}
	return plain, true
}

// firstSheetPath finds the first sheet of the workbook (excelize's
// GetSheetList()[0]) and its part in the archive.
func firstSheetPath(read func(string) ([]byte, bool)) (string, bool) {
	wb, ok := read("xl/workbook.xml")
	if !ok {
		return "", false
	}
	var w struct {
		Sheets []struct {
			RID string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if xml.Unmarshal(wb, &w) != nil || len(w.Sheets) == 0 || w.Sheets[0].RID == "" {
		return "", false
	}
	rb, ok := read("xl/_rels/workbook.xml.rels")
	if !ok {
		return "", false
	}
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
			Type   string `xml:"Type,attr"`
		} `xml:"Relationship"`
	}
	if xml.Unmarshal(rb, &rels) != nil {
		return "", false
	}
	for _, r := range rels.Rel {
		if r.ID == w.Sheets[0].RID {
			if !strings.HasSuffix(r.Type, "/worksheet") {
				return "", false
			}
			if strings.HasPrefix(r.Target, "/") {
				return strings.TrimPrefix(r.Target, "/"), true
			}
			return path.Join("xl", r.Target), true
		}
	}
	return "", false
}

// xscan walks an XML document tag by tag. It refuses (ok false) what it
// does not handle: CDATA, DOCTYPE, carriage returns in text (encoding/xml
// rewrites them), unknown entities.
type xscan struct {
	b []byte
	i int
}

type xtag struct {
	name  []byte // local name; prefixed names are refused by the callers
	attrs []byte // the raw attributes
	end   bool   // </name>
	empty bool   // <name/>
}

// next returns the next tag and the text before it; done at the end.
func (x *xscan) next() (text []byte, tag xtag, done, ok bool) {
	start := x.i
	for {
		j := bytes.IndexByte(x.b[x.i:], '<')
		if j < 0 {
			return x.b[start:], xtag{}, true, true
		}
		lt := x.i + j
		rest := x.b[lt+1:]
		// A processing instruction or a comment between tags is skipped;
		// any other markup that is not a tag (CDATA, a DTD) is not plain.
		var close string
		switch {
		case bytes.HasPrefix(rest, []byte("?")):
			close = "?>"
		case bytes.HasPrefix(rest, []byte("!--")):
			close = "-->"
		case bytes.HasPrefix(rest, []byte("!")):
			return nil, xtag{}, false, false
		}
		if close != "" {
			k := bytes.Index(rest, []byte(close))
			if k < 0 || len(bytes.TrimSpace(x.b[start:lt])) > 0 {
				return nil, xtag{}, false, false
			}
			x.i = lt + 1 + k + len(close)
			start = x.i
			continue
		}
		k := bytes.IndexByte(rest, '>')
		if k < 0 {
			return nil, xtag{}, false, false
		}
		body := rest[:k]
		x.i = lt + 1 + k + 1
		text = x.b[start:lt]
		if bytes.IndexByte(text, '\r') >= 0 {
			return nil, xtag{}, false, false
		}
		if len(body) > 0 && body[0] == '/' {
			tag.end = true
			body = body[1:]
		} else if len(body) > 0 && body[len(body)-1] == '/' {
			tag.empty = true
			body = body[:len(body)-1]
		}
		n := bytes.IndexAny(body, " \t\n\r")
		if n < 0 {
			n = len(body)
		}
		tag.name, tag.attrs = body[:n], body[n:]
		return text, tag, false, true
	}
}

// attrs calls fn with each attribute's name and raw value; false if they
// do not parse.
func attrs(b []byte, fn func(name, val []byte)) bool {
	for {
		for len(b) > 0 && isSpace(b[0]) {
			b = b[1:]
		}
		if len(b) == 0 {
			return true
		}
		eq := bytes.IndexByte(b, '=')
		if eq < 0 || eq+1 >= len(b) {
			return false
		}
		key := b[:eq]
		for len(key) > 0 && isSpace(key[len(key)-1]) {
			key = key[:len(key)-1]
		}
		q := b[eq+1]
		if q != '"' && q != '\'' {
			return false
		}
		end := bytes.IndexByte(b[eq+2:], q)
		if end < 0 {
			return false
		}
		fn(key, b[eq+2:eq+2+end])
		b = b[eq+2+end+1:]
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// attr returns the value of attribute name (unprefixed) in raw attributes:
// the value, whether it is there, and whether the attributes parse.
func attr(b []byte, name string) (string, bool, bool) {
	var val []byte
	has := false
	if !attrs(b, func(k, v []byte) {
		if string(k) == name {
			val, has = v, true
		}
	}) {
		return "", false, false
	}
	if !has {
		return "", false, true
	}
	v, ok := unescape(val)
	return v, true, ok
}

// unescape replaces XML's entities and character references.
func unescape(b []byte) (string, bool) {
	if bytes.IndexByte(b, '&') < 0 {
		return string(b), true
	}
	var out []byte
	for len(b) > 0 {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			out = append(out, b...)
			break
		}
		out = append(out, b[:i]...)
		b = b[i+1:]
		j := bytes.IndexByte(b, ';')
		if j < 0 {
			return "", false
		}
		ent := string(b[:j])
		b = b[j+1:]
		switch ent {
		case "lt":
			out = append(out, '<')
		case "gt":
			out = append(out, '>')
		case "amp":
			out = append(out, '&')
		case "quot":
			out = append(out, '"')
		case "apos":
			out = append(out, '\'')
		default:
			var n uint64
			var err error
			switch {
			case strings.HasPrefix(ent, "#x"):
				n, err = strconv.ParseUint(ent[2:], 16, 32)
			case strings.HasPrefix(ent, "#"):
				n, err = strconv.ParseUint(ent[1:], 10, 32)
			default:
				return "", false
			}
			if err != nil || n == '\r' || !utf8.ValidRune(rune(n)) {
				return "", false
			}
			out = utf8.AppendRune(out, rune(n))
		}
	}
	return string(out), true
}

// scanSharedStrings reads the shared strings: each <si>'s own <t> and the
// <t> of its runs (<r>), as excelize's xlsxSI.String joins them; phonetic
// runs are left out as it leaves them. A string with _xHHHH_ escapes is
// refused (excelize decodes them).
func scanSharedStrings(b []byte) ([]string, bool) {
	x := &xscan{b: b}
	var out []string
	var cur strings.Builder
	depth := []string{} // open elements inside <si>
	in, inT := false, false
	for {
		text, tag, done, ok := x.next()
		if !ok {
			return nil, false
		}
		if inT {
			s, ok := unescape(text)
			if !ok {
				return nil, false
			}
			cur.WriteString(s)
		}
		if done {
			break
		}
		name := string(tag.name)
		if strings.IndexByte(name, ':') >= 0 {
			return nil, false
		}
		switch {
		case name == "si" && !tag.end:
			if tag.empty {
				out = append(out, "")
				continue
			}
			in, depth = true, depth[:0]
			cur.Reset()
		case name == "si" && tag.end:
			s := cur.String()
			if strings.Contains(s, "_x") {
				return nil, false
			}
			out = append(out, s)
			in = false
		case !in:
		case tag.end:
			if len(depth) == 0 || depth[len(depth)-1] != name {
				return nil, false
			}
			depth = depth[:len(depth)-1]
			inT = false
		case tag.empty:
		default:
			depth = append(depth, name)
			inT = name == "t" && (len(depth) == 1 || len(depth) == 2 && depth[0] == "r")
		}
	}
	return out, true
}

// scanSheet reads the rows of a sheet as readXLSX does through excelize's
// Rows iterator: a row's number from its r attribute (else the one after
// the last), cells placed by their reference, trailing and empty cells
// dropped, and blank rows skipped. plain says which styles leave text as
// it is (plainStyles). Each row read is handed to add (the header first)
// with its number and the offset in b where it ends; rows handed on are
// rows excelize reads the same, even when ok is false later (what the
// scanner refuses comes after them). ok is false where excelize must read
// the sheet, true at </sheetData> after a header or when add returns false.
func scanSheet(b []byte, sst []string, plain []bool, add func(cells []string, line, at int) bool) bool {
	x := &xscan{b: b}
	for { // to <sheetData>
		_, tag, done, ok := x.next()
		if !ok || done {
			return false
		}
		if is(tag.name, "sheetData") && !tag.end {
			if tag.empty {
				return false // an empty sheet: excelize's message
			}
			break
		}
	}
	row := 0
	var cells []string
	header, stopped := false, false
	endRow := func() {
		if !blank(cells) {
			header = true
			stopped = !add(cells, row, x.i)
		}
		cells = nil
	}
	// The cell being read.
	var (
		col, style       int
		typ, v, inline   string
		hasF, hasIS      bool
		inV, inCell      bool
		inIS, inIST      bool
		isDepth          []string
		refOK, styled    bool
		refCol, styleErr int
	)
	for {
		text, tag, done, ok := x.next()
		if stopped {
			return true
		}
		if !ok || done {
			return false // no </sheetData>
		}
		if inV || inIST {
			s, ok := unescape(text)
			if !ok {
				return false
			}
			if inV {
				v += s
			} else {
				inline += s
			}
		}
		if bytes.IndexByte(tag.name, ':') >= 0 {
			return false
		}
		switch {
		case inIS:
			switch {
			case is(tag.name, "is") && tag.end:
				inIS, inIST = false, false
			case tag.end:
				if len(isDepth) == 0 || isDepth[len(isDepth)-1] != string(tag.name) {
					return false
				}
				isDepth = isDepth[:len(isDepth)-1]
				inIST = false
			case tag.empty:
			default:
				isDepth = append(isDepth, string(tag.name))
				inIST = is(tag.name, "t") && (len(isDepth) == 1 || len(isDepth) == 2 && isDepth[0] == "r")
			}
		case inCell:
			switch {
			case is(tag.name, "c") && tag.end:
				inCell = false
				val, ok := cellValue(typ, v, inline, hasIS, sst)
				if !ok {
					return false
				}
				if val != "" || hasF {
					for i := len(cells) + 1; i < col; i++ {
						cells = append(cells, "")
					}
					cells = append(cells, val)
				}
			case is(tag.name, "v"):
				switch {
				case tag.empty:
					v = ""
				case tag.end:
					inV = false
				default:
					inV, v = true, ""
				}
			case is(tag.name, "f"):
				hasF = true
				if !tag.empty && !tag.end {
					for { // the formula's text, up to </f>
						_, ft, fdone, fok := x.next()
						if !fok || fdone {
							return false
						}
						if is(ft.name, "f") && ft.end {
							break
						}
					}
				}
			case is(tag.name, "is") && !tag.end:
				hasIS, inline = true, ""
				if !tag.empty {
					inIS, isDepth = true, isDepth[:0]
				}
			}
		case is(tag.name, "c") && !tag.end:
			col++
			typ, v, inline, hasF, hasIS = "", "", "", false, false
			refOK, styled, refCol, styleErr, style = true, false, 0, 0, 0
			if !attrs(tag.attrs, func(k, val []byte) {
				switch string(k) {
				case "r":
					if len(val) > 0 {
						refCol, refOK = columnOf(val)
					}
				case "s":
					if string(val) != "0" {
						n, err := strconv.Atoi(string(val))
						if err != nil || n < 0 {
							styleErr = 1
						}
						styled, style = true, n
					}
				case "t":
					typ = cellType(val)
				}
			}) || !refOK || styleErr != 0 || typ == "?" {
				return false
			}
			if refCol > 0 {
				col = refCol
			}
			if styled {
				// excelize formats a styled value through its number
				// format: text is left alone by General and "@", and a
				// formula's text result is returned as it is.
				switch {
				case typ == "str":
				case (typ == "s" || typ == "inlineStr") && plain != nil && (style >= len(plain) || plain[style]):
				default:
					return false
				}
			}
			inCell = !tag.empty // <c r="A1"/> has no value: nothing is added
		case is(tag.name, "row") && !tag.end:
			r, has, ok := attr(tag.attrs, "r")
			if !ok {
				return false
			}
			next := row + 1
			if has {
				n, err := strconv.Atoi(r)
				if err != nil || n <= row || n > 1048576 {
					return false
				}
				next = n
			}
			row, col, cells = next, 0, nil
			if tag.empty {
				endRow()
			}
		case is(tag.name, "row") && tag.end:
			endRow()
		case is(tag.name, "sheetData") && tag.end:
			return header
		}
	}
}

// is reports whether name is s.
func is(name []byte, s string) bool { return string(name) == s }

// cellType is a cell's t attribute ("?" for one with an entity).
func cellType(b []byte) string {
	switch string(b) {
	case "":
		return ""
	case "s":
		return "s"
	case "str":
		return "str"
	case "inlineStr":
		return "inlineStr"
	case "b":
		return "b"
	case "n":
		return "n"
	case "e":
		return "e"
	case "d":
		return "d"
	}
	if bytes.IndexByte(b, '&') >= 0 {
		return "?"
	}
	return string(b)
}

// columnOf is the column number of a cell reference ("B12" → 2).
func columnOf(ref []byte) (int, bool) {
	c, i := 0, 0
	for i < len(ref) && (ref[i] >= 'A' && ref[i] <= 'Z' || ref[i] >= 'a' && ref[i] <= 'z') {
		c = c*26 + int(ref[i]|0x20-'a'+1)
		i++
	}
	if i == 0 || i > 3 || i == len(ref) || c > 16384 {
		return 0, false
	}
	if r, err := strconv.Atoi(string(ref[i:])); err != nil || r < 1 || r > 1048576 || ref[i] == '+' {
		return 0, false
	}
	return c, true
}

// cellValue is excelize's value of an unstyled cell (xlsxC.getValueFrom
// with raw false and style 0).
func cellValue(typ, v, is string, hasIS bool, sst []string) (string, bool) {
	switch typ {
	case "b":
		switch v {
		case "1":
			return "TRUE", true
		case "0":
			return "FALSE", true
		}
		return v, true
	case "d":
		return "", false
	case "s":
		if v == "" {
			return "", true
		}
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || i < 0 || i >= len(sst) {
			return "", false
		}
		return sst[i], true
	case "str":
		return v, true
	case "inlineStr":
		if hasIS {
			if strings.Contains(is, "_x") {
				return "", false
			}
			return is, true
		}
		return v, true
	}
	// A number (or anything else): excelize's getCellDefault.
	if strings.Contains(v, "_") {
		return v, true
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return v, true
	}
	plain := strconv.FormatFloat(f, 'f', -1, 64)
	if len(plain)-strings.Count(plain, ".") > 15 && !withinPrecision(v) {
		return strconv.FormatFloat(f, 'G', 15, 64), true
	}
	return plain, true
}

// withinPrecision is excelize's isNumWithinPrecision: an integer whose
// digits past the 15th are zeros.
func withinPrecision(s string) bool {
	if strings.ContainsAny(s, ".Ee") {
		return false
	}
	s = strings.TrimLeft(s, "+-0")
	return len(strings.TrimRight(s, "0")) <= 15
}
