package partyworks_test

import (
	"testing"

	"partyworks"
)

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{"2025-07-01": "2025-07-01", "01/07/2025": "2025-07-01", "1/7/2025": "2025-07-01", " 30/06/2025 ": "2025-06-30"} {
		d, err := partyworks.ParseDate(in)
		if err != nil || partyworks.FormatDate(d) != want {
			t.Errorf("ParseDate(%q) = %v, %v", in, d, err)
		}
	}
	for _, in := range []string{"", "31/02/2025", "2025-13-01", "07/01/25", "hôm nay"} {
		if _, err := partyworks.ParseDate(in); partyworks.ErrorCode(err) != partyworks.EINVALID {
			t.Errorf("ParseDate(%q): %v", in, err)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2025-07-01", "01/07/2025", "1/7/2025", "31/02/2025", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := partyworks.ParseDate(s)
		if err != nil {
			return
		}
		again, err := partyworks.ParseDate(partyworks.FormatDate(d))
		if err != nil || !again.Equal(d) {
			t.Fatalf("%q → %v → %q → %v %v", s, d, partyworks.FormatDate(d), again, err)
		}
	})
}
