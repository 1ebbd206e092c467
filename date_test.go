package partyworks_test

import (
	"testing"
	"time"

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

// ISODate and ParseISODate are time's Format and Parse of DateLayout,
// faster: the same answers for every day of 1899–2101, the zero time, and
// malformed or impossible days.
func TestISODateMatchesTime(t *testing.T) {
	for d := time.Date(1899, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2102; d = d.AddDate(0, 0, 1) {
		if got, want := partyworks.ISODate(d), d.Format(partyworks.DateLayout); got != want {
			t.Fatalf("partyworks.ISODate(%v) = %q, want %q", d, got, want)
		}
	}
	for _, d := range []time.Time{{}, partyworks.Forever, time.Date(12, 3, 4, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)} {
		if got, want := partyworks.ISODate(d), d.Format(partyworks.DateLayout); got != want {
			t.Errorf("partyworks.ISODate(%v) = %q, want %q", d, got, want)
		}
	}
	inputs := []string{"", "2025-07-01", "2024-02-29", "2023-02-29", "2021-02-30", "2021-04-31", "2021-13-01", "2021-00-10", "2021-01-00",
		"0000-01-01", "9999-12-31", "2021-1-01", "2021/01/01", "20a1-01-01", "2021-01-0x", " 2021-01-01", "2021-01-01T00:00:00Z", "+202-01-01", "-202-01-01"}
	for d := time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2001; d = d.AddDate(0, 0, 1) {
		inputs = append(inputs, d.Format(partyworks.DateLayout))
	}
	for _, s := range inputs {
		want, err := time.Parse(partyworks.DateLayout, s)
		got, ok := partyworks.ParseISODate(s)
		if ok != (err == nil) || !got.Equal(want) || got.Location() != want.Location() {
			t.Errorf("partyworks.ParseISODate(%q) = %v %v, time.Parse: %v %v", s, got, ok, want, err)
		}
	}
}
