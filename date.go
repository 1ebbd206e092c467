package partyworks

import (
	"strings"
	"time"
)

// Date is a calendar day, kept as a time.Time at midnight UTC. Dates are
// stored as "2006-01-02" text on both databases so that one SQL text
// compares them.
type Date = time.Time

// Forever is the open end of a validity period: "still in force".
var Forever = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// DateLayout is how dates are stored and exchanged in the API.
const DateLayout = "2006-01-02"

// Day truncates t to its calendar day in UTC.
func Day(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Today is the current day in Vietnam (UTC+7), where the work happens.
func Today(now time.Time) Date {
	y, m, d := now.In(vietnam).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

var vietnam = time.FixedZone("ICT", 7*3600)

// ParseDate accepts ISO dates (2025-07-01) and Vietnamese dates
// (01/07/2025, 1/7/2025). An empty string is an invalid-input error.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{DateLayout, "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, Errorf(EINVALID, "%q is not a date: write it as dd/mm/yyyy or yyyy-mm-dd", s)
}

// FormatDate writes a date the storage way (yyyy-mm-dd); Forever is "".
func FormatDate(d Date) string {
	if d.IsZero() || !d.Before(Forever) {
		return ""
	}
	return ISODate(d)
}

// ISODate writes d as yyyy-mm-dd, as d.Format(DateLayout) does (the zero
// time too), without the layout's interpretation: lists write a few dates
// per row.
func ISODate(d Date) string {
	y, m, day := d.Date()
	if y < 0 || y > 9999 {
		return d.Format(DateLayout)
	}
	b := [10]byte{byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + m/10), byte('0' + m%10), '-', byte('0' + day/10), byte('0' + day%10)}
	return string(b[:])
}

// ParseISODate reads yyyy-mm-dd as time.Parse(DateLayout, s) does: ok
// false for anything else, an impossible day included (2021-02-30).
func ParseISODate(s string) (Date, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		t, err := time.Parse(DateLayout, s)
		return t, err == nil
	}
	n := func(i, j int) int {
		v := 0
		for _, c := range []byte(s[i:j]) {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, m, d := n(0, 4), n(5, 7), n(8, 10)
	if y < 0 || m < 1 || m > 12 || d < 1 || d > time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), true
}

// FormatDateVN writes a date the Vietnamese way (dd/mm/yyyy).
func FormatDateVN(d Date) string {
	if d.IsZero() || !d.Before(Forever) {
		return ""
	}
	return d.Format("02/01/2006")
}
