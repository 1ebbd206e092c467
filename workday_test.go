package partyworks_test

import (
	"testing"

	"partyworks"
)

func TestWorkingDays(t *testing.T) {
	cal := partyworks.VietnamCalendar()
	for _, c := range []struct {
		from string
		n    int
		want string
	}{
		{"2025-01-24", 1, "2025-01-27"},  // Friday → Monday
		{"2025-01-27", 1, "2025-02-03"},  // Tết 28/1 – 1/2/2025 off
		{"2025-04-04", 1, "2025-04-08"},  // Hùng Kings 7/4/2025
		{"2025-04-29", 1, "2025-05-02"},  // 30/4 and 1/5
		{"2025-08-29", 1, "2025-09-03"},  // 1–2/9
		{"2026-02-13", 1, "2026-02-23"},  // Tết 16–20/2/2026
		{"2025-06-02", 60, "2025-08-25"}, // plain weeks: 12 weeks
	} {
		if got := cal.AddWorkingDays(day(c.from), c.n); !got.Equal(day(c.want)) {
			t.Errorf("%s + %d working days = %s, want %s", c.from, c.n, partyworks.FormatDate(got), c.want)
		}
	}
	if n := cal.WorkingDaysBetween(day("2025-01-24"), day("2025-02-07")); n != 6 {
		t.Errorf("working days over Tết 2025: %d", n)
	}
	cal.Remove(day("2025-09-01"))
	if !cal.Working(day("2025-09-01")) {
		t.Error("a removed holiday is still off")
	}
	if cal.Holiday(day("2024-04-18")) == "" || cal.Holiday(day("2024-02-09")) == "" {
		t.Error("Hùng Kings 2024 or the eve of Tết 2024 is not a holiday")
	}
}
