package partyworks_test

import (
	"strings"
	"testing"

	"partyworks"
)

func TestParseSymbol(t *testing.T) {
	for _, s := range []string{"18-NQ/TW", "35-CT/TW", "439-KH/TU", "294-QĐ/TW", "36-HD/VPTW", "8011-CV/BTCTW", "09-KH/ĐU", "10-HD/HU", "60-NQ/TW"} {
		sym, err := partyworks.ParseSymbol(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if sym.State {
			t.Errorf("%s: parsed as the state form", s)
		}
		if got := sym.String(); got != strings.TrimPrefix(s, "0") {
			t.Errorf("%s: String() = %s", s, got)
		}
	}
	for _, s := range []string{"1679/NQ-UBTVQH15", "1027/CTK-CSCL"} {
		sym, err := partyworks.ParseSymbol(s)
		if err != nil || !sym.State || sym.String() != s {
			t.Errorf("%s: %+v %v", s, sym, err)
		}
	}
	sym, _ := partyworks.ParseSymbol("1679/NQ-UBTVQH15")
	if sym.Number != 1679 || sym.Type != "NQ" || sym.Issuer != "UBTVQH15" {
		t.Errorf("fields: %+v", sym)
	}
	for _, s := range []string{"", "NQ/TW", "18NQ/TW", "18-NQ", "18-XX/TW", "0-NQ/TW", "18-NQ/", "18-NQ/T<W", "1679/NQUBTVQH15"} {
		_, err := partyworks.ParseSymbol(s)
		if partyworks.ErrorCode(err) != partyworks.EINVALID {
			t.Errorf("%q: want invalid, got %v", s, err)
		} else if !strings.Contains(partyworks.ErrorMessage(err), "18-NQ/TW") {
			t.Errorf("%q: message does not show the expected forms: %s", s, partyworks.ErrorMessage(err))
		}
	}
}

func FuzzParseSymbol(f *testing.F) {
	for _, s := range []string{"18-NQ/TW", "1679/NQ-UBTVQH15", "09-KH/ĐU", "", "1-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sym, err := partyworks.ParseSymbol(s)
		if err != nil {
			return
		}
		again, err := partyworks.ParseSymbol(sym.String())
		if err != nil || again != sym {
			t.Fatalf("round trip of %q: %+v -> %q -> %+v, %v", s, sym, sym.String(), again, err)
		}
	})
}
