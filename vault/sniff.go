package vault

import (
	"archive/zip"
	"bytes"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"partyworks"
)

// MaxFileSize caps an attached file.
const MaxFileSize = 20 << 20

// The media types a document may carry, by extension.
var mediaTypes = map[string]string{
	".pdf":  "application/pdf",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".txt":  "text/plain; charset=utf-8",
	".png":  "image/png",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
}

// Sniff checks a file's size and that its content is what its extension
// says, and returns its media type. The content decides: net/http's
// sniffer plus the magic numbers of PDF, and for DOCX and XLSX a ZIP whose
// parts are those of a Word document or an Excel workbook.
func Sniff(name string, data []byte) (string, error) {
	ext := strings.ToLower(filepath.Ext(name))
	want, ok := mediaTypes[ext]
	if !ok {
		return "", partyworks.FieldErrorf("file", "files of type %q are not accepted: attach PDF, DOCX, XLSX, TXT, PNG or JPEG", ext)
	}
	if len(data) == 0 {
		return "", partyworks.FieldErrorf("file", "the file is empty")
	}
	if len(data) > MaxFileSize {
		return "", partyworks.FieldErrorf("file", "the file is larger than %d MiB", MaxFileSize>>20)
	}
	sniffed := http.DetectContentType(data)
	bad := func() (string, error) {
		return "", partyworks.FieldErrorf("file", "the content of %q is not a %s file (it looks like %s)", name, strings.ToUpper(ext[1:]), strings.Split(sniffed, ";")[0])
	}
	switch ext {
	case ".pdf":
		if !bytes.HasPrefix(data, []byte("%PDF-")) {
			return bad()
		}
	case ".docx", ".xlsx":
		if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
			return bad()
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return bad()
		}
		part := "word/document.xml"
		if ext == ".xlsx" {
			part = "xl/workbook.xml"
		}
		if !hasPart(zr, "[Content_Types].xml") || !hasPart(zr, part) {
			return bad()
		}
	case ".txt":
		if !strings.HasPrefix(sniffed, "text/plain") || !utf8.Valid(data) {
			return bad()
		}
	case ".png", ".jpg", ".jpeg":
		if sniffed != want {
			return bad()
		}
	}
	return want, nil
}

func hasPart(zr *zip.Reader, name string) bool {
	for _, f := range zr.File {
		if f.Name == name {
			return true
		}
	}
	return false
}
