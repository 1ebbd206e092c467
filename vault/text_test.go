package vault

import (
	"bytes"
	"compress/zlib"
	"strings"
	"testing"
)

func TestPDFText(t *testing.T) {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte("BT /F1 12 Tf (Hoi nghi tong ket) Tj [(cong tac) -250 (xay dung Dang)] TJ ET"))
	zw.Close()
	pdf := "%PDF-1.4\n1 0 obj << /Length 44 >> stream\nBT (plain \\(stream\\)) Tj ET\nendstream endobj\n" +
		"2 0 obj << /Length 9 /Filter /FlateDecode >> stream\n" + z.String() + "\nendstream endobj\n%%EOF"
	mt, err := Sniff("bao-cao.pdf", []byte(pdf))
	if err != nil {
		t.Fatal(err)
	}
	text, err := ExtractText(mt, []byte(pdf))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"plain (stream)", "Hoi nghi tong ket", "cong tac", "xay dung Dang"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not in %q", want, text)
		}
	}
}

// FuzzExtractText: no input makes sniffing or extraction panic or return
// more than the cap.
func FuzzExtractText(f *testing.F) {
	f.Add("a.pdf", []byte("%PDF-1.4 << >> stream\nBT (x) Tj ET\nendstream"))
	f.Add("a.txt", []byte("Hội nghị"))
	f.Add("a.docx", []byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		mt, err := Sniff(name, data)
		if err != nil {
			return
		}
		text, _ := ExtractText(mt, data)
		if len(text) > MaxText {
			t.Fatalf("text of %d bytes", len(text))
		}
	})
}
