package vault

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"partyworks"
)

// Caps on text extraction: a part of a DOCX or XLSX may not inflate past
// MaxPartSize (a zip bomb is refused, not unpacked), and the text kept for
// search stops at MaxText.
const (
	MaxPartSize = 32 << 20
	MaxText     = 1 << 20
	maxParts    = 2000
)

// ErrZipBomb is the error for an archive that inflates past the caps.
var ErrZipBomb = partyworks.FieldErrorf("file", "the file inflates to more than %d MiB when unpacked: it is refused", MaxPartSize>>20)

// ExtractText returns the text of a file for search: TXT as it is, DOCX
// (the body's w:t runs) and XLSX (the shared strings) by unzipping their
// XML under caps, PDF from its uncompressed and Flate-compressed content
// streams (literal strings of the Tj and TJ operators only: fonts with
// custom encodings, as most Vietnamese PDFs use, give no text). Other
// types have no text.
func ExtractText(mediaType string, data []byte) (string, error) {
	var s string
	var err error
	switch {
	case strings.HasPrefix(mediaType, "text/plain"):
		s = string(data)
	case mediaType == mediaTypes[".docx"]:
		s, err = zipText(data, "word/document.xml", "t", "p")
	case mediaType == mediaTypes[".xlsx"]:
		s, err = zipText(data, "xl/sharedStrings.xml", "t", "si")
	case mediaType == mediaTypes[".pdf"]:
		s = pdfText(data)
	}
	if err != nil {
		return "", err
	}
	if len(s) > MaxText {
		s = s[:MaxText]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s, nil
}

// zipText reads the character data of the elements named text inside one
// part of a ZIP, a newline after each element named block.
func zipText(data []byte, part, text, block string) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", partyworks.FieldErrorf("file", "the file is not a valid ZIP archive")
	}
	if len(zr.File) > maxParts {
		return "", ErrZipBomb
	}
	for _, f := range zr.File {
		if f.Name != part {
			continue
		}
		if f.UncompressedSize64 > MaxPartSize {
			return "", ErrZipBomb
		}
		rc, err := f.Open()
		if err != nil {
			return "", partyworks.FieldErrorf("file", "the file's %s cannot be read", part)
		}
		defer rc.Close()
		// The header's size may lie: count what actually inflates.
		lr := &capReader{r: rc, left: MaxPartSize}
		s, err := xmlText(lr, text, block)
		if lr.over {
			return "", ErrZipBomb
		}
		return s, err
	}
	return "", nil
}

type capReader struct {
	r    io.Reader
	left int64
	over bool
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		c.over = true
		return 0, errors.New("cap reached")
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

func xmlText(r io.Reader, text, block string) (string, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = false
	var b strings.Builder
	in := 0
	for b.Len() < MaxText {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		} else if err != nil {
			return b.String(), nil // keep what was read before the fault
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == text {
				in++
			}
		case xml.EndElement:
			if t.Name.Local == text && in > 0 {
				in--
			}
			if t.Name.Local == block {
				b.WriteByte('\n')
			}
		case xml.CharData:
			if in > 0 {
				b.Write(t)
			}
		}
	}
	return b.String(), nil
}

var (
	pdfStream = regexp.MustCompile(`(?s)<<(.{0,800}?)>>\s*stream\r?\n`)
	pdfTextOp = regexp.MustCompile(`(?s)\((?:\\.|[^\\)])*\)\s*Tj|\[(?:[^\]]*)\]\s*TJ`)
	pdfString = regexp.MustCompile(`(?s)\((?:\\.|[^\\)])*\)`)
)

// pdfText pulls the literal strings shown by Tj and TJ out of a PDF's
// content streams, inflating Flate streams under the cap.
func pdfText(data []byte) string {
	var b strings.Builder
	for _, m := range pdfStream.FindAllSubmatchIndex(data, -1) {
		if b.Len() >= MaxText {
			break
		}
		dict := data[m[2]:m[3]]
		start := m[1]
		end := bytes.Index(data[start:], []byte("endstream"))
		if end < 0 {
			break
		}
		body := data[start : start+end]
		if bytes.Contains(dict, []byte("/FlateDecode")) {
			zr, err := zlib.NewReader(bytes.NewReader(body))
			if err != nil {
				continue
			}
			body, _ = io.ReadAll(io.LimitReader(zr, MaxPartSize))
			zr.Close()
		} else if bytes.Contains(dict, []byte("/Filter")) {
			continue // other filters (images, fonts) hold no text
		}
		for _, op := range pdfTextOp.FindAll(body, -1) {
			for _, lit := range pdfString.FindAll(op, -1) {
				b.WriteString(pdfUnescape(lit[1 : len(lit)-1]))
			}
			b.WriteByte(' ')
		}
		b.WriteByte('\n')
	}
	return strings.ToValidUTF8(b.String(), "")
}

func pdfUnescape(s []byte) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 'r', 't', 'b', 'f':
			b.WriteByte(' ')
		default:
			if s[i] >= '0' && s[i] <= '7' {
				v, j := 0, i
				for ; j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7'; j++ {
					v = v*8 + int(s[j]-'0')
				}
				b.WriteRune(rune(v)) // PDFDocEncoding ≈ Latin-1 for text
				i = j - 1
			} else {
				b.WriteByte(s[i])
			}
		}
	}
	return b.String()
}
