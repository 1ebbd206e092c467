package i18n

import (
	"strconv"
	"time"
)

// vietnam is the zone where the work happens (UTC+7, no daylight saving).
var vietnam = time.FixedZone("ICT", 7*3600)

// Date writes a calendar day: 01/07/2025 in Vietnamese, 01 Jul 2025 in
// English, 2025年7月1日 in Japanese. The day is t's own calendar day (dates
// are kept at midnight UTC); it is not moved to Vietnam time. The zero time
// and the open end of a validity period (year 9999) give "".
func (l Lang) Date(t time.Time) string {
	if blank(t) {
		return ""
	}
	switch l {
	case EN:
		return t.Format("02 Jan 2006")
	case JA:
		return japaneseDate(t)
	}
	return t.Format("02/01/2006")
}

// DateTime writes an instant in Vietnam time (UTC+7): 17:05 01/07/2025 in
// Vietnamese, 01 Jul 2025, 17:05 in English, 2025年7月1日 17:05 in
// Japanese. The zero time gives "".
func (l Lang) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(vietnam)
	switch l {
	case EN:
		return t.Format("02 Jan 2006, 15:04")
	case JA:
		return japaneseDate(t) + t.Format(" 15:04")
	}
	return t.Format("15:04 02/01/2006")
}

// Number writes an integer with thousands separators: 10.047 in
// Vietnamese, 10,047 in English and Japanese.
func (l Lang) Number(n int) string {
	sep := byte(',')
	if l != EN && l != JA {
		sep = '.'
	}
	digits := strconv.Itoa(n)
	sign := ""
	if digits[0] == '-' {
		sign, digits = "-", digits[1:]
	}
	out := make([]byte, 0, len(digits)+len(digits)/3)
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			out = append(out, sep)
		}
		out = append(out, digits[i])
	}
	return sign + string(out)
}

func japaneseDate(t time.Time) string {
	y, m, d := t.Date()
	return strconv.Itoa(y) + "年" + strconv.Itoa(int(m)) + "月" + strconv.Itoa(d) + "日"
}

// blank reports whether a day means "no date": the zero time, or the open
// end of a validity period (9999-12-31, and the day before it, which is
// that period's "last day").
func blank(t time.Time) bool {
	return t.IsZero() || t.Year() >= 9999
}
